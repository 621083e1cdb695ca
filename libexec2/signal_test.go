package libexec2

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseSignal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want unix.Signal
	}{
		{"9", unix.SIGKILL},
		{"15", unix.SIGTERM},
		{"KILL", unix.SIGKILL},
		{"kill", unix.SIGKILL},
		{"SIGKILL", unix.SIGKILL},
		{"sigterm", unix.SIGTERM},
		{"HUP", unix.SIGHUP},
		{"SIGUSR1", unix.SIGUSR1},
		{"WINCH", unix.SIGWINCH},
		{"RTMIN", sigRTMin},
		{"SIGRTMIN+3", sigRTMin + 3},
		{"RTMAX-1", sigRTMax - 1},
		{"bogus", 0},
		{"0", 0},
		{"-1", 0},
		{"65", 0},
		{"SIGRTMAX+1", 0},
		{"", 0},
	} {
		got, err := ParseSignal(tc.in)
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseSignal(%q) = %d, want error", tc.in, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSignal(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
