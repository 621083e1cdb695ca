// Package rtconfig reads the runtime-wide configuration file, the OCI
// runtime's equivalent of the exec2 task driver's plugin options.
package rtconfig

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

// DefaultPath is read when no config file is named; it may be absent.
const DefaultPath = "/etc/exec2-oci/config.json"

// Config is the runtime-wide configuration.
type Config struct {
	UnveilDefaults  bool     `json:"unveil_defaults"`  // default true
	UnveilPaths     []string `json:"unveil_paths"`     // "mode:path" entries granted to every container
	UnveilByTask    bool     `json:"unveil_by_task"`   // bundles may add rules with the org.exec2.unveil annotation
	MountPolicy     string   `json:"mount_policy"`     // "" (default table) | "error" | "skip"
	AllowUnconfined bool     `json:"allow_unconfined"` // run without Landlock on kernels lacking it
}

// Default is the configuration when no file says otherwise.
func Default() Config {
	return Config{UnveilDefaults: true, UnveilPaths: []string{}}
}

// Load reads the config file at path. A missing file at DefaultPath gives
// Default(); a missing file named explicitly is an error. Keys the file
// omits keep their defaults; unknown keys and invalid entries are errors
// naming them.
func Load(path string) (Config, error) {
	if path == "" {
		path = DefaultPath
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && path == DefaultPath {
		return Default(), nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("read runtime config: %w", err)
	}
	c, err := parse(data)
	if err != nil {
		return Config{}, fmt.Errorf("runtime config %s: %w", path, err)
	}
	return c, nil
}

func parse(data []byte) (Config, error) {
	c := Default()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Config{}, fmt.Errorf("unexpected data after the JSON object")
	}
	if c.UnveilPaths == nil {
		c.UnveilPaths = []string{}
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks every entry; callers that override fields from command
// line flags validate again.
func (c Config) Validate() error {
	for _, e := range c.UnveilPaths {
		if _, err := unveil.ParseEntry(e); err != nil {
			return fmt.Errorf("unveil_paths: %w", err)
		}
	}
	if !unveil.MountPolicy(c.MountPolicy).Valid() {
		return fmt.Errorf("mount_policy %q: unknown (want \"\", %q or %q)", c.MountPolicy, unveil.PolicyError, unveil.PolicySkip)
	}
	return nil
}

// UnveilOptions validates the config (flags may have changed it since Load)
// and carries it into unveil.Translate; the caller sets the per-bundle
// fields (HostRoot, Terminal).
func (c Config) UnveilOptions() (unveil.Options, error) {
	if err := c.Validate(); err != nil {
		return unveil.Options{}, err
	}
	return unveil.Options{
		Defaults:        c.UnveilDefaults,
		Paths:           append([]string(nil), c.UnveilPaths...),
		ByTask:          c.UnveilByTask,
		Policy:          unveil.MountPolicy(c.MountPolicy),
		AllowUnconfined: c.AllowUnconfined,
	}, nil
}
