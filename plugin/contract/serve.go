package contract

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// DrainTimeout bounds how long a stopping plugin waits for its running operations to clean up
// (each engine's own clean-up is bounded too: two minutes in the Podman engine). The host waits a
// little longer than this for the plugin to exit (pluginhost.ShutdownTimeout) before it kills it.
var DrainTimeout = 150 * time.Second

// parentPoll is how often the plugin checks that its host still runs.
const parentPoll = 250 * time.Millisecond

// Serve runs e as a go-plugin gRPC plugin (the plugin binary's main calls it) and returns once it
// has stopped and its running operations have cleaned up (at most DrainTimeout). It stops when
//   - the host shuts it down (go-plugin's Kill; the host's Close sends SIGTERM first),
//   - it receives SIGTERM (also its parent-death signal: the host starts it with one),
//   - its parent process is gone (a host killed with SIGKILL), noticed within parentPoll.
//
// In the last two cases it cancels what runs first: the plugin dies with its host, but not
// before it has removed what it made.
func Serve(e engine.Engine, logger hclog.Logger) {
	// Once the host is gone its end of our stderr is closed: a write must fail, not kill the
	// plugin (SIGPIPE) in the middle of a clean-up.
	signal.Ignore(syscall.SIGPIPE)
	p := &EnginePlugin{Impl: e}
	var server atomic.Pointer[grpc.Server]
	stop := make(chan string, 2)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go func() { <-sigs; stop <- "SIGTERM" }()
	go watchParent(stop)
	var drained sync.Once
	go func() {
		why := <-stop
		logger.Info("stopping: cancelling running operations and waiting for their clean-up", "why", why, "bound", DrainTimeout.String())
		drained.Do(func() { drain(p, logger) })
		if s := server.Load(); s != nil {
			s.Stop() // plugin.Serve returns
			return
		}
		os.Exit(0) // stopped before the server even started
	}()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         map[string]plugin.Plugin{PluginName: p},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			s := plugin.DefaultGRPCServer(opts)
			server.Store(s)
			return s
		},
		Logger: logger,
	})
	// The host's Kill stopped the server (that cancelled every stream), or the goroutine above
	// did after its drain: either way wait for the clean-up before the process ends (once).
	drained.Do(func() { drain(p, logger) })
}

// drain cancels the running operations and waits (at most DrainTimeout) until they have
// returned, which they do after their clean-up.
func drain(p *EnginePlugin, logger hclog.Logger) {
	if p.svc == nil {
		return
	}
	if n := p.svc.CancelAll(); n > 0 {
		logger.Info("cancelled running operations", "count", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
	defer cancel()
	if err := p.svc.Drain(ctx); err != nil {
		logger.Warn("operations still running after the drain bound: exiting anyway", "bound", DrainTimeout.String(), "error", err)
	}
}

// watchParent reports when the process that started the plugin is gone: the plugin is then
// re-parented, and its parent pid changes. A parent-death signal usually says so first; this
// also covers a host that did not ask for one.
func watchParent(stop chan<- string) {
	ppid := os.Getppid()
	if ppid <= 1 {
		return
	}
	for {
		time.Sleep(parentPoll)
		if os.Getppid() != ppid {
			stop <- "the host process is gone"
			return
		}
	}
}
