package initproc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// namespaces finishes what clone(2) could not do: the cgroup namespace (so
// its root is the container's cgroup, joined only now on v1 hosts), the
// loopback device, host and domain names, sysctls and oom_score_adj.
func (in *stage) namespaces() error {
	for _, ns := range in.p.Namespaces {
		if ns.Type == specs.CgroupNamespace && ns.Path == "" {
			if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
				return fmt.Errorf("unshare cgroup namespace: %w", err)
			}
		}
		if ns.Type == specs.NetworkNamespace && ns.Path == "" {
			if err := loopbackUp(); err != nil {
				return err
			}
		}
	}
	if in.p.Hostname != "" {
		if err := unix.Sethostname([]byte(in.p.Hostname)); err != nil {
			return fmt.Errorf("set hostname %q: %w", in.p.Hostname, err)
		}
	}
	if in.p.Domainname != "" {
		if err := unix.Setdomainname([]byte(in.p.Domainname)); err != nil {
			return fmt.Errorf("set domainname %q: %w", in.p.Domainname, err)
		}
	}
	for k, v := range in.p.Sysctl {
		path := filepath.Join("/proc/sys", strings.ReplaceAll(k, ".", "/"))
		if err := os.WriteFile(path, []byte(v), 0); err != nil {
			return fmt.Errorf("set sysctl %s: %w", k, err)
		}
	}
	if adj := in.p.Process.OOMScoreAdj; adj != nil {
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(*adj)), 0); err != nil {
			return fmt.Errorf("set oom_score_adj %d: %w", *adj, err)
		}
	}
	return nil
}

// loopbackUp brings "lo" up in a new network namespace, as runc does, so
// programs can talk to themselves over 127.0.0.1.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	return nil
}

func asErrno(err error) (unix.Errno, bool) {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno, true
	}
	return 0, false
}
