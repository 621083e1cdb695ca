package rtconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name string
		json string
		want Config
		err  string
	}{
		{name: "empty object keeps defaults", json: `{}`, want: Default()},
		{name: "all keys", json: `{"unveil_defaults": false, "unveil_paths": ["r:/etc/app", "rwc:/var/a:b"],
			"unveil_by_task": true, "mount_policy": "skip", "allow_unconfined": true}`,
			want: Config{UnveilDefaults: false, UnveilPaths: []string{"r:/etc/app", "rwc:/var/a:b"}, UnveilByTask: true, MountPolicy: "skip", AllowUnconfined: true}},
		{name: "error policy", json: `{"mount_policy": "error"}`, want: Config{UnveilDefaults: true, UnveilPaths: []string{}, MountPolicy: "error"}},
		{name: "null paths", json: `{"unveil_paths": null}`, want: Default()},
		{name: "unknown key", json: `{"unveil_default": true}`, err: `unknown field "unveil_default"`},
		{name: "invalid entry", json: `{"unveil_paths": ["r:/ok", "rq:/bad"]}`, err: `unveil_paths: unveil entry "rq:/bad"`},
		{name: "relative entry", json: `{"unveil_paths": ["r:etc"]}`, err: `unveil entry "r:etc": path "etc" must be absolute`},
		{name: "unknown policy", json: `{"mount_policy": "ignore"}`, err: `mount_policy "ignore": unknown`},
		{name: "wrong type", json: `{"unveil_by_task": "yes"}`, err: "unveil_by_task"},
		{name: "trailing data", json: `{} {}`, err: "unexpected data after the JSON object"},
		{name: "not json", json: `unveil_defaults=true`, err: "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err = %v, want it to name %s and contain %q", err, path, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.json")
	if _, err := Load(missing); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("explicit missing file: err = %v", err)
	}
	if _, err := os.Stat(DefaultPath); err == nil {
		t.Skipf("requires no %s on this machine", DefaultPath)
	}
	for _, p := range []string{"", DefaultPath} {
		got, err := Load(p)
		if err != nil || !reflect.DeepEqual(got, Default()) {
			t.Fatalf("Load(%q) = %+v, %v; want defaults", p, got, err)
		}
	}
}

func TestUnveilOptions(t *testing.T) {
	c := Config{UnveilDefaults: true, UnveilPaths: []string{"r:/x"}, UnveilByTask: true, MountPolicy: "error", AllowUnconfined: true}
	got, err := c.UnveilOptions()
	want := unveil.Options{Defaults: true, Paths: []string{"r:/x"}, ByTask: true, Policy: unveil.PolicyError, AllowUnconfined: true}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	c.MountPolicy = "sometimes"
	if _, err := c.UnveilOptions(); err == nil {
		t.Fatal("invalid policy accepted")
	}
}
