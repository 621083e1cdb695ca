package initproc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/exec2-oci/exec2-oci/libexec2/plan"
	"github.com/exec2-oci/exec2-oci/libexec2/syncmsg"
	"github.com/exec2-oci/exec2-oci/libexec2/unveil"
)

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

type preparedUnveil = *unveil.Prepared

// enterRoot chroots in chroot mode (never pivot_root: the host root stays
// reachable only for a process that already holds a way out, and Landlock
// closes that too).
func (in *stage) enterRoot() error {
	if in.p.Mode != plan.Chroot {
		return nil
	}
	if err := unix.Chroot(in.p.Rootfs); err != nil {
		return fmt.Errorf("chroot %s: %w", in.p.Rootfs, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir /: %w", err)
	}
	return nil
}

// resolve builds the program's environment, enters its cwd and finds its
// executable with the container's PATH, so "not found" is a create error.
func (in *stage) resolve() error {
	pr := in.p.Process
	in.env = append([]string(nil), pr.Env...)
	if in.listen > 0 {
		in.env = setEnv(in.env, "LISTEN_FDS", strconv.Itoa(in.listen))
		in.env = setEnv(in.env, "LISTEN_PID", strconv.Itoa(os.Getpid()))
	}
	if lookupEnv(in.env, "HOME") == "" {
		home := "/"
		if pr.UID == 0 {
			home = "/root"
		}
		in.env = append(in.env, "HOME="+home)
	}
	if err := unix.Chdir(pr.Cwd); err != nil {
		return fmt.Errorf("process.cwd %q: chdir: %w", pr.Cwd, err)
	}
	path := lookupEnv(in.env, "PATH")
	if path == "" {
		path = defaultPath
	}
	os.Setenv("PATH", path)
	exe, err := exec.LookPath(pr.Args[0])
	if errors.Is(err, exec.ErrDot) {
		err = nil
	}
	if err != nil {
		return err
	}
	in.exe = exe
	return nil
}

func (in *stage) prepareUnveil() error {
	pol := in.p.Unveil
	rules, err := unveil.ExecRules(in.exe, os.Getenv("PATH"))
	if err != nil {
		return fmt.Errorf("unveil executable %s: %w", in.exe, err)
	}
	pol.Rules = append(append([]unveil.Rule(nil), pol.Rules...), rules...)
	prepared, err := unveil.Prepare(&pol)
	if err != nil {
		return err
	}
	// Handled degradations (an ABI too old for a rule) reach the runtime's
	// log as warnings, never silently.
	for _, w := range append(pol.Warnings, prepared.Warnings()...) {
		if err := in.conn.Send(syncmsg.Msg{Type: syncmsg.Log, Level: "warning", Msg: w}); err != nil {
			return fmt.Errorf("send warning: %w", err)
		}
	}
	in.prepared = prepared
	return nil
}

// exec is the last step: close what must not pass, set limits, lock
// Landlock while still root (rule paths open regardless of the program's
// permissions), drop credentials, execve in place.
func (in *stage) exec() error {
	pr := in.p.Process
	if err := unix.CloseRange(uint(3+in.preserve), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("close inherited fds: %w", err)
	}
	for _, rl := range pr.Rlimits {
		lim := unix.Rlimit{Cur: rl.Soft, Max: rl.Hard}
		if err := unix.Prlimit(0, rl.Type, &lim, nil); err != nil {
			return fmt.Errorf("set rlimit %d: %w", rl.Type, err)
		}
	}
	if pr.Umask != nil {
		unix.Umask(int(*pr.Umask))
	}
	if err := in.prepared.Apply(); err != nil {
		return fmt.Errorf("apply landlock: %w", err)
	}
	if err := dropCredentials(pr); err != nil {
		return err
	}
	if pr.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
	}
	err := unix.Exec(in.exe, pr.Args, in.env)
	if errors.Is(err, unix.EACCES) {
		if why := unveil.Explain(in.prepared, in.exe, "rx"); why != "" {
			return fmt.Errorf("exec %s: %w (%s)", in.exe, err, why)
		}
	}
	return fmt.Errorf("exec %s: %w", in.exe, err)
}

// dropCredentials uses package syscall, whose setters apply to every OS
// thread of the process.
func dropCredentials(pr plan.Process) error {
	gids := make([]int, len(pr.AdditionalGids))
	for i, g := range pr.AdditionalGids {
		gids[i] = int(g)
	}
	if err := syscall.Setgroups(gids); err != nil {
		return fmt.Errorf("setgroups %v: %w", gids, err)
	}
	if err := syscall.Setgid(int(pr.GID)); err != nil {
		return fmt.Errorf("setgid %d: %w", pr.GID, err)
	}
	if err := syscall.Setuid(int(pr.UID)); err != nil {
		return fmt.Errorf("setuid %d: %w", pr.UID, err)
	}
	return nil
}

func lookupEnv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

func setEnv(env []string, key, val string) []string {
	out := env[:0:0]
	for _, e := range env {
		if k, _, _ := strings.Cut(e, "="); k != key {
			out = append(out, e)
		}
	}
	return append(out, key+"="+val)
}
