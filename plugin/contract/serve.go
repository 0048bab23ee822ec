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

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// DrainTimeout bounds how long a stopping plugin waits for its running operations to clean up
// (each engine's own clean-up is bounded too: two minutes in the Podman engine). The host waits a
// little longer than this for the plugin to exit (pluginhost.ShutdownTimeout) before it kills it.
var DrainTimeout = 150 * time.Second

// hostPollInterval is how often the plugin checks that the host that started it is still alive.
const hostPollInterval = 250 * time.Millisecond

// Serve runs e as a go-plugin gRPC plugin (the plugin binary's main calls it) and returns once it
// has stopped and its running operations have cleaned up (at most DrainTimeout). It stops when
//   - the host shuts it down (go-plugin's Kill; the host's Close sends SIGTERM first),
//   - it receives SIGTERM (also its parent-death signal: the host starts it with one),
//   - the host dies without shutting it down (killed with SIGKILL: the plugin is re-parented),
//     noticed within hostPollInterval.
//
// In the last two cases it cancels what runs and waits for the clean-up before it stops serving:
// the plugin dies with its host, but not before it has removed what it made, so that no plugin
// socket, container or transient Podman service outlives its host.
func Serve(e engine.Engine, logger hclog.Logger) {
	// The host's end of stdout/stderr may be gone (a killed host): a failed log write must not
	// kill the plugin with SIGPIPE before it has cleaned up.
	signal.Ignore(syscall.SIGPIPE)
	p := &EnginePlugin{Impl: e}
	var mu sync.Mutex
	var server *grpc.Server
	stopping := false
	var drained sync.Once
	// stop cancels the running operations, waits for their clean-up, then stops the gRPC server
	// (plugin.Serve returns): at once or, when asked before the server exists, as soon as it does.
	stop := func(why string) {
		mu.Lock()
		if stopping {
			mu.Unlock()
			return
		}
		stopping = true
		mu.Unlock()
		logger.Debug("stopping: " + why)
		drained.Do(func() { drain(p, logger, why) })
		mu.Lock()
		s := server
		mu.Unlock()
		if s != nil {
			s.Stop()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	host := os.Getppid()
	go watchHost(ctx, host, hostPollInterval, func() { stop("the host process is gone") })
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
	// The host's Kill stopped the server (that cancelled every stream), or stop did after its
	// drain: either way wait for the clean-up before the process ends (once).
	drained.Do(func() { drain(p, logger, "the host closed the connection") })
	removeDeadHostsSocketDir(host)
}

// removeDeadHostsSocketDir removes the directory the host made for the plugin's socket when the
// host is gone (killed) and so cannot remove it itself: the plugin has been re-parented, or the
// directory's owner record says its process has ended. A directory without the host's owner
// record (a host of another version) is left alone, and so is a live host's.
func removeDeadHostsSocketDir(host int) {
	dir := os.Getenv(plugin.EnvUnixSocketDir)
	if dir == "" {
		return
	}
	rec, err := owner.ReadDir(dir)
	if err != nil {
		return
	}
	reparented := rec.Owner.PID == host && os.Getppid() != host
	if st, _ := rec.Owner.Status(); reparented || st == owner.Gone {
		_ = os.RemoveAll(dir)
	}
}

// drain cancels the running operations and waits (at most DrainTimeout) until they have
// returned, which they do after their clean-up.
func drain(p *EnginePlugin, logger hclog.Logger, why string) {
	if p.svc == nil {
		return
	}
	// A warning only when something was running: every normal exit of the host stops the plugin
	// with SIGTERM too, and an idle stop is no news.
	if n := p.svc.CancelAll(); n > 0 {
		logger.Warn("stopping: "+why+"; cancelled running operations, waiting for their clean-up", "count", n, "bound", DrainTimeout.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), DrainTimeout)
	defer cancel()
	if err := p.svc.Drain(ctx); err != nil {
		logger.Warn("operations still running after the drain bound: exiting anyway", "bound", DrainTimeout.String(), "error", err)
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
