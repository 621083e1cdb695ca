package unveil

import (
	"errors"
	"fmt"
	"path/filepath"

	landlock "github.com/shoenig/go-landlock"
	"golang.org/x/sys/unix"
)

// ErrUnavailable means the kernel has no usable Landlock (not built in, or
// not in the lsm= list).
var ErrUnavailable = errors.New("landlock is not available on this kernel")

// ABI returns the kernel's Landlock ABI version; the error wraps
// ErrUnavailable and the errno when there is none.
func ABI() (int, error) {
	r, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if e != 0 {
		return 0, fmt.Errorf("%w: %w", ErrUnavailable, e)
	}
	if int(r) < 1 {
		return 0, fmt.Errorf("%w: reported ABI %d", ErrUnavailable, int(r))
	}
	return int(r), nil
}

// detectABI is ABI, replaced in tests to play a kernel without Landlock.
var detectABI = ABI

// entry is a rule whose object was found: file or directory decided, and
// its inode kept so Explain matches paths that reach it another way.
type entry struct {
	Rule
	mode     modeBits
	dir      bool
	dev, ino uint64
	ioctl    bool // granted device ioctls in the second layer (ABI 5)
}

// Prepared is a policy checked against the file system, ready to lock.
type Prepared struct {
	entries    []entry
	abi        int
	unconfined bool
	warnings   []string
	net        *NetPolicy
}

// Prepare stats every rule path (after chroot in chroot mode), drops
// missing optional rules, fails on a missing required one, decides file or
// directory and drops "c" from files (it grants nothing there). It fails
// early on a kernel without Landlock unless the policy allows running
// unconfined.
func Prepare(p *Policy) (*Prepared, error) {
	if p == nil {
		return nil, fmt.Errorf("prepare landlock: no policy")
	}
	out := &Prepared{net: p.Net}
	abi, err := detectABI()
	switch {
	case err != nil && !p.AllowUnconfined:
		return nil, fmt.Errorf("%w (set allow_unconfined in the runtime config to run without it)", err)
	case err != nil:
		out.unconfined = true
		out.warnings = append(out.warnings, fmt.Sprintf("%v: running unconfined (allow_unconfined)", err))
	default:
		out.abi = abi
		out.warnings = append(out.warnings, abiWarnings(abi)...)
		if p.Net != nil && abi < netABI {
			out.warnings = append(out.warnings, fmt.Sprintf("landlock ABI %d: annotation %s is not enforced, TCP bind and connect stay unrestricted (needs ABI 4, Linux 6.7)", abi, NetAnnotation))
		}
	}
	rules, err := Merge(p.Rules)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		var st unix.Stat_t
		if err := unix.Stat(r.Path, &st); err != nil {
			if r.Optional && (errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR)) {
				continue
			}
			return nil, fmt.Errorf("unveil %s (%s): %w", r.Path, r.Source, err)
		}
		e := entry{Rule: r, mode: mustMode(r.Mode), dir: st.Mode&unix.S_IFMT == unix.S_IFDIR, dev: st.Dev, ino: st.Ino}
		e.ioctl = grantsIoctl(r.Path, st.Mode, e.mode)
		if !e.dir {
			e.mode &^= modeC
			if e.mode == 0 {
				continue
			}
			e.Mode = e.mode.String()
		}
		out.entries = append(out.entries, e)
	}
	return out, nil
}

// grantsIoctl decides which rules keep device ioctls once ABI 5 handles
// them: a readable or writable device node, or a directory at or under
// /dev (/dev/pts for a terminal, a bound /dev/dri). Other device nodes can
// still be opened where a rule allows it, but not ioctl'ed.
func grantsIoctl(path string, stMode uint32, m modeBits) bool {
	if m&(modeR|modeW) == 0 {
		return false
	}
	switch stMode & unix.S_IFMT {
	case unix.S_IFCHR, unix.S_IFBLK:
		return true
	case unix.S_IFDIR:
		return path == "/dev" || isBeneath(path, "/dev")
	}
	return false
}

// abiWarnings says what this kernel's Landlock cannot restrict.
func abiWarnings(abi int) []string {
	var w []string
	if abi < 2 {
		w = append(w, fmt.Sprintf("landlock ABI %d: renames and links across directories fail with EXDEV (needs ABI 2, Linux 5.19)", abi))
	}
	if abi < 3 {
		w = append(w, fmt.Sprintf("landlock ABI %d: truncate is not restricted (needs ABI 3, Linux 6.2)", abi))
	}
	if abi < ioctlABI {
		w = append(w, fmt.Sprintf("landlock ABI %d: ioctls on device files are not restricted (needs ABI 5, Linux 6.10)", abi))
	}
	if abi < scopeABI {
		w = append(w, fmt.Sprintf("landlock ABI %d: signals and abstract unix sockets are not scoped to the container (needs ABI 6, Linux 6.12)", abi))
	}
	return w
}

// Warnings are the degradations Prepare found (kernel ABI, unconfined run).
func (p *Prepared) Warnings() []string { return p.warnings }

// Rules are the rules Apply will lock, after Prepare's drops.
func (p *Prepared) Rules() []Rule {
	out := make([]Rule, len(p.entries))
	for i, e := range p.entries {
		out[i] = e.Rule
	}
	return out
}

// ABI is the Landlock ABI Prepare detected, 0 when running unconfined.
func (p *Prepared) ABI() int { return p.abi }

// Apply locks the calling process, every thread of it, with the prepared
// rules; it is irreversible and inherited across fork and execve.
// go-landlock sets no_new_privs and handles file-system rights up to ABI 3;
// a second layer handles what it cannot: device ioctls (ABI 5, allowed on
// device rules only), the bundle's TCP ports (ABI 4, NetAnnotation), and
// signal and abstract unix socket scoping (ABI 6).
func (p *Prepared) Apply() error {
	if p == nil {
		return fmt.Errorf("apply landlock: not prepared")
	}
	if p.unconfined {
		return nil
	}
	paths := make([]*landlock.Path, 0, len(p.entries))
	for _, e := range p.entries {
		if e.dir {
			paths = append(paths, landlock.Dir(e.Path, e.Mode))
		} else {
			paths = append(paths, landlock.File(e.Path, e.Mode))
		}
	}
	if err := landlock.New(paths...).Lock(landlock.Mandatory); err != nil {
		return fmt.Errorf("lock landlock rules: %w", err)
	}
	if l := p.layer(); !l.empty() {
		if err := l.restrict(); err != nil {
			return err
		}
	}
	return nil
}

// Explain says which rights the prepared rules lack for path, for error
// messages: "landlock: /opt/x/app needs x, granted r". It returns "" when
// the rules grant want (the denial came from elsewhere) or nothing is
// locked. Rights are unioned along the path, as Landlock does.
func Explain(p *Prepared, path string, want string) string {
	w, err := parseMode(want)
	if p == nil || p.unconfined || err != nil {
		return ""
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	got := p.granted(abs)
	// Landlock sees the object, not the name: walk the symlink-free path too.
	if real, err := filepath.EvalSymlinks(abs); err == nil && real != abs {
		got |= p.granted(real)
	}
	if got&w == w {
		return ""
	}
	have := got.String()
	if have == "" {
		have = "nothing"
	}
	return fmt.Sprintf("landlock: %s needs %s, granted %s", abs, (w &^ got).String(), have)
}

func (p *Prepared) granted(path string) modeBits {
	var got modeBits
	for cur, self := path, true; ; cur, self = filepath.Dir(cur), false {
		var st unix.Stat_t
		statErr := unix.Stat(cur, &st)
		for _, e := range p.entries {
			same := e.Path == cur || (statErr == nil && e.dev == st.Dev && e.ino == st.Ino)
			if same && (self || e.dir) {
				got |= e.mode
			}
		}
		if cur == "/" {
			return got
		}
	}
}
