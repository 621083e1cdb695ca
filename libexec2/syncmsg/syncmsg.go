// Package syncmsg is the protocol between the runtime (parent) and the init
// stage (child), as JSON values on one SOCK_STREAM socketpair:
//
//	parent                         init
//	  plan.Plan  ───────────────▶   namespaces exist, cgroup joined
//	                                mounts done (chroot mode)
//	             ◀─────────────── {"type":"hooks"}
//	  prestart, createRuntime hooks
//	  {"type":"hooks-done"} ──────▶ createContainer hooks, chroot,
//	                                pty, resolve executable, landlock check
//	             ◀─────────────── {"type":"ready"} | {"type":"error","msg":…}
//	  (socket closed)               blocks on exec.fifo
//
// {"type":"log"} messages may arrive at any point before ready; an error
// ends the exchange and the parent returns it as the create error.
package syncmsg

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Message types.
const (
	Hooks     = "hooks"
	HooksDone = "hooks-done"
	Ready     = "ready"
	Error     = "error"
	Log       = "log"
)

// Msg is one protocol message.
type Msg struct {
	Type  string `json:"type"`
	Msg   string `json:"msg,omitempty"`
	Level string `json:"level,omitempty"`
}

// Conn frames Msg values on a stream.
type Conn struct {
	enc *json.Encoder
	dec *json.Decoder
}

// New wraps rw.
func New(rw io.ReadWriter) *Conn {
	return &Conn{enc: json.NewEncoder(rw), dec: json.NewDecoder(rw)}
}

// Send writes any JSON value (a Msg, or the plan).
func (c *Conn) Send(v any) error { return c.enc.Encode(v) }

// Recv decodes the next value into v.
func (c *Conn) Recv(v any) error { return c.dec.Decode(v) }

// Expect reads messages until one of type want arrives, passing log messages
// to logf. An error message becomes the returned error; EOF means the peer
// died without a word.
func (c *Conn) Expect(want string, logf func(level, msg string)) error {
	for {
		var m Msg
		if err := c.dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return io.ErrUnexpectedEOF
			}
			return fmt.Errorf("read sync message: %w", err)
		}
		switch m.Type {
		case want:
			return nil
		case Error:
			return errors.New(m.Msg)
		case Log:
			if logf != nil {
				logf(m.Level, m.Msg)
			}
		default:
			return fmt.Errorf("unexpected sync message %q (want %q)", m.Type, want)
		}
	}
}
