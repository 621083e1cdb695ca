package cgroups

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteSetting(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"io.weight", "pids.max"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		s       setting
		file    string
		want    string
		wantErr string
	}{
		{name: "direct", s: setting{File: "pids.max", Value: "5"}, file: "pids.max", want: "5"},
		{name: "fallback", s: setting{File: "io.bfq.weight", Value: "500", Alt: &setting{File: "io.weight", Value: "default 4950"}}, file: "io.weight", want: "default 4950"},
		{name: "neither", s: setting{File: "io.bfq.weight", Value: "1", Alt: &setting{File: "io.nothing", Value: "1"}}, wantErr: "neither io.bfq.weight nor io.nothing"},
		{name: "missing", s: setting{File: "memory.swap.max", Value: "max"}, wantErr: "memory.swap.max"},
		{name: "optional missing", s: setting{File: "memory.swap.max", Value: "max", Optional: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := writeSetting(dir, tt.s)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("err = %v, want %q wrapping fs.ErrNotExist", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.file != "" {
				if got, _ := readString(filepath.Join(dir, tt.file)); got != tt.want {
					t.Errorf("%s = %q, want %q", tt.file, got, tt.want)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "memory.swap.max")); err == nil {
				t.Errorf("writeSetting created a file")
			}
		})
	}
}
