package podman

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/containers/podman/v4/pkg/bindings"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/podmanservice"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// DefaultRootfulSocket is where a rootful Podman service listens (podman.socket).
const DefaultRootfulSocket = "unix:///run/podman/podman.sock"

const (
	// transientStartTimeout bounds how long a transient service may take to answer.
	transientStartTimeout = 30 * time.Second
	// transientStopTimeout is how long a transient service gets to exit after SIGTERM.
	transientStopTimeout = 10 * time.Second
)

// conn is a connection to a Podman service for the duration of one call.
type conn struct {
	// ctx carries the bindings connection; every bindings call takes it.
	ctx context.Context
	// uri is the service's address as it was named.
	uri string
	// local is true when the service runs on this machine: then host files such as /proc/cpuinfo
	// describe the Podman host and published ports are on 127.0.0.1 here. Never on macOS or
	// Windows, where Podman's containers run in a Linux VM or on another machine.
	local bool
	// host is the Podman host's name for tcp:// and ssh:// connections.
	host string
	// dest is the service the call was told to use (nil: found at a default socket or started).
	dest *destination
	// ssh carries the API and the readiness probes of an ssh:// connection.
	ssh       *sshLink
	transient *transientService
}

func defaultSockets() []string {
	return defaultSocketsFor(os.Geteuid(), os.Getuid(), os.Getenv("XDG_RUNTIME_DIR"))
}

// defaultSocketsFor: root's service socket, or a rootless user's ($XDG_RUNTIME_DIR/podman, then
// /run/user/<uid>/podman, each once).
func defaultSocketsFor(euid, uid int, runtimeDir string) []string {
	if euid == 0 {
		return []string{DefaultRootfulSocket}
	}
	var socks []string
	if runtimeDir != "" {
		socks = append(socks, "unix://"+filepath.Join(runtimeDir, "podman", "podman.sock"))
	}
	if fallback := fmt.Sprintf("unix:///run/user/%d/podman/podman.sock", uid); !slices.Contains(socks, fallback) {
		socks = append(socks, fallback)
	}
	return socks
}

// connect finds the service, in Podman's own order (resolveDestination): the request's URI,
// $CONTAINER_HOST, the connection $CONTAINER_CONNECTION names or podman system connection's
// default; else the default sockets. A service so named is used or the call fails, saying what
// is missing: it is never replaced by another one. Only when none is named and none answers at
// the default sockets does the engine start a transient service (on Linux), which close stops.
func (e *Engine) connect(ctx context.Context, c engine.Connection, sink engine.Sink) (*conn, error) {
	dest, err := resolveDestination(c, os.Getenv, func() (*podmanConnections, error) { return readConnections(os.Getenv) })
	if err != nil {
		return nil, err
	}
	if dest != nil {
		return e.connectTo(ctx, *dest, sink)
	}

	var tried []string
	for _, uri := range e.DefaultSockets {
		path := strings.TrimPrefix(uri, "unix://")
		if err := dialUnix(ctx, path); err != nil {
			sink.Debugf("no Podman service at %s (the default socket): %v", uri, err)
			tried = append(tried, uri)
			continue
		}
		bctx, err := bindings.NewConnection(ctx, "unix://"+path)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			sink.Debugf("Podman service at %s did not answer: %v", uri, err)
			tried = append(tried, uri)
			continue
		}
		sink.Debugf("using the Podman service at %s (the default socket)", uri)
		return &conn{ctx: bctx, uri: uri, local: runtime.GOOS == "linux"}, nil
	}
	where := strings.Join(tried, ", ")
	if where == "" {
		where = "no default socket"
	}
	if !e.TransientService {
		return nil, unavailable(errors.New("no Podman service answers"), "the default socket", where, true)
	}

	// Nothing answered locally: run our own service for this call.
	sink.Infof("no Podman service answered at %s: starting a transient one (podman system service)", where)
	ts, err := startTransient(ctx, e.podman(), sink)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(err, "the default socket", where, true)
	}
	bctx, err := bindings.NewConnection(ctx, ts.URI())
	if err != nil {
		ts.stop(sink)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(err, "the transient service", ts.URI(), true)
	}
	return &conn{ctx: bctx, uri: ts.URI(), local: true, transient: ts}, nil
}

// connectTo connects to a service the call was told to use, or fails saying why.
func (e *Engine) connectTo(ctx context.Context, d destination, sink engine.Sink) (*conn, error) {
	u, err := url.Parse(d.URI)
	if err != nil {
		return nil, d.invalid("%q is not a URI", d.URI)
	}
	if u.Scheme == "unix" && u.Path == "" && u.Host != "" { // unix://run/... written with two slashes
		u.Path, u.Host = "/"+u.Host, ""
	}
	fail := func(err error) (*conn, error) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(err, d.Origin, d.URI, u.Scheme == "unix")
	}
	switch u.Scheme {
	case "ssh":
		link, err := dialSSH(ctx, d, sink)
		if err != nil {
			return nil, err
		}
		bctx, err := link.bindingsOver(ctx)
		if err != nil {
			link.close()
			return fail(err)
		}
		sink.Infof("Podman at %s (%s), over ssh", d.URI, d.Origin)
		return &conn{ctx: bctx, uri: d.URI, host: u.Hostname(), dest: &d, ssh: link}, nil
	case "tcp":
		bctx, err := bindings.NewConnection(ctx, d.URI)
		if err != nil {
			return fail(err)
		}
		sink.Infof("Podman at %s (%s)", d.URI, d.Origin)
		return &conn{ctx: bctx, uri: d.URI, host: u.Hostname(), dest: &d}, nil
	case "unix":
		if err := dialUnix(ctx, u.Path); err != nil {
			return fail(err)
		}
		bctx, err := bindings.NewConnection(ctx, "unix://"+u.Path)
		if err != nil {
			return fail(err)
		}
		sink.Debugf("using the Podman service at %s (%s)", d.URI, d.Origin)
		// On macOS and Windows a local socket is podman machine's forward of the VM's.
		return &conn{ctx: bctx, uri: d.URI, local: runtime.GOOS == "linux", dest: &d}, nil
	}
	return nil, d.invalid("unsupported scheme %q in %s (%s): use unix://, tcp:// or ssh://", u.Scheme, d.URI, d.Origin)
}

func (e *Engine) podman() string {
	if e.PodmanBinary != "" {
		return e.PodmanBinary
	}
	return "podman"
}

// close ends the ssh connection and stops the transient service, if the call made them.
func (c *conn) close(sink engine.Sink) {
	if c.ssh != nil {
		c.ssh.close()
		c.ssh = nil
	}
	if c.transient != nil {
		c.transient.stop(sink)
		c.transient = nil
	}
}

// describe names the Podman host for messages: where, and how it was found.
func (c *conn) describe() string {
	switch {
	case c.transient != nil:
		return c.uri + " (a transient service started for this call: no service was running)"
	case c.dest != nil:
		return c.uri + " (" + c.dest.Origin + ")"
	}
	return c.uri + " (the default socket)"
}

// hostFile makes a file of this machine usable by the Podman service, which reads paths on its
// own host (a seccomp profile): on this machine, and through podman machine's socket (which
// shares the home directory with the VM), it is the path itself; over ssh the file is copied to a
// private directory on the Podman host for the call, removed when it ends; over tcp:// it cannot
// be done, and the call fails naming field.
func (c *conn) hostFile(ctx context.Context, cu *cleanup, path, field string) (string, error) {
	if path == "" || path == "unconfined" || c.local || (c.ssh == nil && c.host == "") {
		return path, nil
	}
	if c.ssh == nil {
		return "", engine.Errorf(engine.CodeFailedPrecondition, field,
			"connect over ssh:// (the tool then copies the file to the Podman host for the call), or leave "+field+" empty",
			"%s is a file on this machine, and Podman at %s reads files on its own host", path, c.uri)
	}
	remote, dir, err := c.ssh.upload(path)
	if err != nil {
		return "", failed(err, engine.CodeFailedPrecondition, "check that the ssh server offers sftp (Subsystem sftp in sshd_config) and /tmp is writable there",
			"cannot copy %s (%s) to the Podman host", path, field)
	}
	cu.always(fmt.Sprintf("%s on the Podman host (the copy of %s)", dir, field), func(context.Context) error { return c.ssh.removeDir(dir) })
	return remote, nil
}

// probeHost is the address published ports are reached at: from here, or, over ssh, from the
// Podman host itself (the readiness probe dials through the ssh connection).
func (c *conn) probeHost(hostIP string) string {
	if c.ssh == nil && !c.local && c.host != "" {
		return c.host
	}
	if hostIP == "" || hostIP == "0.0.0.0" {
		return "127.0.0.1"
	}
	if hostIP == "::" {
		return "::1"
	}
	return hostIP
}

// dialUnix reports whether a Unix socket accepts a connection.
func dialUnix(ctx context.Context, path string) error { return podmanservice.Dial(ctx, path) }

// unavailable is the error for a service that cannot be reached, with a hint in the spirit of
// podman's own (cmd/podman/root.go).
func unavailable(err error, origin, where string, local bool) error {
	fix := "check the address: podman system connection list shows the configured services; " +
		"on the Podman host, podman system service --time=0 tcp://0.0.0.0:8888 (or the ssh socket) must be running"
	if local {
		fix = "start the Podman service (systemctl enable --now podman.socket, or podman system service --time=0 " +
			DefaultRootfulSocket + " &), or install Podman (hack/setup-host.sh), or point connection.uri / CONTAINER_HOST at a running service"
		if runtime.GOOS != "linux" {
			fix = "Podman runs in a Linux VM here: podman machine init (once), then podman machine start; " +
				"its connection becomes Podman's default, which liberty-checkpoint uses"
		} else if os.Geteuid() != 0 {
			// Rootless: the user's own service, and a user namespace it can create.
			fix = "start your rootless Podman service (systemctl --user enable --now podman.socket, or podman system service --time=0 &; " +
				"it listens at $XDG_RUNTIME_DIR/podman/podman.sock), or point connection.uri / CONTAINER_HOST at a running service; " +
				"if podman info fails for you too, liberty-checkpoint doctor names what rootless Podman lacks (subuid/subgid ranges, user namespaces)"
		}
	}
	switch {
	case origin == "connection.uri":
		fix += "; a service you name is used or the operation fails: leave connection.uri empty to let the tool find or start one"
	case origin == "CONTAINER_HOST":
		fix += "; a service you name is used or the operation fails: unset CONTAINER_HOST to let the tool find or start one"
	case strings.HasPrefix(origin, "CONTAINER_CONNECTION") || strings.HasPrefix(origin, "the default connection"):
		fix += "; podman system connection list shows the connections (podman system connection default NAME picks another)"
	}
	e := engine.Wrap(err, engine.CodeUnavailable, fix, "cannot connect to Podman at %s (%s)", where, origin)
	if origin == "connection.uri" {
		e.Field = "connection.uri"
	}
	return e
}

// transientService is a `podman system service` this engine started for one call, listening on
// a socket in a private temporary directory, recorded as ours so that prune ends it if this
// process is killed.
type transientService struct {
	*podmanservice.Service
	dir string
}

func startTransient(ctx context.Context, podman string, sink engine.Sink) (*transientService, error) {
	path, err := exec.LookPath(podman)
	if err != nil {
		return nil, fmt.Errorf("cannot start a transient service: %w", err)
	}
	dir, err := mkdirTemp(ctx, "podman")
	if err != nil {
		return nil, err
	}
	svc, err := podmanservice.Start(ctx, podmanservice.Options{Podman: path, Socket: filepath.Join(dir, "podman.sock"), Timeout: transientStartTimeout})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ts := &transientService{Service: svc, dir: dir}
	// Recorded with the directory: if this process is killed, prune ends the service too.
	if err := owner.AddProcess(dir, svc.Pid()); err != nil {
		sink.Debugf("cannot record the transient service in %s: %v", dir, err)
	}
	sink.Debugf("started podman system service (pid %d) at %s", svc.Pid(), svc.URI())
	return ts, nil
}

// stop ends the service (SIGTERM, then SIGKILL) and removes its directory. Containers it
// started keep running: conmon, not the service, is their parent.
func (ts *transientService) stop(sink engine.Sink) {
	if ts.Stop(transientStopTimeout) {
		sink.Warnf("transient podman service (pid %d) ignored SIGTERM for %s: killed it", ts.Pid(), transientStopTimeout)
	}
	if err := os.RemoveAll(ts.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		sink.Warnf("cannot remove %s: %v", ts.dir, err)
	}
	sink.Debugf("stopped the transient podman service (pid %d)", ts.Pid())
}
