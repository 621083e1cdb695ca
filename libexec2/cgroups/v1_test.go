package cgroups

import (
	"slices"
	"strings"
	"testing"
)

func TestOrderMemsw(t *testing.T) {
	limit := setting{File: "memory.limit_in_bytes", Value: "100"}
	tests := []struct {
		name    string
		swap    string
		current uint64
		first   string
	}{
		{name: "raise above current limit: memsw first", swap: "500", current: 200, first: "memory.memsw.limit_in_bytes"},
		{name: "lower below current limit: limit first", swap: "150", current: 200, first: "memory.limit_in_bytes"},
		{name: "unlimited memsw first", swap: "-1", current: 200, first: "memory.memsw.limit_in_bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []setting{{File: "pids.max", Value: "1"}, limit, {File: "memory.memsw.limit_in_bytes", Value: tt.swap}}
			out := orderMemsw(in, tt.current)
			i := slices.IndexFunc(out, func(s setting) bool { return strings.HasPrefix(s.File, "memory.") })
			if out[i].File != tt.first || len(out) != 3 || out[0].File != "pids.max" {
				t.Errorf("order = %+v, want %s first", out, tt.first)
			}
		})
	}
}
