package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ttyProxy is run's own console socket: a socketpair whose remote end the
// init sends the pty master to, and the copy loops between our stdio and
// that master.
type ttyProxy struct {
	local, remote *os.File
	master        *os.File
	saved         *unix.Termios
	out           sync.WaitGroup
}

func newTTYProxy() (*ttyProxy, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("create console socketpair: %w", err)
	}
	return &ttyProxy{local: os.NewFile(uintptr(fds[0]), "console"), remote: os.NewFile(uintptr(fds[1]), "console-remote")}, nil
}

// Attach receives the master, puts our terminal in raw mode and starts
// copying.
func (t *ttyProxy) Attach() error {
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(int(t.local.Fd()), buf, oob, 0)
	if err != nil {
		return fmt.Errorf("receive pty master: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return fmt.Errorf("receive pty master: bad control message")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return fmt.Errorf("receive pty master: bad rights")
	}
	t.master = os.NewFile(uintptr(fds[0]), "pty-master")
	if tio, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
		t.saved = tio
		raw := *tio
		raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
		raw.Oflag &^= unix.OPOST
		raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		raw.Cflag &^= unix.CSIZE | unix.PARENB
		raw.Cflag |= unix.CS8
		unix.IoctlSetTermios(0, unix.TCSETS, &raw)
		t.Resize()
	}
	go io.Copy(t.master, os.Stdin)
	t.out.Add(1)
	go func() {
		defer t.out.Done()
		io.Copy(os.Stdout, t.master)
	}()
	return nil
}

// Resize copies our terminal's size to the container's.
func (t *ttyProxy) Resize() {
	if ws, err := unix.IoctlGetWinsize(0, unix.TIOCGWINSZ); err == nil && t.master != nil {
		unix.IoctlSetWinsize(int(t.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// Drain waits briefly for the program's last output.
func (t *ttyProxy) Drain() {
	done := make(chan struct{})
	go func() { t.out.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(500 * time.Millisecond):
	}
}

func (t *ttyProxy) Close() {
	if t.saved != nil {
		unix.IoctlSetTermios(0, unix.TCSETS, t.saved)
	}
	t.local.Close()
	if t.master != nil {
		t.master.Close()
	}
}
