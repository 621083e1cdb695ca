package libexec2

import (
	"errors"
	"testing"
)

func TestStatusTable(t *testing.T) {
	all := []Status{Created, Running, Paused, Stopped}
	want := map[string][]Status{
		"start":  {Created},
		"kill":   {Created, Running, Paused},
		"pause":  {Created, Running},
		"resume": {Paused},
		"delete": {Created, Stopped},
		"exec":   {Created, Running},
	}
	for op, ok := range want {
		for _, s := range all {
			expect := false
			for _, o := range ok {
				expect = expect || o == s
			}
			if got := Can(op, s); got != expect {
				t.Errorf("Can(%s, %s) = %v, want %v", op, s, got, expect)
			}
		}
	}
}

func TestRequireStatusMessages(t *testing.T) {
	for _, tc := range []struct {
		op     string
		status Status
		msg    string
		notRun bool
	}{
		{"start", Stopped, "cannot start a container that has stopped", true},
		{"start", Running, "cannot start an already running container", false},
		{"start", Paused, "cannot start container c1 in the paused state", false},
		{"kill", Stopped, "container not running", true},
		{"delete", Running, "cannot delete container c1 that is not stopped: running", false},
		{"resume", Running, "container not paused", false},
		{"pause", Paused, "container not running", true},
		{"pause", Stopped, "container not running", true},
	} {
		err := requireStatus(tc.op, "c1", tc.status)
		if err == nil || err.Error() != tc.msg {
			t.Errorf("requireStatus(%s, %s) = %v, want %q", tc.op, tc.status, err, tc.msg)
			continue
		}
		if errors.Is(err, ErrNotRunning) != tc.notRun {
			t.Errorf("requireStatus(%s, %s): errors.Is(ErrNotRunning) = %v", tc.op, tc.status, !tc.notRun)
		}
	}
	if err := requireStatus("start", "c1", Created); err != nil {
		t.Errorf("start in created: %v", err)
	}
}
