package libexec2

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Real-time signal bounds as the C library reports them (glibc keeps 32
// and 33 for itself), so SIGRTMIN+n means what it means to kill(1).
const (
	sigRTMin unix.Signal = 34
	sigRTMax unix.Signal = 64
)

// ParseSignal accepts a decimal number, or a name with or without the SIG
// prefix in any case (9, KILL, sigkill, SIGKILL), like runc.
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > int(sigRTMax) {
			return 0, fmt.Errorf("unknown signal %q", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	if sig, ok := realtimeSignal(name); ok {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// realtimeSignal parses SIGRTMIN+n and SIGRTMAX-n, which SignalNum lacks.
func realtimeSignal(name string) (unix.Signal, bool) {
	base, rest, sign := 0, "", 1
	switch {
	case name == "SIGRTMIN":
		return sigRTMin, true
	case name == "SIGRTMAX":
		return sigRTMax, true
	case strings.HasPrefix(name, "SIGRTMIN+"):
		base, rest = int(sigRTMin), strings.TrimPrefix(name, "SIGRTMIN+")
	case strings.HasPrefix(name, "SIGRTMAX-"):
		base, rest, sign = int(sigRTMax), strings.TrimPrefix(name, "SIGRTMAX-"), -1
	default:
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0, false
	}
	sig := base + sign*n
	if sig < int(sigRTMin) || sig > int(sigRTMax) {
		return 0, false
	}
	return unix.Signal(sig), true
}
