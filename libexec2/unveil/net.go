package unveil

import (
	"fmt"
	"strconv"
	"strings"
)

// NetAnnotation restricts the container's TCP to the listed ports:
// "bind:8080,connect:443,connect:53" (commas, newlines or spaces between
// entries), or "none" for no TCP bind or connect at all. It only takes
// rights away, so it is honoured whatever unveil_by_task says.
const NetAnnotation = "org.exec2.net.tcp"

// TCP actions of a PortRule.
const (
	TCPBind    = "bind"
	TCPConnect = "connect"
)

// PortRule allows one TCP action on one port. Bind port 0 allows binding
// to an ephemeral port.
type PortRule struct {
	Action string `json:"action"` // TCPBind or TCPConnect
	Port   uint16 `json:"port"`
}

func (r PortRule) String() string { return r.Action + ":" + strconv.Itoa(int(r.Port)) }

// NetPolicy restricts TCP bind and connect to Rules; a Policy without one
// leaves TCP alone. An empty Rules denies all TCP bind and connect.
type NetPolicy struct {
	TCP []PortRule `json:"tcp"`
}

// ParseTCP parses the value of NetAnnotation. Duplicates are dropped;
// "none" stands alone.
func ParseTCP(value string) ([]PortRule, error) {
	fields := strings.FieldsFunc(value, func(r rune) bool {
		return r == ',' || r == '\n' || r == ' ' || r == '\t'
	})
	if len(fields) == 0 {
		return nil, fmt.Errorf("tcp rules %q: empty (write \"none\" to deny all TCP bind and connect)", value)
	}
	if len(fields) == 1 && fields[0] == "none" {
		return []PortRule{}, nil
	}
	out := []PortRule{}
	seen := map[PortRule]bool{}
	for _, f := range fields {
		action, port, ok := strings.Cut(f, ":")
		if !ok || (action != TCPBind && action != TCPConnect) {
			return nil, fmt.Errorf("tcp rule %q: want bind:PORT or connect:PORT", f)
		}
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("tcp rule %q: port must be 0-65535", f)
		}
		r := PortRule{Action: action, Port: uint16(n)}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// netAnnotation reads NetAnnotation into a NetPolicy, nil when absent.
func netAnnotation(ann map[string]string) (*NetPolicy, error) {
	v, ok := ann[NetAnnotation]
	if !ok {
		return nil, nil
	}
	rules, err := ParseTCP(v)
	if err != nil {
		return nil, fmt.Errorf("annotation %s: %w", NetAnnotation, err)
	}
	return &NetPolicy{TCP: rules}, nil
}
