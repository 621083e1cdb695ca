// Command escape is the bats escape suite's attacker: it runs inside a
// container and tries things Landlock must refuse (and their allowed
// counterparts), printing one line per attempt: "OP ARG: ok" or
// "OP ARG: ERRNO" (EACCES, EPERM, EROFS ...). It exits 1 when any attempt
// failed, 2 on a usage error. Ops run in order, each with one argument:
//
//	escape read /etc/shadow list /root
//	escape chroot-escape x stat /etc/shadow read /etc/shadow
//
// "listen @name" and "tcp-listen 127.0.0.1:0" are the host side of the
// socket tests: they listen, print "listening" (and the address), and
// accept until killed.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func main() {
	args := os.Args[1:]
	if len(args) == 0 || len(args)%2 != 0 {
		fmt.Fprintln(os.Stderr, "usage: escape OP ARG [OP ARG]...")
		os.Exit(2)
	}
	code := 0
	for i := 0; i < len(args); i += 2 {
		op, arg := args[i], args[i+1]
		f, ok := ops[op]
		if !ok {
			fmt.Fprintf(os.Stderr, "escape: unknown op %q\n", op)
			os.Exit(2)
		}
		err := f(arg)
		fmt.Printf("%s %s: %s\n", op, arg, result(err))
		if err != nil {
			code = 1
		}
	}
	os.Exit(code)
}

var ops = map[string]func(string) error{
	"read": func(p string) error {
		_, err := os.ReadFile(p)
		return err
	},
	"list": func(p string) error {
		_, err := os.ReadDir(p)
		return err
	},
	// read-found reads the first regular file of a colon-separated list
	// (stat is not restricted, so it finds files it may not read).
	"read-found": func(list string) error {
		for _, p := range strings.Split(list, ":") {
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				_, err := os.ReadFile(p)
				return err
			}
		}
		return unix.ENOENT
	},
	"stat": func(p string) error {
		_, err := os.Stat(p)
		return err
	},
	"create": func(p string) error {
		fd, err := unix.Open(p, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
		if err == nil {
			unix.Close(fd)
		}
		return err
	},
	"openw": func(p string) error {
		fd, err := unix.Open(p, unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
		}
		return err
	},
	"copy": func(p string) error { // copy this program to p, mode 0755
		data, err := os.ReadFile("/proc/self/exe")
		if err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o755)
	},
	"exec": func(p string) error {
		return exec.Command(p, "stat", "/").Run()
	},
	"kill": func(pid string) error {
		n, err := strconv.Atoi(pid)
		if err != nil {
			return err
		}
		return unix.Kill(n, unix.SIGTERM)
	},
	"connect": func(name string) error {
		c, err := net.Dial("unix", name)
		if err == nil {
			c.Close()
		}
		return err
	},
	"selfconnect": func(name string) error {
		l, err := net.Listen("unix", name)
		if err != nil {
			return err
		}
		defer l.Close()
		c, err := net.Dial("unix", name)
		if err == nil {
			c.Close()
		}
		return err
	},
	"listen": listen,
	"tcp-connect": func(addr string) error {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	},
	"tcp-bind": func(addr string) error {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			l.Close()
		}
		return err
	},
	"tcp-listen": tcpListen,
	// ioctl asks a file for its terminal attributes (TCGETS): ENOTTY on a
	// device that is no terminal, EACCES when Landlock refuses the ioctl.
	"ioctl": func(p string) error {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		_, err = unix.IoctlGetTermios(fd, unix.TCGETS)
		return err
	},
	"ioctl-fd": func(fd string) error {
		n, err := strconv.Atoi(fd)
		if err != nil {
			return err
		}
		_, err = unix.IoctlGetWinsize(n, unix.TIOCGWINSZ)
		return err
	},
	// chroot-escape: the classic escape of a root process from a chroot,
	// which works whenever the process may chroot: chroot into a
	// subdirectory, climb out of it with "..", chroot to where that lands.
	"chroot-escape": func(dir string) error {
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
		if err := unix.Chroot(dir); err != nil {
			return err
		}
		for range 64 {
			if err := unix.Chdir(".."); err != nil {
				return err
			}
		}
		return unix.Chroot(".")
	},
}

func listen(name string) error {
	l, err := net.Listen("unix", name)
	if err != nil {
		return err
	}
	fmt.Println("listening")
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		c.Close()
	}
}

// tcpListen prints the address it listens on and accepts until killed.
func tcpListen(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("listening", l.Addr())
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		c.Close()
	}
}

// result names the errno so tests match "EACCES", not a locale's message.
func result(err error) string {
	if err == nil {
		return "ok"
	}
	var errno unix.Errno
	if errors.As(err, &errno) {
		return unix.ErrnoName(errno)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "exit " + strconv.Itoa(ee.ExitCode())
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
