package unveil

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseEntry(t *testing.T) {
	tests := []struct {
		in   string
		want Rule
		err  string
	}{
		{in: "r:/etc", want: Rule{Path: "/etc", Mode: "r"}},
		{in: "rwxc:/data", want: Rule{Path: "/data", Mode: "rwxc"}},
		{in: "cxwr:/data/", want: Rule{Path: "/data", Mode: "rwxc"}},
		{in: "rr:/a/../b", want: Rule{Path: "/b", Mode: "r"}},
		{in: "rw:/var/lib/a:b:c", want: Rule{Path: "/var/lib/a:b:c", Mode: "rw"}},
		{in: "  x:/bin/sh ", want: Rule{Path: "/bin/sh", Mode: "x"}},
		{in: "/etc", err: `unveil entry "/etc": want mode:path`},
		{in: ":/etc", err: "mode: empty"},
		{in: "rz:/etc", err: `mode "rz": unknown right 'z'`},
		{in: "R:/etc", err: `unknown right 'R'`},
		{in: "r:etc", err: `path "etc" must be absolute`},
		{in: "r:", err: `path "" must be absolute`},
		{in: "", err: "want mode:path"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEntry(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name string
		in   []Rule
		want []Rule
		err  string
	}{
		{name: "empty", in: nil, want: []Rule{}},
		{name: "union and sort", in: []Rule{
			{Path: "/b", Mode: "r", Source: "default", Optional: true},
			{Path: "/a", Mode: "x", Source: "executable"},
			{Path: "/b/", Mode: "xw", Source: "mount /b"},
			{Path: "/b", Mode: "r", Source: "default", Optional: true},
		}, want: []Rule{
			{Path: "/a", Mode: "x", Source: "executable"},
			{Path: "/b", Mode: "rwx", Source: "default, mount /b"},
		}},
		{name: "optional only if all are", in: []Rule{
			{Path: "/x", Mode: "r", Optional: true}, {Path: "/x", Mode: "r", Optional: true},
		}, want: []Rule{{Path: "/x", Mode: "r", Optional: true}}},
		{name: "bad mode", in: []Rule{{Path: "/x", Mode: "q", Source: "annotation"}}, err: `unveil /x (annotation): mode "q"`},
		{name: "empty mode", in: []Rule{{Path: "/x", Mode: ""}}, err: "mode: empty"},
		{name: "relative path", in: []Rule{{Path: "x", Mode: "r"}}, err: "path must be absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Merge(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestParseShebang(t *testing.T) {
	tests := []struct{ line, interp, arg string }{
		{"#!/bin/sh\necho", "/bin/sh", ""},
		{"#! /bin/sh -e\n", "/bin/sh", "-e"},
		{"#!/usr/bin/env python3\n", "/usr/bin/env", "python3"},
		{"#!/usr/bin/env -S python3 -u  \n", "/usr/bin/env", "-S python3 -u"},
		{"#!\t/bin/bash\t-x\n", "/bin/bash", "-x"},
		{"#!\n", "", ""},
		{"#!/bin/sh", "/bin/sh", ""},
	}
	for _, tt := range tests {
		interp, arg := parseShebang([]byte(tt.line))
		if interp != tt.interp || arg != tt.arg {
			t.Errorf("parseShebang(%q) = %q, %q; want %q, %q", tt.line, interp, arg, tt.interp, tt.arg)
		}
	}
}

func TestEnvProgram(t *testing.T) {
	tests := map[string]string{
		"python3":                  "python3",
		"-S python3 -u":            "python3",
		"-S -u HOME A=b perl -w":   "perl",
		"--split-string=x":         "",
		"-i FOO=1 /opt/bin/tool a": "/opt/bin/tool",
		"":                         "",
	}
	for in, want := range tests {
		if got := envProgram(in); got != want {
			t.Errorf("envProgram(%q) = %q, want %q", in, got, want)
		}
	}
}
