package apiserver

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Config says where and how serve listens.
type Config struct {
	// Listen is unix://PATH (or unix:PATH, or an absolute PATH) for a Unix socket, or host:port
	// for TCP. Empty: the Unix socket at DefaultSocketPath.
	Listen string
	// AllowRemote permits a TCP address that is not loopback.
	AllowRemote bool
	// Insecure permits plaintext TCP, without TLS.
	Insecure bool
	// TLSCert and TLSKey are the server's certificate and key (PEM); ClientCA the CA bundle that
	// client certificates must chain to. TCP without Insecure needs all three.
	TLSCert, TLSKey, ClientCA string
}

// Listener is an open endpoint for the API.
type Listener struct {
	net.Listener
	Network string // "unix" or "tcp"
	Address string // the socket's path, or host:port
	TLS     bool   // mutual TLS
	// ServerOptions carry the transport credentials; pass them to New.
	ServerOptions []grpc.ServerOption
	// Warnings are for the user's eyes (plaintext TCP, a stale socket that was removed).
	Warnings []string
}

// DefaultSocketPath is where serve listens when --listen is not given: /run/liberty-checkpoint
// for root, $XDG_RUNTIME_DIR/liberty-checkpoint for others, else a per-user directory in the
// temporary directory. Each is a directory only its owner can enter.
func DefaultSocketPath() string {
	const name = "api.sock"
	if os.Geteuid() == 0 {
		return filepath.Join("/run/liberty-checkpoint", name)
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		return filepath.Join(d, "liberty-checkpoint", name)
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("liberty-checkpoint-%d", os.Geteuid()), name)
}

// DefaultListen is the --listen default: the Unix socket at DefaultSocketPath.
func DefaultListen() string { return "unix://" + DefaultSocketPath() }

// socketPath returns the socket path that addr names, or "" when addr is a TCP address.
func socketPath(addr string) (string, bool) {
	switch {
	case strings.HasPrefix(addr, "unix://"):
		return strings.TrimPrefix(addr, "unix://"), true
	case strings.HasPrefix(addr, "unix:"):
		return strings.TrimPrefix(addr, "unix:"), true
	case strings.HasPrefix(addr, "/"):
		return addr, true
	}
	return "", false
}

// Listen opens the endpoint c describes. A Unix socket is made usable by its owner only; TCP
// needs mutual TLS unless c.Insecure, and a loopback address unless c.AllowRemote.
func Listen(c Config) (*Listener, error) {
	if c.Listen == "" {
		c.Listen = DefaultListen()
	}
	tlsSet := c.TLSCert != "" || c.TLSKey != "" || c.ClientCA != ""
	if path, ok := socketPath(c.Listen); ok {
		if tlsSet {
			return nil, engine.Invalid("listen", "drop --tls-cert, --tls-key and --client-ca (a Unix socket is guarded by its file permissions and the peer's uid), or listen on TCP",
				"TLS is for TCP listeners, not the Unix socket %s", path)
		}
		return listenUnix(path)
	}
	return listenTCP(c, tlsSet)
}

func listenTCP(c Config, tlsSet bool) (*Listener, error) {
	host, _, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return nil, engine.Invalid("listen", "use unix:///path/to/api.sock, or host:port such as 127.0.0.1:50051 (with TLS)", "%q is neither a Unix socket nor host:port", c.Listen)
	}
	if !c.AllowRemote && !IsLoopback(host) {
		return nil, engine.Invalid("listen",
			"listen on the Unix socket (the default) or 127.0.0.1, or pass --allow-remote if you mean it (with --tls-cert, --tls-key and --client-ca, so that only holders of a client certificate get in)",
			"refusing to listen on %q: it is not a loopback address", c.Listen)
	}
	l := &Listener{Network: "tcp"}
	switch {
	case tlsSet:
		cfg, err := serverTLS(c.TLSCert, c.TLSKey, c.ClientCA)
		if err != nil {
			return nil, err
		}
		l.TLS = true
		l.ServerOptions = []grpc.ServerOption{grpc.Creds(credentials.NewTLS(cfg))}
	case c.Insecure:
		l.Warnings = append(l.Warnings, fmt.Sprintf("WARNING: serving plaintext TCP on %s (--insecure): anyone who can reach the port can build images from the files under serve's root and run containers with CRIU's capabilities; use the Unix socket or mutual TLS", c.Listen))
	default:
		return nil, engine.Invalid("listen",
			"use the Unix socket (the default), give --tls-cert, --tls-key and --client-ca for mutual TLS, or pass --insecure if every user who can reach the port may use the API",
			"refusing plaintext TCP on %q: any local user could call the API", c.Listen)
	}
	nl, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "listen", Message: fmt.Sprintf("cannot listen on %s", c.Listen),
			Err: err, Fix: "pick a free port (port 0 picks one for you)"}
	}
	l.Listener, l.Address = nl, nl.Addr().String()
	return l, nil
}

// IsLoopback reports whether host names only the loopback interface.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
