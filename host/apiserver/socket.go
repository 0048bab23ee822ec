//go:build linux || darwin

package apiserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// listenUnix listens on a Unix socket that only this user can use: its directory (created 0700
// when missing) must belong to this user or root and be writable by nobody else (unless
// sticky), the socket is created 0600, and every connection's peer uid is checked. A socket
// left behind by a serve that was killed is removed first, if it is this user's and nothing
// answers on it.
func listenUnix(path string) (*Listener, error) {
	if !filepath.IsAbs(path) {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, engine.Invalid("listen", "give an absolute socket path: unix:///run/liberty-checkpoint/api.sock", "cannot resolve %q: %v", path, err)
		}
		path = abs
	}
	path = filepath.Clean(path)
	l := &Listener{Network: "unix", Address: path}
	if err := socketDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	note, err := removeStaleSocket(path)
	if err != nil {
		return nil, err
	}
	if note != "" {
		l.Warnings = append(l.Warnings, note)
	}
	// The socket is born 0600: no window in which another user could connect.
	old := syscall.Umask(0o177)
	nl, err := net.Listen("unix", path)
	syscall.Umask(old)
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "listen", Message: "cannot listen on " + path, Err: err,
			Fix: "pick another socket path with --listen unix:///path/to/api.sock"}
	}
	if err := os.Chmod(path, 0o600); err != nil {
		nl.Close()
		return nil, listenError(err, "pick another socket path", "cannot make %s private", path)
	}
	l.Listener = &ownerOnly{Listener: nl, uid: os.Geteuid()}
	return l, nil
}

// socketDir makes sure dir exists and that nobody but its owner (this user or root) can create,
// replace or remove files in it.
func socketDir(dir string) error {
	fix := "use a socket in a directory only you can write to, for example unix://$XDG_RUNTIME_DIR/lcp.sock"
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return listenError(err, fix+" (its parent must exist)", "cannot create the socket's directory %s", dir)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return listenError(err, fix, "cannot read the socket's directory %s", dir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return engine.Errorf(engine.CodeFailedPrecondition, "listen", fix, "%s is not a directory", dir)
	case ok && int(st.Uid) != os.Geteuid() && st.Uid != 0:
		return engine.Errorf(engine.CodeFailedPrecondition, "listen", fix, "the socket's directory %s belongs to uid %d, not to you", dir, st.Uid)
	case fi.Mode().Perm()&0o022 != 0 && fi.Mode()&fs.ModeSticky == 0:
		return engine.Errorf(engine.CodeFailedPrecondition, "listen", fix+", or chmod go-w "+dir,
			"the socket's directory %s is writable by others (mode %v): they could replace the socket", dir, fi.Mode().Perm())
	}
	return nil
}

// removeStaleSocket removes a socket left at path by a serve that was killed (SIGKILL leaves it;
// SIGINT and SIGTERM remove it). It refuses to touch anything else: a file that is not a socket,
// another user's socket, or a socket something answers on.
func removeStaleSocket(path string) (string, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	fix := "pick another socket path with --listen unix:///path/to/api.sock"
	if err != nil {
		return "", listenError(err, fix, "cannot read %s", path)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return "", engine.Errorf(engine.CodeFailedPrecondition, "listen", fix+", or remove the file yourself", "%s exists and is not a socket: not replacing it", path)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return "", engine.Errorf(engine.CodeFailedPrecondition, "listen", fix, "%s is a socket of uid %d, not yours: not replacing it", path, st.Uid)
	}
	c, err := net.DialTimeout("unix", path, 2*time.Second)
	if err == nil {
		c.Close()
		return "", engine.Errorf(engine.CodeFailedPrecondition, "listen", "stop the other serve, or pick another socket path with --listen",
			"another process is serving on %s", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return "", listenError(err, fix, "cannot tell whether %s is in use", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", listenError(err, fix, "cannot remove the stale socket %s", path)
	}
	return fmt.Sprintf("removed the stale socket %s (a serve before this one was killed)", path), nil
}
