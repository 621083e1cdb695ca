package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// writeSetting writes s into the group directory dir, falling back to s.Alt
// when s.File does not exist there.
func writeSetting(dir string, s setting) error {
	err := writeFile(filepath.Join(dir, s.File), s.Value)
	if s.Optional && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil || s.Alt == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeSetting(dir, *s.Alt); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("set %s in %s: the kernel offers neither %s nor %s: %w", s.File, dir, s.File, s.Alt.File, fs.ErrNotExist)
		}
		return err
	}
	return nil
}

// writeFile writes one value to an existing control file (never creating it:
// a missing file must read as "not supported", not as a permission error).
func writeFile(path, value string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", value, path, err)
	}
	return nil
}

// readPids reads a cgroup.procs file.
func readPids(path string) ([]int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// treePids lists the processes of the group at dir and of every group below it.
func treePids(dir string) ([]int, error) {
	var all []int
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && errors.Is(err, fs.ErrNotExist) {
				return nil // a child group removed while walking
			}
			return err
		}
		if !d.IsDir() {
			return nil
		}
		pids, err := readPids(filepath.Join(p, "cgroup.procs"))
		if err != nil && !(p != dir && errors.Is(err, fs.ErrNotExist)) {
			return err
		}
		all = append(all, pids...)
		return nil
	})
	return sortedUnique(all), err
}

// rmdirTree removes the group at dir and every group below it, deepest
// first; cgroupfs directories go with rmdir alone. A missing dir is not an error.
func rmdirTree(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			if err := rmdirTree(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	if err := unix.Rmdir(dir); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	return nil
}

// readKV parses a flat-keyed file ("key value" lines) such as memory.stat.
func readKV(path string) (map[string]uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue // e.g. "max" or a non-numeric field
		}
		out[k] = n
	}
	return out, sc.Err()
}

// readString reads a one-line control file, trimmed.
func readString(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// checkBeforeUpdate refuses a new memory limit below the current usage read
// from usageFile when linux.resources.memory.checkBeforeUpdate asks for it.
func checkBeforeUpdate(res *specs.LinuxResources, usageFile string) error {
	if res == nil || res.Memory == nil || res.Memory.CheckBeforeUpdate == nil || !*res.Memory.CheckBeforeUpdate ||
		res.Memory.Limit == nil || *res.Memory.Limit <= 0 {
		return nil
	}
	s, err := readString(usageFile)
	if err != nil {
		return err
	}
	usage, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("parse %s: %w", usageFile, err)
	}
	if limit := uint64(*res.Memory.Limit); usage > limit {
		return fmt.Errorf("memory limit %d is below the current usage %d (checkBeforeUpdate)", limit, usage)
	}
	return nil
}
