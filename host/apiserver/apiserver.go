// Package apiserver serves the LibertyCheckpoint API on a TCP port for tools such as grpcurl:
// the service itself, the standard gRPC health service and server reflection. It listens on
// loopback only unless told otherwise, since the API has no authentication of its own.
package apiserver

import (
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// DefaultAddress is where `liberty-checkpoint serve` listens by default.
const DefaultAddress = "127.0.0.1:50051"

// Listen opens addr. A non-loopback address (including an empty host, which means every
// interface) is refused unless allowRemote is set.
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, engine.Invalid("listen", "use host:port, for example 127.0.0.1:50051", "%q is not host:port", addr)
	}
	if !allowRemote && !IsLoopback(host) {
		return nil, engine.Invalid("listen",
			"listen on 127.0.0.1 or localhost, or pass --allow-remote if you mean it (then put it behind an authenticating proxy)",
			"refusing to listen on %q: it is not a loopback address and the API has no authentication", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "listen", Message: fmt.Sprintf("cannot listen on %s", addr),
			Err: err, Fix: "pick a free port (127.0.0.1:0 picks one for you)"}
	}
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

// New returns a gRPC server with the LibertyCheckpoint service backed by e, health (overall and
// for the service) and reflection.
//
// Stop waits for the running handlers to return (grpc.WaitForHandlers): it cancels them, and a
// cancelled operation returns only after its clean-up, so stopping never cuts a clean-up short.
func New(e engine.Engine) *grpc.Server {
	s := grpc.NewServer(grpc.WaitForHandlers(true))
	name := contract.Register(s, e)
	h := health.NewServer()
	h.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	h.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, h)
	reflection.Register(s)
	return s
}
