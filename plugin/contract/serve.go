package contract

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// DrainTimeout bounds how long a stopping plugin waits for running operations to clean up.
const DrainTimeout = 2 * time.Minute

// hostPollInterval is how often the plugin checks that the host that started it is still alive.
const hostPollInterval = 250 * time.Millisecond

// Serve runs e as a go-plugin gRPC plugin (the plugin binary's main calls it). It returns when
// the host shuts the plugin down, after running operations have cleaned up. It also stops, the
// same way, when the host dies without shutting it down (killed with SIGKILL: the plugin is
// re-parented) or on SIGTERM, so that no plugin socket, container or transient Podman service
// outlives its host.
func Serve(e engine.Engine, logger hclog.Logger) {
	// The host's end of stdout/stderr may be gone (a killed host): a failed log write must not
	// kill the plugin with SIGPIPE before it has cleaned up.
	signal.Ignore(syscall.SIGPIPE)
	p := &EnginePlugin{Impl: e}
	var mu sync.Mutex
	var server *grpc.Server
	stopping := false
	// stop stops the gRPC server (what go-plugin's Shutdown does: running operations see their
	// context end), at once or, when asked before the server exists, as soon as it does.
	stop := func(why string) {
		mu.Lock()
		defer mu.Unlock()
		if stopping {
			return
		}
		stopping = true
		logger.Warn("stopping: " + why)
		if server != nil {
			go server.Stop()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go watchHost(ctx, os.Getppid(), hostPollInterval, func() { stop("the host process is gone") })
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			stop("SIGTERM")
		case <-ctx.Done():
		}
	}()

	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         map[string]plugin.Plugin{PluginName: p},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			s := grpc.NewServer(opts...)
			mu.Lock()
			server = s
			if stopping {
				go s.Stop() // Serve, when it comes, returns at once
			}
			mu.Unlock()
			return s
		},
		Logger: logger,
	})
	if p.svc != nil {
		ctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
		defer cancel()
		if err := p.svc.Drain(ctx); err != nil {
			logger.Warn("operations still running at exit", "error", err)
		}
	}
}

// watchHost calls gone once the process's parent is no longer ppid (the host died and the
// plugin was re-parented), or never if ctx ends first.
func watchHost(ctx context.Context, ppid int, every time.Duration, gone func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if os.Getppid() != ppid {
				gone()
				return
			}
		}
	}
}
