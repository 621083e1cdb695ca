package libexec2

import (
	"os"
	"testing"
)

func TestProcStatSelf(t *testing.T) {
	state, start, err := procStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if state != 'R' && state != 'S' {
		t.Errorf("state of self = %c", state)
	}
	if !processAlive(os.Getpid(), start) {
		t.Error("self not alive with its own start time")
	}
	if processAlive(os.Getpid(), start+1) {
		t.Error("a different start time must read as a reused pid")
	}
	if processAlive(0, 0) || processAlive(-1, 0) {
		t.Error("pid <= 0 must not be alive")
	}
}

func TestWritePidFile(t *testing.T) {
	path := t.TempDir() + "/pid"
	if err := WritePidFile(path, 4242); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "4242" {
		t.Errorf("pid file = %q, want %q (no newline)", data, "4242")
	}
}
