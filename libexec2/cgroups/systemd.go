package cgroups

import (
	"errors"
	"fmt"
)

// ErrSystemdScopeUnsupported is returned by New for the systemd driver on a
// host where systemd runs: transient scopes over D-Bus are not implemented yet.
var ErrSystemdScopeUnsupported = errors.New("systemd cgroup driver: transient scopes are not implemented; use the cgroupfs driver")

// startScope asks systemd for the transient scope that owns s.Path.
func startScope(s Saved) error {
	if !systemdRunning() {
		return ErrSystemdNotRunning
	}
	return fmt.Errorf("start unit %s in %s: %w", unitName(s.Path), sliceOf(s.Path), ErrSystemdScopeUnsupported)
}

// stopScope stops the transient scope of s; nothing was started, so nothing to stop.
func stopScope(Saved) error { return nil }
