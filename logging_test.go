package main

import "testing"

func TestPreScanLogFlags(t *testing.T) {
	for _, tc := range []struct {
		args         []string
		file, format string
	}{
		{[]string{"--log", "/l.json", "--log-format", "json", "create", "x"}, "/l.json", "json"},
		{[]string{"--log=/l", "--log-format=json", "state"}, "/l", "json"},
		{[]string{"--root", "/r", "-log", "/x", "kill"}, "/x", "text"},
		{[]string{"create", "--log", "/not-global"}, "", "text"},
		{[]string{"--debug", "--log-format", "json"}, "", "json"},
	} {
		got := preScanLogFlags(tc.args)
		if got.file != tc.file || got.format != tc.format {
			t.Errorf("preScanLogFlags(%q) = %+v, want file=%q format=%q", tc.args, got, tc.file, tc.format)
		}
	}
}
