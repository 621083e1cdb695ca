package unveil

import (
	"fmt"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Annotation lets a bundle add "mode:path" entries (comma or newline
// separated) when the runtime config sets unveil_by_task.
const Annotation = "org.exec2.unveil"

// MountPolicy is how a mount that Landlock cannot express is handled.
type MountPolicy string

const (
	// PolicyDefault skips engine-generated files and per-container scratch
	// directories with a warning (see defaultSkip) and refuses the rest.
	PolicyDefault MountPolicy = ""
	// PolicyError refuses every such mount with an error naming it.
	PolicyError MountPolicy = "error"
	// PolicySkip skips every such mount with a warning.
	PolicySkip MountPolicy = "skip"
)

// Valid reports whether p is one of the known policies.
func (p MountPolicy) Valid() bool {
	return p == PolicyDefault || p == PolicyError || p == PolicySkip
}

// Options carries the runtime-wide settings Translate needs beyond the spec.
type Options struct {
	HostRoot bool        // root.path is "/" (host-root mode) vs chroot mode
	Defaults bool        // unveil_defaults
	Paths    []string    // unveil_paths: "mode:path" entries granted to every container
	ByTask   bool        // unveil_by_task: the bundle annotation org.exec2.unveil may add rules
	Policy   MountPolicy // for mounts Landlock cannot express
	Terminal bool        // process.terminal: add /dev/pts, /dev/ptmx, /dev/tty
	// AllowUnconfined lets Prepare/Apply run the container without Landlock
	// on a kernel that lacks it (rtconfig allow_unconfined).
	AllowUnconfined bool
}

// Policy is the translated confinement, carried to the init stage as JSON.
type Policy struct {
	Rules    []Rule   `json:"rules"`    // merged: one rule per path, modes unioned, sorted by path
	Warnings []string `json:"warnings"` // handled degradations (skipped mounts, unenforceable masks...)
	// AllowUnconfined is copied from Options for Prepare and Apply.
	AllowUnconfined bool `json:"allowUnconfined,omitempty"`
	// Net, from NetAnnotation, restricts TCP bind and connect; nil leaves
	// TCP alone.
	Net *NetPolicy `json:"net,omitempty"`
}

// Translate is pure (no file system access): spec in, rules and warnings
// out, or an error naming the offending mount, annotation or entry. In
// chroot mode rules are container paths (applied after chroot).
func Translate(spec *specs.Spec, opts Options) (*Policy, error) {
	if spec == nil {
		return nil, fmt.Errorf("translate unveil rules: no spec")
	}
	if !opts.Policy.Valid() {
		return nil, fmt.Errorf("mount_policy %q: unknown (want %q or %q)", opts.Policy, PolicyError, PolicySkip)
	}
	t := &translation{opts: opts}
	if !opts.HostRoot {
		t.rootfs(spec.Root)
	}
	for i, m := range spec.Mounts {
		var err error
		if opts.HostRoot {
			err = t.hostMount(i, m)
		} else {
			t.chrootMount(m)
		}
		if err != nil {
			return nil, err
		}
	}
	if spec.Linux != nil {
		for _, d := range spec.Linux.Devices {
			t.add(d.Path, "rw", false, "device "+d.Path)
		}
	}
	if opts.Terminal {
		t.rules = append(t.rules, terminalRules...)
	}
	if opts.Defaults {
		t.rules = append(t.rules, DefaultRules()...)
	}
	for _, e := range opts.Paths {
		r, err := ParseEntry(e)
		if err != nil {
			return nil, fmt.Errorf("unveil_paths: %w", err)
		}
		r.Source = "unveil_paths"
		t.rules = append(t.rules, r)
	}
	if err := t.annotation(spec.Annotations); err != nil {
		return nil, err
	}
	netPol, err := netAnnotation(spec.Annotations)
	if err != nil {
		return nil, err
	}
	rules, err := Merge(t.rules)
	if err != nil {
		return nil, err
	}
	if opts.HostRoot && spec.Linux != nil {
		// In chroot mode the init enforces these with mounts; in host-root
		// mode only Landlock is left, and it can only grant.
		rules = t.masked(rules, spec.Linux.MaskedPaths)
		rules = t.readonly(rules, spec.Linux.ReadonlyPaths)
	}
	warnings := t.warnings
	if warnings == nil {
		warnings = []string{}
	}
	return &Policy{Rules: rules, Warnings: warnings, AllowUnconfined: opts.AllowUnconfined, Net: netPol}, nil
}

type translation struct {
	opts     Options
	rules    []Rule
	warnings []string
}

func (t *translation) add(path, mode string, optional bool, source string) {
	t.rules = append(t.rules, Rule{Path: filepath.Clean(path), Mode: mode, Optional: optional, Source: source})
}

func (t *translation) warn(format string, args ...any) {
	t.warnings = append(t.warnings, fmt.Sprintf(format, args...))
}

// rootfs grants the chroot's root: a root process that escapes the chroot
// still reaches nothing outside it.
func (t *translation) rootfs(root *specs.Root) {
	mode := "rwxc"
	if root != nil && root.Readonly {
		mode = "rx"
	}
	t.add("/", mode, false, "rootfs")
}

func (t *translation) annotation(ann map[string]string) error {
	v, ok := ann[Annotation]
	if !ok {
		return nil
	}
	if !t.opts.ByTask {
		return fmt.Errorf("annotation %s: unveil_by_task is disabled in the runtime config", Annotation)
	}
	for _, e := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' }) {
		if strings.TrimSpace(e) == "" {
			continue
		}
		r, err := ParseEntry(e)
		if err != nil {
			return fmt.Errorf("annotation %s: %w", Annotation, err)
		}
		r.Source = "annotation"
		t.rules = append(t.rules, r)
	}
	return nil
}

// masked removes rules on masked paths and reports masked paths that a
// granted directory still exposes, grouped by that directory.
func (t *translation) masked(rules []Rule, paths []string) []Rule {
	exposed := map[string][]string{}
	var order []string
	for _, p := range paths {
		p = filepath.Clean(p)
		rules = dropPath(rules, p)
		if a, ok := nearestAncestor(rules, p, modeR|modeW|modeX|modeC); ok {
			key := a.Path + " (" + a.Mode + ")"
			if _, seen := exposed[key]; !seen {
				order = append(order, key)
			}
			exposed[key] = append(exposed[key], p)
		}
	}
	for _, key := range order {
		t.warn("linux.maskedPaths %s: not enforced, %s grants access beneath (Landlock can only grant)",
			strings.Join(exposed[key], ", "), key)
	}
	return rules
}

// readonly strips w and c from rules on read-only paths and reports those a
// parent directory still grants write or create access to.
func (t *translation) readonly(rules []Rule, paths []string) []Rule {
	for _, p := range paths {
		p = filepath.Clean(p)
		for i := 0; i < len(rules); i++ {
			if rules[i].Path != p {
				continue
			}
			m := mustMode(rules[i].Mode) &^ (modeW | modeC)
			if m == 0 {
				rules = append(rules[:i], rules[i+1:]...)
				break
			}
			rules[i].Mode = m.String()
		}
		if a, ok := nearestAncestor(rules, p, modeW|modeC); ok {
			t.warn("linux.readonlyPaths %s: not enforced, %s is granted %s beneath (Landlock can only grant)", p, a.Path, a.Mode)
		}
	}
	return rules
}

func dropPath(rules []Rule, p string) []Rule {
	out := rules[:0]
	for _, r := range rules {
		if r.Path != p {
			out = append(out, r)
		}
	}
	return out
}

// nearestAncestor finds the closest rule strictly above p whose mode
// intersects want.
func nearestAncestor(rules []Rule, p string, want modeBits) (Rule, bool) {
	var best Rule
	found := false
	for _, r := range rules {
		if !isBeneath(p, r.Path) || mustMode(r.Mode)&want == 0 {
			continue
		}
		if !found || len(r.Path) > len(best.Path) {
			best, found = r, true
		}
	}
	return best, found
}
