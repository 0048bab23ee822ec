// Package pluginhost launches the liberty-checkpoint plugin binary with go-plugin (handshake,
// AutoMTLS, health check, plugin logs into the host's logger) and hands back the engine it
// serves.
package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// BinaryName is the plugin executable's name.
const BinaryName = "liberty-checkpoint-plugin"

// EnvPlugin names the plugin binary when --plugin is not given.
const EnvPlugin = "LIBERTY_CHECKPOINT_PLUGIN"

// ShutdownTimeout bounds Close: how long the host waits for the plugin to cancel what runs, let
// it clean up and exit, before it kills it. It is a little longer than the plugin's own bound
// (contract.DrainTimeout), so a plugin that keeps its bound is never killed in a clean-up.
var ShutdownTimeout = contract.DrainTimeout + 10*time.Second

// SocketDirPrefix names the temporary directory that holds the plugin's socket. It records its
// owner (the host process), so prune removes it when the host was killed.
const SocketDirPrefix = "lcp-plugin-"

// SocketParent is where the plugin's socket directory goes: the temporary directory, unless its
// path is so long that the socket's would exceed what a Unix socket address holds (108 bytes);
// then /tmp.
func SocketParent() string {
	const room = 107 - len("/"+SocketDirPrefix+"1234567890/plugin1234567890")
	if dir := os.TempDir(); len(dir) <= room {
		return dir
	}
	return "/tmp"
}

// Plugin is a running plugin process.
type Plugin struct {
	Engine engine.Engine
	Path   string
	// PID is the plugin process's id.
	PID int
	// ShutdownTimeout bounds Close (default: the package's ShutdownTimeout).
	ShutdownTimeout time.Duration

	client  *plugin.Client
	cmd     *exec.Cmd
	sockets string
	closing atomic.Bool
}

// Close shuts the plugin down without cutting a clean-up short: SIGTERM tells it to cancel what
// runs, wait for the clean-up and exit; Close waits for that (at most ShutdownTimeout), then lets
// go-plugin finish (it kills a plugin that is still there) and removes the socket directory.
// go-plugin's own Kill would give the plugin two seconds before SIGKILL.
func (p *Plugin) Close() {
	p.closing.Store(true)
	if p.cmd != nil && p.cmd.Process != nil && !p.client.Exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		deadline := time.NewTimer(p.ShutdownTimeout)
		defer deadline.Stop()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
	wait:
		for !p.client.Exited() {
			select {
			case <-deadline.C:
				break wait
			case <-tick.C:
			}
		}
	}
	p.client.Kill()
	if p.sockets != "" {
		_ = os.RemoveAll(p.sockets)
	}
}

// Crashed reports whether the plugin process ended without being told to (it was killed).
func (p *Plugin) Crashed() bool { return !p.closing.Load() && p.client.Exited() }

// Find locates the plugin binary: the explicit path, else $LIBERTY_CHECKPOINT_PLUGIN, else next
// to the running executable, else on PATH.
func Find(explicit string) (string, error) {
	if explicit == "" {
		explicit = os.Getenv(EnvPlugin)
	}
	if explicit != "" {
		abs, err := filepath.Abs(explicit)
		if err != nil {
			return "", err
		}
		if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
			return "", &engine.Error{Code: engine.CodeNotFound, Message: fmt.Sprintf("plugin binary %s not found", abs),
				Fix: "build it with `make build` or point --plugin (or $" + EnvPlugin + ") at it"}
		}
		return abs, nil
	}
	var tried []string
	if self, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		cand := filepath.Join(filepath.Dir(self), BinaryName)
		if fi, err := os.Stat(cand); err == nil && !fi.IsDir() {
			return cand, nil
		}
		tried = append(tried, filepath.Dir(self))
	}
	if p, err := exec.LookPath(BinaryName); err == nil {
		return filepath.Abs(p)
	}
	tried = append(tried, "$PATH")
	return "", &engine.Error{Code: engine.CodeNotFound,
		Message: fmt.Sprintf("plugin binary %s not found (looked in %v)", BinaryName, tried),
		Fix:     "install it next to liberty-checkpoint (make build puts both in bin/) or set --plugin / $" + EnvPlugin}
}

// Launch starts the plugin at path and returns its engine. The caller must Close it.
//
// The plugin dies with the host: it gets SIGTERM when the host dies (a parent-death signal) and
// watches its parent too; either way it cancels what runs, cleans up and exits.
func Launch(ctx context.Context, path string, logger hclog.Logger) (*Plugin, error) {
	cmd := exec.Command(path)
	setDeathSignal(cmd)
	// The plugin's socket goes into a directory of ours that records its owner, not loose
	// into /tmp, so what a killed host leaves can be told from what a running one uses.
	sockets, err := owner.MkdirTemp(SocketParent(), SocketDirPrefix, owner.Self("host"))
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Message: "cannot create a directory for the plugin's socket",
			Err: err, Fix: "check that the temporary directory ($TMPDIR) is writable"}
	}
	// go-plugin appends the host's environment after this; the plugin creates its socket here
	// and logs at the host's level.
	cmd.Env = []string{plugin.EnvUnixSocketDir + "=" + sockets, contract.EnvLogLevel + "=" + logger.GetLevel().String()}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  contract.Handshake,
		Plugins:          contract.PluginMap(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           logger.Named("plugin"),
	})
	p := &Plugin{Path: path, client: client, cmd: cmd, sockets: sockets, ShutdownTimeout: ShutdownTimeout}
	fail := func(err error) (*Plugin, error) {
		client.Kill()
		_ = os.RemoveAll(sockets)
		return nil, &engine.Error{Code: engine.CodeUnavailable, Message: fmt.Sprintf("cannot start plugin %s", path), Err: err,
			Fix: "rebuild both binaries from the same version (make build); run with --log-level debug to see the plugin's output"}
	}
	rpc, err := client.Client()
	if err != nil {
		return fail(err)
	}
	if err := rpc.Ping(); err != nil {
		return fail(fmt.Errorf("health check: %w", err))
	}
	raw, err := rpc.Dispense(contract.PluginName)
	if err != nil {
		return fail(err)
	}
	e, ok := raw.(engine.Engine)
	if !ok {
		return fail(errors.New("the plugin does not serve an engine"))
	}
	if ctx.Err() != nil {
		return fail(ctx.Err())
	}
	p.Engine = e
	if cmd.Process != nil {
		p.PID = cmd.Process.Pid
	}
	return p, nil
}
