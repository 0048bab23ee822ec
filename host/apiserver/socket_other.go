//go:build !linux && !darwin

package apiserver

import (
	"errors"
	"runtime"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// listenUnix is not available here: the owner-only socket rests on file modes and the peer's
// uid (SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS), which this system does not give.
func listenUnix(path string) (*Listener, error) {
	return nil, engine.Errorf(engine.CodeFailedPrecondition, "listen",
		"listen on TCP with mutual TLS instead: --listen 127.0.0.1:50051 --tls-cert server.pem --tls-key server-key.pem --client-ca ca.pem",
		"serve's owner-only Unix socket (%s) is not available on %s: it needs the peer's uid, which only Linux and macOS report", path, runtime.GOOS)
}

func peerUIDOf(int) (int, error) {
	return -1, errors.New("peer credentials are not available on " + runtime.GOOS)
}
