package cgroups

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	godbus "github.com/godbus/dbus/v5"
)

// The systemd driver asks systemd (over D-Bus) for a transient unit that owns
// the container's cgroup, then sets limits and places processes through the
// file system like the cgroupfs driver. A scope cannot exist without a
// process, so the unit is started by the first Add, not by New (CloneFD
// reports ok=false until then). cgroup2.NewSystemd is not used: it always
// puts the unit in system.slice.

// systemdTimeout bounds one D-Bus job (start or stop of the unit).
var systemdTimeout = 30 * time.Second

// unitProperties are the properties of the transient unit for s, holding pid
// when the unit is a scope (slices cannot take processes directly).
func unitProperties(s Saved, pid int) []sdbus.Property {
	unit := unitName(s.Path)
	props := []sdbus.Property{
		sdbus.PropDescription("exec2-oci container " + unit),
		sdbus.PropSlice(sliceOf(s.Path)),
		// Without it systemd orders the scope after basic.target (a deadlock
		// early at boot) and stops it at shutdown ordering of its own choosing.
		{Name: "DefaultDependencies", Value: godbus.MakeVariant(false)},
		// Makes systemd enable the controllers down to the unit, so our own
		// writes to its control files have somewhere to go.
		{Name: "MemoryAccounting", Value: godbus.MakeVariant(true)},
		{Name: "CPUAccounting", Value: godbus.MakeVariant(true)},
		{Name: "TasksAccounting", Value: godbus.MakeVariant(true)},
	}
	if s.Mode == ModeV2 {
		props = append(props, sdbus.Property{Name: "IOAccounting", Value: godbus.MakeVariant(true)})
	} else {
		props = append(props, sdbus.Property{Name: "BlockIOAccounting", Value: godbus.MakeVariant(true)})
	}
	if strings.HasSuffix(unit, ".scope") {
		props = append(props,
			sdbus.PropPids(uint32(pid)),
			// The group is ours to manage below the unit.
			sdbus.Property{Name: "Delegate", Value: godbus.MakeVariant(true)})
	}
	return props
}

func systemdConn(ctx context.Context) (*sdbus.Conn, error) {
	if !systemdRunning() {
		return nil, ErrSystemdNotRunning
	}
	c, err := sdbus.NewWithContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to systemd: %w", err)
	}
	return c, nil
}

// startUnit starts the transient unit of s with pid in it and waits for the job.
func startUnit(s Saved, pid int) error {
	unit := unitName(s.Path)
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	c, err := systemdConn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	done := make(chan string, 1)
	if _, err := c.StartTransientUnitContext(ctx, unit, "replace", unitProperties(s, pid), done); err != nil {
		return fmt.Errorf("start unit %s in %s: %w", unit, sliceOf(s.Path), err)
	}
	select {
	case r := <-done:
		if r != "done" {
			return fmt.Errorf("start unit %s in %s: job %s", unit, sliceOf(s.Path), r)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("start unit %s: %w", unit, ctx.Err())
	}
}

// stopUnit stops the transient unit of s. A unit systemd already let go
// (an empty scope is released) is not an error, nor is systemd being gone.
func stopUnit(s Saved) error {
	unit := unitName(s.Path)
	ctx, cancel := context.WithTimeout(context.Background(), systemdTimeout)
	defer cancel()
	c, err := systemdConn(ctx)
	if errors.Is(err, ErrSystemdNotRunning) {
		return nil
	}
	if err != nil {
		return err
	}
	defer c.Close()
	done := make(chan string, 1)
	if _, err := c.StopUnitContext(ctx, unit, "replace", done); err != nil {
		if isNoSuchUnit(err) {
			return nil
		}
		return fmt.Errorf("stop unit %s: %w", unit, err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("stop unit %s: %w", unit, ctx.Err())
	}
	// A failed unit stays loaded (and its name taken) until reset.
	_ = c.ResetFailedUnitContext(ctx, unit)
	return nil
}

func isNoSuchUnit(err error) bool {
	const name = "org.freedesktop.systemd1.NoSuchUnit"
	var pe *godbus.Error
	if errors.As(err, &pe) {
		return pe.Name == name
	}
	var ve godbus.Error
	return errors.As(err, &ve) && ve.Name == name
}
