package main

import (
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1024", 1024, true},
		{"32m", 32 << 20, true},
		{"32M", 32 << 20, true},
		{"1g", 1 << 30, true},
		{"2kb", 2048, true},
		{"1.5k", 1536, true},
		{"-1", -1, true},
		{"", 0, false},
		{"abc", 0, false},
		{"-5", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestResourcesFromFlags(t *testing.T) {
	flags := map[string]string{"memory": "64m", "cpu-quota": "20000", "cpu-period": "100000", "pids-limit": "10", "cpuset-cpus": "0"}
	get := func(n string) (string, bool) { v, ok := flags[n]; return v, ok }
	var res specs.LinuxResources
	if err := resourcesFromFlags(&res, get); err != nil {
		t.Fatal(err)
	}
	if *res.Memory.Limit != 64<<20 || *res.CPU.Quota != 20000 || *res.CPU.Period != 100000 ||
		*res.Pids.Limit != 10 || res.CPU.Cpus != "0" || res.BlockIO != nil {
		t.Errorf("resources = %+v", res)
	}
	flags = map[string]string{"memory": "lots"}
	if err := resourcesFromFlags(&specs.LinuxResources{}, get); err == nil || !strings.Contains(err.Error(), "--memory") {
		t.Errorf("bad --memory accepted: %v", err)
	}
	flags = map[string]string{"kernel-memory": "1m"}
	if err := resourcesFromFlags(&specs.LinuxResources{}, get); err == nil {
		t.Error("--kernel-memory accepted")
	}
}

func TestFilterPS(t *testing.T) {
	out := []byte("UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 0 ? 0 init\nroot 42 1 0 0 ? 0 sleep\nroot 43 1 0 0 ? 0 other\n")
	if err := filterPS(out, []int{42}); err != nil {
		t.Fatal(err)
	}
	if err := filterPS([]byte("UID CMD\nroot x\n"), nil); err == nil {
		t.Error("missing PID column accepted")
	}
}
