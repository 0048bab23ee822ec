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

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// BinaryName is the plugin executable's name.
const BinaryName = "liberty-checkpoint-plugin"

// EnvPlugin names the plugin binary when --plugin is not given.
const EnvPlugin = "LIBERTY_CHECKPOINT_PLUGIN"

// Plugin is a running plugin process.
type Plugin struct {
	Engine engine.Engine
	Path   string
	client *plugin.Client
}

// Close shuts the plugin down: it stops its gRPC server, waits for running operations to clean
// up, and kills the process if it does not exit.
func (p *Plugin) Close() { p.client.Kill() }

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
func Launch(ctx context.Context, path string, logger hclog.Logger) (*Plugin, error) {
	cmd := exec.Command(path)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  contract.Handshake,
		Plugins:          contract.PluginMap(nil),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           logger.Named("plugin"),
	})
	p := &Plugin{Path: path, client: client}
	fail := func(err error) (*Plugin, error) {
		client.Kill()
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
	return p, nil
}
