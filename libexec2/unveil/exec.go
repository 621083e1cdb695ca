package unveil

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxExecDepth bounds the interpreter chain; the kernel itself gives up
// after a few levels of #! (ELOOP).
const maxExecDepth = 6

// shebangMax is how much of a script the kernel reads for its #! line.
const shebangMax = 256

// ExecRules returns rx rules for the resolved executable exe (as seen by
// the process), its ELF interpreter (PT_INTERP) and its #! interpreter
// chain, recursively, including the program /usr/bin/env runs for
// "#!/usr/bin/env prog", looked up in pathEnv. Execution needs read and
// execute rights on each of them; shared libraries only need read, which
// unveil_defaults grants.
func ExecRules(exe string, pathEnv string) ([]Rule, error) {
	w := execWalk{pathEnv: pathEnv, seen: map[string]bool{}}
	if err := w.visit(exe, "executable", 0); err != nil {
		return nil, err
	}
	return w.rules, nil
}

type execWalk struct {
	pathEnv string
	seen    map[string]bool
	rules   []Rule
}

func (w *execWalk) visit(path, source string, depth int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("resolve %s (%s): %w", path, source, err)
	}
	if w.seen[abs] {
		return nil
	}
	if depth >= maxExecDepth {
		return fmt.Errorf("%s (%s): interpreter chain deeper than %d", abs, source, maxExecDepth)
	}
	w.seen[abs] = true
	w.rules = append(w.rules, Rule{Path: abs, Mode: "rx", Source: source})
	f, err := os.Open(abs)
	if err != nil {
		return fmt.Errorf("open %s (%s): %w", abs, source, bare(err))
	}
	defer f.Close()
	head := make([]byte, shebangMax)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return fmt.Errorf("read %s (%s): %w", abs, source, err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("#!")):
		return w.script(abs, head, depth)
	case bytes.HasPrefix(head, []byte(elf.ELFMAG)):
		return w.elf(abs, f, depth)
	}
	// Anything else is binfmt_misc's business or ENOEXEC: the file's own
	// rule is all we can add.
	return nil
}

func (w *execWalk) script(path string, head []byte, depth int) error {
	interp, arg := parseShebang(head)
	if interp == "" {
		return nil // the kernel refuses it with ENOEXEC
	}
	if err := w.visit(interp, "interpreter of "+path, depth+1); err != nil {
		return err
	}
	if filepath.Base(interp) != "env" {
		return nil
	}
	prog := envProgram(arg)
	if prog == "" {
		return nil
	}
	// A program env cannot find is env's error to report, at exec time.
	if target := lookPath(prog, w.pathEnv); target != "" {
		return w.visit(target, "env target of "+path, depth+1)
	}
	return nil
}

func (w *execWalk) elf(path string, f *os.File, depth int) error {
	ef, err := elf.NewFile(f)
	if err != nil {
		return fmt.Errorf("read ELF %s: %w", path, err)
	}
	for _, p := range ef.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		data, err := io.ReadAll(p.Open())
		if err != nil {
			return fmt.Errorf("read PT_INTERP of %s: %w", path, err)
		}
		interp := strings.TrimRight(string(data), "\x00")
		if interp == "" {
			return nil
		}
		return w.visit(interp, "ELF interpreter of "+path, depth+1)
	}
	return nil
}

// bare drops the *fs.PathError wrapper, whose path the caller already
// names.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// parseShebang splits a #! line as the kernel does: the interpreter, then
// everything after it (trimmed) as one argument.
func parseShebang(head []byte) (interp, arg string) {
	line := head[2:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	s := strings.TrimLeft(string(line), " \t")
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], strings.Trim(s[i+1:], " \t")
	}
	return s, ""
}

// envProgram finds the program in env's argument: "prog", or with -S the
// first word that is neither an option nor a NAME=value assignment.
func envProgram(arg string) string {
	fields := strings.Fields(arg)
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		switch {
		case f == "-u" || f == "--unset" || f == "-C" || f == "--chdir":
			i++ // these take a value
		case strings.HasPrefix(f, "-"):
		case strings.Contains(f, "="):
		default:
			return f
		}
	}
	return ""
}

// lookPath searches pathEnv like execvp: names with a slash are taken as
// they are, others must be an executable regular file in a PATH entry.
func lookPath(prog, pathEnv string) string {
	if strings.Contains(prog, "/") {
		return prog
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, prog)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p
		}
	}
	return ""
}
