// Command recvtty is a test helper for the bats suites. It plays the part of
// a console-socket client (containerd's shim, conmon): it listens on a unix
// socket, accepts one connection from `exec2-oci create --console-socket`,
// receives the pty master passed with SCM_RIGHTS and copies what it reads
// from the master to stdout until the container side of the pty closes.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

func main() {
	nameFile := flag.String("name-file", "", "write the message payload (the master's name) to this file")
	timeout := flag.Duration("timeout", time.Minute, "give up after this long")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: recvtty [-name-file FILE] [-timeout DURATION] SOCKET")
		os.Exit(2)
	}
	// A runtime that never connects or never closes the pty must not hang the suite.
	time.AfterFunc(*timeout, func() {
		fmt.Fprintln(os.Stderr, "recvtty: timed out")
		os.Exit(3)
	})
	if err := run(flag.Arg(0), *nameFile); err != nil {
		fmt.Fprintf(os.Stderr, "recvtty: %v\n", err)
		os.Exit(1)
	}
}

func run(path, nameFile string) error {
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return fmt.Errorf("listen %s: %w", path, err)
	}
	defer ln.Close()
	conn, err := ln.AcceptUnix()
	if err != nil {
		return fmt.Errorf("accept %s: %w", path, err)
	}
	master, name, err := receiveMaster(conn)
	conn.Close()
	if err != nil {
		return err
	}
	defer master.Close()
	if nameFile != "" {
		if err := os.WriteFile(nameFile, name, 0o644); err != nil {
			return fmt.Errorf("write name file: %w", err)
		}
	}
	return copyOut(master)
}

// receiveMaster reads one message and insists on exactly one fd, as go-runc
// and conmon do.
func receiveMaster(conn *net.UnixConn) (*os.File, []byte, error) {
	buf := make([]byte, 4096)
	oob := make([]byte, syscall.CmsgSpace(4))
	n, oobn, _, _, err := conn.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, nil, fmt.Errorf("read console message: %w", err)
	}
	if oobn != len(oob) {
		return nil, nil, fmt.Errorf("read console message: %d bytes of control data, want %d", oobn, len(oob))
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, nil, fmt.Errorf("parse control message: %w", err)
	}
	if len(msgs) != 1 {
		return nil, nil, fmt.Errorf("parse control message: %d messages, want 1", len(msgs))
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil {
		return nil, nil, fmt.Errorf("parse unix rights: %w", err)
	}
	if len(fds) != 1 {
		return nil, nil, fmt.Errorf("parse unix rights: %d fds, want 1", len(fds))
	}
	return os.NewFile(uintptr(fds[0]), "pty-master"), buf[:n], nil
}

// copyOut copies the pty to stdout; EIO on the master means the last holder
// of the slave went away, which is the normal end.
func copyOut(master *os.File) error {
	buf := make([]byte, 4096)
	for {
		n, err := master.Read(buf)
		if n > 0 {
			if _, werr := os.Stdout.Write(buf[:n]); werr != nil {
				return fmt.Errorf("write stdout: %w", werr)
			}
		}
		if err != nil {
			if errors.Is(err, syscall.EIO) || errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read pty master: %w", err)
		}
	}
}
