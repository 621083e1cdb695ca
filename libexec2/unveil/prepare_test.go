package unveil

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	file, sub := filepath.Join(dir, "file"), filepath.Join(dir, "sub")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	pol := &Policy{AllowUnconfined: true, Rules: []Rule{
		{Path: file, Mode: "rwc", Source: "mount " + file},
		{Path: file, Mode: "x", Source: "executable"},
		{Path: sub, Mode: "c", Source: "annotation"},
		{Path: sub + "/", Mode: "r", Source: "default", Optional: true},
		{Path: filepath.Join(dir, "gone"), Mode: "r", Source: "default", Optional: true},
		{Path: filepath.Join(file, "below-a-file"), Mode: "r", Source: "default", Optional: true},
	}}
	p, err := Prepare(pol)
	if err != nil {
		t.Fatal(err)
	}
	want := []Rule{
		{Path: file, Mode: "rwx", Source: "mount " + file + ", executable"},
		{Path: sub, Mode: "rc", Source: "annotation, default"},
	}
	if got := p.Rules(); !reflect.DeepEqual(got, want) {
		t.Fatalf("rules\n got %+v\nwant %+v", got, want)
	}

	// "c" alone on a file grants nothing: the rule goes.
	p, err = Prepare(&Policy{AllowUnconfined: true, Rules: []Rule{{Path: file, Mode: "c"}}})
	if err != nil || len(p.Rules()) != 0 {
		t.Fatalf("c on a file: %+v, %v", p, err)
	}

	_, err = Prepare(&Policy{AllowUnconfined: true, Rules: []Rule{{Path: "/nonexistent-unveil-test", Mode: "rw", Source: "mount /nonexistent-unveil-test"}}})
	if err == nil || err.Error() != "unveil /nonexistent-unveil-test (mount /nonexistent-unveil-test): no such file or directory" {
		t.Fatalf("missing required path: %v", err)
	}
	if _, err := Prepare(&Policy{Rules: []Rule{{Path: file, Mode: "q"}}, AllowUnconfined: true}); err == nil {
		t.Fatal("bad mode accepted")
	}
}

func TestPrepareWithoutLandlock(t *testing.T) {
	defer func(f func() (int, error)) { detectABI = f }(detectABI)
	detectABI = func() (int, error) { return 0, fmt.Errorf("%w: %w", ErrUnavailable, unix.EOPNOTSUPP) }

	_, err := Prepare(&Policy{})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "allow_unconfined") {
		t.Fatalf("err = %v, want ErrUnavailable naming allow_unconfined", err)
	}
	p, err := Prepare(&Policy{AllowUnconfined: true, Rules: []Rule{{Path: "/", Mode: "r"}}})
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Warnings(); len(w) != 1 || !strings.Contains(w[0], "running unconfined") {
		t.Fatalf("warnings = %q", w)
	}
	// Unconfined: Apply locks nothing (this process stays usable) and
	// Explain blames nothing.
	if err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	if s := Explain(p, "/etc/passwd", "w"); s != "" {
		t.Fatalf("Explain = %q", s)
	}
}

func TestABIWarnings(t *testing.T) {
	for abi, n := range map[int]int{1: 4, 2: 3, 3: 2, 4: 2, 5: 1, 6: 0, 7: 0} {
		if got := abiWarnings(abi); len(got) != n {
			t.Errorf("ABI %d: warnings %q, want %d", abi, got, n)
		}
	}
}

func TestExplain(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	app := filepath.Join(sub, "app")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(app, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(sub, link); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(&Policy{AllowUnconfined: true, Rules: []Rule{{Path: sub, Mode: "r"}, {Path: app, Mode: "w"}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want, out string }{
		{app, "rw", ""},
		{app, "rx", "landlock: " + app + " needs x, granted rw"},
		{filepath.Join(link, "app"), "r", ""},
		{filepath.Join(sub, "other"), "w", "landlock: " + filepath.Join(sub, "other") + " needs w, granted r"},
		{dir, "r", "landlock: " + dir + " needs r, granted nothing"},
		{app, "bogus", ""},
	}
	for _, tt := range tests {
		if got := Explain(p, tt.path, tt.want); got != tt.out {
			t.Errorf("Explain(%s, %s) = %q, want %q", tt.path, tt.want, got, tt.out)
		}
	}
	if Explain(nil, app, "r") != "" {
		t.Error("Explain(nil) blames")
	}
}

const childEnv = "UNVEIL_TEST_CHILD"

// TestApply locks a re-executed copy of the test binary (Landlock cannot
// be undone) and lets it report what it could and could not do.
func TestApply(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		os.Exit(applyChild())
	}
	abi, err := ABI()
	if err != nil {
		t.Skipf("requires landlock: %v", err)
	}
	dir := t.TempDir()
	for _, d := range []string{"ro", "rw", "denied"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, d, "f"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// An abstract socket outside the child's domain, for the scope check.
	sock := fmt.Sprintf("@exec2-unveil-test-%d", os.Getpid())
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	// Two TCP listeners: the child's policy allows connecting to the first.
	var ports []string
	for range 2 {
		tl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer tl.Close()
		ports = append(ports, strconv.Itoa(tl.Addr().(*net.TCPAddr).Port))
	}
	// A device node outside /dev: readable by a directory rule, but no
	// ioctl right comes with it.
	if err := unix.Mknod(filepath.Join(dir, "ro", "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Logf("mknod: %v (the ioctl denial is not checked)", err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestApply$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"="+dir, "UNVEIL_TEST_SOCK="+sock, fmt.Sprintf("UNVEIL_TEST_ABI=%d", abi),
		"UNVEIL_TEST_PORTS="+strings.Join(ports, ","))
	out, err := cmd.CombinedOutput()
	t.Logf("child output:\n%s", out)
	if err != nil {
		t.Fatalf("child: %v", err)
	}
}

// applyChild runs in the re-executed test binary: it locks itself and
// returns its exit status (0 when every check held).
func applyChild() int {
	dir := os.Getenv(childEnv)
	failed := false
	check := func(what string, err, want error) {
		ok := errors.Is(err, want) || (want == nil && err == nil)
		fmt.Fprintf(os.Stderr, "%s: %v (want %v) ok=%v\n", what, err, want, ok)
		failed = failed || !ok
	}
	trueBin, err := filepath.EvalSymlinks("/bin/true")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	execRules, err := ExecRules(trueBin, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	rules := append([]Rule{
		{Path: filepath.Join(dir, "ro"), Mode: "r", Source: "test"},
		{Path: filepath.Join(dir, "rw"), Mode: "rwc", Source: "test"},
		{Path: "/dev/null", Mode: "rw", Source: "test"}, // os/exec opens it for stdin
		{Path: "/usr/lib", Mode: "r", Source: "test"},
		{Path: "/lib", Mode: "r", Source: "test"},
		{Path: "/lib64", Mode: "r", Optional: true, Source: "test"},
		{Path: "/etc/ld.so.cache", Mode: "r", Optional: true, Source: "test"},
	}, execRules...)
	ports := strings.Split(os.Getenv("UNVEIL_TEST_PORTS"), ",")
	tcp, err := ParseTCP("connect:" + ports[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	p, err := Prepare(&Policy{Rules: rules, Net: &NetPolicy{TCP: tcp}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	fmt.Fprintf(os.Stderr, "ABI %d, warnings %q\n", p.ABI(), p.Warnings())
	if err := p.Apply(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}

	_, err = os.ReadFile(filepath.Join(dir, "ro", "f"))
	check("read ro/f", err, nil)
	err = os.WriteFile(filepath.Join(dir, "ro", "f"), nil, 0o644)
	check("write ro/f", err, unix.EACCES)
	_, err = os.ReadFile(filepath.Join(dir, "denied", "f"))
	check("read denied/f", err, unix.EACCES)
	err = os.WriteFile(filepath.Join(dir, "rw", "new"), []byte("y"), 0o644)
	check("create rw/new", err, nil)
	check("remove rw/new", os.Remove(filepath.Join(dir, "rw", "new")), nil)
	_, err = os.ReadFile("/etc/hostname")
	check("read /etc/hostname", err, unix.EACCES)

	// Exec needs rx on the binary and on its ELF interpreter.
	check("exec "+trueBin, exec.Command(trueBin).Run(), nil)
	err = exec.Command("/bin/ls", "/").Run()
	check("exec /bin/ls", err, unix.EACCES)
	if why := Explain(p, "/bin/ls", "rx"); why == "" {
		fmt.Fprintln(os.Stderr, "Explain(/bin/ls) gave nothing")
		failed = true
	} else {
		fmt.Fprintln(os.Stderr, why)
	}

	abi, _ := strconv.Atoi(os.Getenv("UNVEIL_TEST_ABI"))
	// ABI 5: ioctl on a device rule works (ENOTTY: /dev/null is no tty);
	// on a device reached through a directory rule outside /dev it is denied.
	if abi >= ioctlABI {
		check("ioctl /dev/null", ioctlTCGETS("/dev/null"), unix.ENOTTY)
		// Only where it opens: a nodev /tmp refuses the open itself.
		if f, err := os.Open(filepath.Join(dir, "ro", "null")); err == nil {
			f.Close()
			check("ioctl ro/null", ioctlTCGETS(filepath.Join(dir, "ro", "null")), unix.EACCES)
		}
	}
	// ABI 4: TCP connect only to the allowed port, no bind at all.
	if abi >= netABI {
		c, err := net.Dial("tcp", "127.0.0.1:"+ports[0])
		if c != nil {
			c.Close()
		}
		check("connect allowed port", err, nil)
		c, err = net.Dial("tcp", "127.0.0.1:"+ports[1])
		if c != nil {
			c.Close()
		}
		check("connect other port", err, unix.EACCES)
		// The second listener's port is taken: EACCES must come first.
		l, err := net.Listen("tcp", "127.0.0.1:"+ports[1])
		if l != nil {
			l.Close()
		}
		check("bind", err, unix.EACCES)
	}
	// ABI 6 scoping: no signals or abstract sockets outside the domain.
	if abi >= scopeABI {
		check("signal parent", unix.Kill(os.Getppid(), 0), unix.EPERM)
		c, err := net.Dial("unix", os.Getenv("UNVEIL_TEST_SOCK"))
		if c != nil {
			c.Close()
		}
		check("connect abstract socket", err, unix.EPERM)
	}
	if failed {
		return 1
	}
	return 0
}

// ioctlTCGETS opens path and asks for its terminal attributes.
func ioctlTCGETS(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err
}
