package podman

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	commonssh "github.com/containers/common/pkg/ssh"
	"github.com/pkg/sftp"
	gossh "golang.org/x/crypto/ssh"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// sshLink is one ssh connection to the Podman host, made as podman's own remote client makes it
// (containers/common/pkg/ssh: the identity or ssh-agent, ~/.ssh/known_hosts with trust on first
// use, no host key check for a podman machine). It carries everything between this machine and
// the Podman host for the call:
//
//   - the API: a Unix socket in a private directory here forwards each connection to the Podman
//     socket on the host (a streamlocal channel), and the bindings talk to that socket;
//   - readiness probes: DialContext opens a TCP connection from the host itself (a direct-tcpip
//     channel), so a port published on the host's 127.0.0.1 is reached as a local client there
//     reaches it, without publishing it anywhere else.
type sshLink struct {
	client *gossh.Client
	host   string // user@host:port, for messages
	remote string // the Podman socket on the host
	dir    string // private directory of the forwarded socket
	ln     net.Listener
	wg     sync.WaitGroup
}

// dialSSH connects to the Podman host of an ssh:// destination and starts forwarding its
// Podman socket to a private socket here (localURI).
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

	// The socket must answer on the host before anything is forwarded to it.
	probe, err := link.client.Dial("unix", link.remote)
	if err != nil {
		link.client.Close()
		return nil, d.unavailable(err, fmt.Sprintf("no Podman service answers at %s on %s", link.remote, link.host),
			"start it there (systemctl --user enable --now podman.socket; for root, systemctl enable --now podman.socket), "+
				"or fix the path: "+engine.SSHPathFix)
	}
	probe.Close()

	if link.dir, err = os.MkdirTemp("", "lcp-ssh-"); err != nil {
		link.client.Close()
		return nil, err
	}
	if link.ln, err = net.Listen("unix", filepath.Join(link.dir, "podman.sock")); err != nil {
		link.client.Close()
		os.RemoveAll(link.dir)
		return nil, err
	}
	link.wg.Add(1)
	go link.forward()
	return link, nil
}

// localURI is the forwarded Podman socket, for the bindings.
func (l *sshLink) localURI() string { return "unix://" + filepath.Join(l.dir, "podman.sock") }

// forward serves the local socket: each connection becomes a channel to the Podman socket.
func (l *sshLink) forward() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return
		}
		r, err := l.client.Dial("unix", l.remote)
		if err != nil {
			c.Close()
			continue
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			pipe(c, r)
		}()
	}
}

// pipe copies both ways until either side is done, then closes both.
func pipe(a, b net.Conn) {
	var once sync.Once
	closeBoth := func() { once.Do(func() { a.Close(); b.Close() }) }
	go func() {
		_, _ = io.Copy(b, a)
		closeBoth()
	}()
	_, _ = io.Copy(a, b)
	closeBoth()
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

// close stops forwarding and ends the ssh connection; the channels still open end with it.
func (l *sshLink) close() {
	l.ln.Close()
	l.client.Close()
	l.wg.Wait()
	os.RemoveAll(l.dir)
}

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
