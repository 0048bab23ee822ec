package apiserver

import (
	"fmt"
	"net"
	"sync"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// ownerOnly accepts connections from processes of one uid only (SO_PEERCRED), behind the
// socket's file permissions.
type ownerOnly struct {
	net.Listener
	uid int

	mu      sync.Mutex
	refused func(uid int, err error)
}

// OnRefused sets a function told about each connection refused for its peer's uid.
func (l *Listener) OnRefused(f func(uid int, err error)) {
	if o, ok := l.Listener.(*ownerOnly); ok {
		o.mu.Lock()
		o.refused = f
		o.mu.Unlock()
	}
}

func (l *ownerOnly) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uid, err := peerUID(c)
		if err == nil && uid == l.uid {
			return c, nil
		}
		c.Close()
		l.mu.Lock()
		f := l.refused
		l.mu.Unlock()
		if f != nil {
			f(uid, err)
		}
	}
}

// listenError is a failure to set up the listener, caused by err.
func listenError(err error, fix, format string, args ...any) *engine.Error {
	e := engine.Wrap(err, engine.CodeFailedPrecondition, fix, format, args...)
	e.Field = "listen"
	return e
}

// peerUID is the uid of the process at the other end of a Unix socket connection.
func peerUID(c net.Conn) (int, error) {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return -1, fmt.Errorf("not a Unix socket connection")
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return -1, err
	}
	uid, credErr := -1, error(nil)
	if err := raw.Control(func(fd uintptr) { uid, credErr = peerUIDOf(int(fd)) }); err != nil {
		return -1, err
	}
	return uid, credErr
}
