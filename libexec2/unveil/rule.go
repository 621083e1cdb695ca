// Package unveil turns an OCI bundle into Landlock rules ("unveil" entries
// in go-landlock's "mode:path" vocabulary) and locks the init stage with
// them. Translate is pure; ExecRules, Prepare and Apply touch the kernel.
package unveil

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Rule is one unveil entry in go-landlock's vocabulary: Mode is a non-empty
// subset of "rwxc".
type Rule struct {
	Path     string `json:"path"`
	Mode     string `json:"mode"`
	Optional bool   `json:"optional,omitempty"` // skipped when the path does not exist (defaults)
	Source   string `json:"source,omitempty"`   // why it exists: "mount /data", "default", "executable", "annotation" ...
}

func (r Rule) String() string { return r.Mode + ":" + r.Path }

// modeBits is a mode as a bit set, so union and subtraction are exact.
type modeBits uint8

const (
	modeR modeBits = 1 << iota
	modeW
	modeX
	modeC
)

const modeLetters = "rwxc"

func parseMode(s string) (modeBits, error) {
	if s == "" {
		return 0, fmt.Errorf("mode: empty (want a subset of %q)", modeLetters)
	}
	var m modeBits
	for _, c := range s {
		i := strings.IndexRune(modeLetters, c)
		if i < 0 {
			return 0, fmt.Errorf("mode %q: unknown right %q (want a subset of %q)", s, c, modeLetters)
		}
		m |= 1 << i
	}
	return m, nil
}

// String writes the rights in the canonical order "rwxc".
func (m modeBits) String() string {
	var b strings.Builder
	for i := range modeLetters {
		if m&(1<<i) != 0 {
			b.WriteByte(modeLetters[i])
		}
	}
	return b.String()
}

// mustMode is for modes written in this package's tables.
func mustMode(s string) modeBits {
	m, err := parseMode(s)
	if err != nil {
		panic(err)
	}
	return m
}

// ParseEntry parses "mode:path" (mode ⊆ rwxc, path absolute). It splits on
// the first ':' so paths may contain ':'. The mode comes back canonical
// ("xr" -> "rx") and the path cleaned.
func ParseEntry(s string) (Rule, error) {
	mode, path, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Rule{}, fmt.Errorf("unveil entry %q: want mode:path", s)
	}
	m, err := parseMode(mode)
	if err != nil {
		return Rule{}, fmt.Errorf("unveil entry %q: %w", s, err)
	}
	if !filepath.IsAbs(path) {
		return Rule{}, fmt.Errorf("unveil entry %q: path %q must be absolute", s, path)
	}
	return Rule{Path: filepath.Clean(path), Mode: m.String()}, nil
}

// checkRule validates a rule that did not come through ParseEntry.
func checkRule(r Rule) (modeBits, error) {
	m, err := parseMode(r.Mode)
	if err != nil {
		return 0, fmt.Errorf("unveil %s (%s): %w", r.Path, r.Source, err)
	}
	if !filepath.IsAbs(r.Path) {
		return 0, fmt.Errorf("unveil %q (%s): path must be absolute", r.Path, r.Source)
	}
	return m, nil
}

// Merge returns one rule per path with the modes unioned, sorted by path.
// A path is optional only if every rule for it is; sources are joined.
// go-landlock keeps the first rule per path string, so rules must be merged
// before they reach it.
func Merge(rules []Rule) ([]Rule, error) {
	type acc struct {
		mode     modeBits
		optional bool
		sources  []string
	}
	byPath := map[string]*acc{}
	for _, r := range rules {
		m, err := checkRule(r)
		if err != nil {
			return nil, err
		}
		p := filepath.Clean(r.Path)
		a := byPath[p]
		if a == nil {
			a = &acc{optional: true}
			byPath[p] = a
		}
		a.mode |= m
		a.optional = a.optional && r.Optional
		if r.Source != "" && !contains(a.sources, r.Source) {
			a.sources = append(a.sources, r.Source)
		}
	}
	out := make([]Rule, 0, len(byPath))
	for p, a := range byPath {
		out = append(out, Rule{Path: p, Mode: a.mode.String(), Optional: a.optional, Source: strings.Join(a.sources, ", ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isBeneath reports whether path lies strictly under dir.
func isBeneath(path, dir string) bool {
	if dir == "/" {
		return path != "/"
	}
	return strings.HasPrefix(path, dir+"/")
}
