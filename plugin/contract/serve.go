package contract

import (
	"context"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// DrainTimeout bounds how long a stopping plugin waits for running operations to clean up.
const DrainTimeout = 2 * time.Minute

// Serve runs e as a go-plugin gRPC plugin (the plugin binary's main calls it). It returns when
// the host shuts the plugin down, after running operations have cleaned up.
func Serve(e engine.Engine, logger hclog.Logger) {
	p := &EnginePlugin{Impl: e}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         map[string]plugin.Plugin{PluginName: p},
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          logger,
	})
	if p.svc != nil {
		ctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
		defer cancel()
		if err := p.svc.Drain(ctx); err != nil {
			logger.Warn("operations still running at exit", "error", err)
		}
	}
}
