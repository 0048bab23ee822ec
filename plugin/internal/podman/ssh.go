package podman

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	commonssh "github.com/containers/common/pkg/ssh"
	"github.com/containers/podman/v4/pkg/bindings"
	"github.com/pkg/sftp"
	gossh "golang.org/x/crypto/ssh"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// sshLink is one ssh connection to the Podman host, made as podman's own remote client makes it
// (containers/common/pkg/ssh: the identity or ssh-agent, ~/.ssh/known_hosts with trust on first
// use, no host key check for a podman machine). It carries everything between this machine and
// the Podman host for the call, and close ends it all (the bindings' own ssh connection could
// not be closed, which a long-running serve would pay for on every call):
//
//   - the API: each of the bindings' HTTP connections is a channel to the Podman socket on the
//     host (direct-streamlocal), see bindingsOver;
//   - readiness probes: DialContext opens a TCP connection from the host itself (a direct-tcpip
//     channel), so a port published on the host's 127.0.0.1 is reached as a local client there
//     reaches it, without publishing it anywhere else;
//   - files the Podman service reads: upload (sftp).
type sshLink struct {
	client *gossh.Client
	host   string // user@host:port, for messages
	remote string // the Podman socket on the host
}

// dialSSH connects to the Podman host of an ssh:// destination and checks that its Podman socket
// answers.
func dialSSH(ctx context.Context, d destination, sink engine.Sink) (*sshLink, error) {
	u, err := url.Parse(d.URI)
	if err != nil {
		return nil, d.invalid("%q is not a URI", d.URI)
	}
	if u.Path == "" || u.Path == "/" {
		return nil, d.invalid("%q names no Podman socket on the host", d.URI)
	}
	port := 22
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, d.invalid("%q has a bad port", d.URI)
		}
	}
	user := u.User.Username()
	if user == "" {
		return nil, d.invalid("%q names no user: ssh://user@host[:port]/path", d.URI)
	}
	link := &sshLink{host: fmt.Sprintf("%s@%s", user, net.JoinHostPort(u.Hostname(), strconv.Itoa(port))), remote: u.Path}
	if err := d.checkAuth(u); err != nil {
		return nil, err
	}

	type dialed struct {
		c   *gossh.Client
		err error
	}
	done := make(chan dialed, 1)
	go func() {
		c, err := commonssh.Dial(&commonssh.ConnectionDialOptions{Host: d.URI, Identity: d.Identity, User: u.User, Port: port,
			InsecureIsMachineConnection: d.Machine}, commonssh.GolangMode)
		done <- dialed{c, err}
	}()
	select {
	case <-ctx.Done():
		go func() { // the handshake has a timeout of its own (40 s)
			if r := <-done; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	case r := <-done:
		if r.err != nil {
			return nil, d.sshError(r.err, link.host)
		}
		link.client = r.c
	}
	sink.Debugf("ssh: connected to %s (%s)", link.host, d.Origin)

	// The socket must answer on the host: that failure has its own fix.
	probe, err := link.client.Dial("unix", link.remote)
	if err != nil {
		link.client.Close()
		return nil, d.unavailable(err, fmt.Sprintf("no Podman service answers at %s on %s", link.remote, link.host),
			"start it there (systemctl --user enable --now podman.socket; for root, systemctl enable --now podman.socket), "+
				"or fix the path: "+engine.SSHPathFix)
	}
	probe.Close()

	return link, nil
}

// dialAPI opens a channel to the Podman socket on the host.
func (l *sshLink) dialAPI(ctx context.Context) (net.Conn, error) {
	return l.DialContext(ctx, "unix", l.remote)
}

// bindingsOver makes a bindings context whose every request is a channel of the ssh connection
// to the Podman socket. bindings.NewConnection is the only way to make one, and it first pings
// the address it is given; so it is given a loopback listener that answers that one ping with
// the service's own answer (read over ssh just before) and nothing else, and then the
// connection's HTTP client is replaced by one that dials over ssh. The listener is closed
// before this returns; nothing here ever reaches the Podman socket but through ssh.
func (l *sshLink) bindingsOver(ctx context.Context) (context.Context, error) {
	client := &http.Client{Transport: &http.Transport{
		DialContext:        func(ctx context.Context, _, _ string) (net.Conn, error) { return l.dialAPI(ctx) },
		DisableCompression: true,
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://d/_ping", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the Podman service at %s answered its ping with HTTP %d", l.remote, resp.StatusCode)
	}
	apiVersion := resp.Header.Get("Libpod-API-Version")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ping := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/_ping") { // the bindings ask /v<version>/libpod/_ping
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Libpod-API-Version", apiVersion)
		w.WriteHeader(http.StatusOK)
	})}
	go func() { _ = ping.Serve(ln) }()
	bctx, err := bindings.NewConnection(ctx, "tcp://"+ln.Addr().String())
	ping.Close()
	if err != nil {
		return nil, err
	}
	bc, err := bindings.GetClient(bctx)
	if err != nil {
		return nil, err
	}
	bc.Client = client
	return bctx, nil
}

// DialContext opens a TCP connection to addr as seen from the Podman host.
func (l *sshLink) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	type dialed struct {
		c   net.Conn
		err error
	}
	done := make(chan dialed, 1)
	go func() {
		c, err := l.client.Dial(network, addr)
		done <- dialed{c, err}
	}()
	select {
	case <-ctx.Done():
		go func() {
			if r := <-done; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, ctx.Err()
	case r := <-done:
		return r.c, r.err
	}
}

// upload copies a file of this machine into a new private directory on the Podman host (sftp)
// and returns its path there and the directory, which the caller removes (removeDir).
func (l *sshLink) upload(local string) (remote, dir string, err error) {
	data, err := os.ReadFile(local)
	if err != nil {
		return "", "", err
	}
	sc, err := sftp.NewClient(l.client)
	if err != nil {
		return "", "", fmt.Errorf("sftp to %s: %w", l.host, err)
	}
	defer sc.Close()
	dir = "/tmp/lcp-file-" + randomSuffix()
	if err := sc.Mkdir(dir); err != nil {
		return "", "", fmt.Errorf("create %s on %s: %w", dir, l.host, err)
	}
	if err := sc.Chmod(dir, 0o700); err != nil {
		_ = sc.RemoveDirectory(dir)
		return "", "", err
	}
	remote = dir + "/" + filepath.Base(local)
	f, err := sc.Create(remote)
	if err == nil {
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		_ = sc.RemoveAll(dir)
		return "", "", fmt.Errorf("copy %s to %s:%s: %w", local, l.host, remote, err)
	}
	return remote, dir, nil
}

// removeDir removes a directory upload made on the Podman host.
func (l *sshLink) removeDir(dir string) error {
	sc, err := sftp.NewClient(l.client)
	if err != nil {
		return err
	}
	defer sc.Close()
	return sc.RemoveAll(dir)
}

// close ends the ssh connection; the channels still open end with it.
func (l *sshLink) close() { l.client.Close() }

// checkAuth fails early, and says what to do, where podman's client would ask for a passphrase
// or a password on a terminal the plugin does not have.
func (d destination) checkAuth(u *url.URL) error {
	if _, set := u.User.Password(); set {
		return nil
	}
	if d.Identity == "" {
		if os.Getenv("SSH_AUTH_SOCK") == "" {
			return d.missing("no ssh key for %s: neither an identity (--identity, $CONTAINER_SSHKEY, the connection's identity) nor ssh-agent ($SSH_AUTH_SOCK)", d.URI)
		}
		return nil
	}
	key, err := os.ReadFile(d.Identity)
	if err != nil {
		return d.missing("cannot read the ssh key %s: %v", d.Identity, err)
	}
	if _, err := gossh.ParsePrivateKey(key); err != nil {
		var pass *gossh.PassphraseMissingError
		if errors.As(err, &pass) {
			return d.missing("the ssh key %s is protected by a passphrase, which the tool cannot ask for", d.Identity)
		}
		return d.missing("%s is not an ssh private key: %v", d.Identity, err)
	}
	return nil
}

// keyField is the setting an identity came from, when the user gave it.
func (d destination) keyField() string {
	if d.Origin == "connection.uri" || d.Origin == "" {
		return "connection.identity"
	}
	return ""
}

func (d destination) missing(format string, args ...any) error {
	fix := "point --identity (or $CONTAINER_SSHKEY) at the private key whose public key is in the host's ~/.ssh/authorized_keys, " +
		"or load a key without a passphrase into ssh-agent (ssh-add) and leave --identity unset"
	if d.Machine {
		fix = "the key of podman machine " + d.machineName() + " is the identity podman system connection list shows; " +
			"podman machine rm and podman machine init make a new one"
	}
	e := engine.Errorf(engine.CodeFailedPrecondition, d.keyField(), fix, format, args...)
	return e
}

func (d destination) invalid(format string, args ...any) error {
	field := ""
	if d.Origin == "connection.uri" {
		field = "connection.uri"
	}
	return engine.Errorf(engine.CodeInvalidArgument, field, engine.SSHPathFix, format, args...)
}

// unavailable is a Podman host that cannot be reached, said with the connection it came from.
func (d destination) unavailable(err error, what, fix string) error {
	e := engine.Wrap(err, engine.CodeUnavailable, fix, "%s (%s)", what, d.Origin)
	if d.Origin == "connection.uri" {
		e.Field = "connection.uri"
	}
	return e
}

// sshError explains a failed ssh connection: what is missing and how to get it.
func (d destination) sshError(err error, host string) error {
	msg := err.Error()
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "connection refused"):
		if d.Machine {
			return d.unavailable(err, fmt.Sprintf("podman machine %s is not running (nothing answers at %s)", d.machineName(), host),
				"start it: podman machine start "+d.machineName())
		}
		return d.unavailable(err, "nothing answers at "+host,
			"start sshd on the Podman host, or fix the host and port in the URI (podman system connection list shows the configured ones)")
	case strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "no supported methods remain"):
		return d.unavailable(err, fmt.Sprintf("%s refused the ssh key", host),
			"add the public key to ~/.ssh/authorized_keys of that user on the host (ssh-copy-id -i KEY.pub user@host), or point --identity at the key it knows")
	case strings.Contains(msg, "knownhosts: key mismatch") || strings.Contains(msg, "key mismatch"):
		return d.unavailable(err, fmt.Sprintf("the host key of %s is not the one ~/.ssh/known_hosts records", host),
			"if the host was reinstalled, remove its old key: ssh-keygen -R '[host]:port'; otherwise do not connect")
	case strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "handshake failed: EOF"):
		return d.unavailable(err, host+" does not answer", "check that the host is up and its ssh port reachable from here")
	}
	return d.unavailable(err, "cannot connect to "+host+" over ssh", "check the URI and the key; ssh -i KEY -p PORT user@host shows the same")
}
