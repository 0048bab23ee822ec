// Package apiserver serves the LibertyCheckpoint API for tools such as grpcurl: the service
// itself, the standard gRPC health service and server reflection (with the proto's comments).
//
// The API can build images from any file it is pointed at and run containers with CRIU's
// capabilities, so it is for its owner only. By default it listens on a Unix socket that only
// the user running serve can open (0600 in a 0700 directory, and the peer's uid is checked on
// every connection). TCP needs mutual TLS, or an explicit --insecure. Every request is admitted
// by a Policy: the paths it names must lie under serve's root directory, and it may not choose the
// Podman connection unless serve allows it.
package apiserver

import (
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	reflectionv1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	reflectionv1alpha "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// New returns a gRPC server with the LibertyCheckpoint service backed by e and admitted by
// policy (nil: no admission, for tests), health (overall and for the service) and reflection.
// opts carry the transport credentials of the Listener.
//
// Stop waits for the running handlers to return (grpc.WaitForHandlers): it cancels them, and a
// cancelled operation returns only after its clean-up, so stopping never cuts a clean-up short.
func New(e engine.Engine, policy *Policy, opts ...grpc.ServerOption) (*grpc.Server, error) {
	s := grpc.NewServer(append(opts, grpc.WaitForHandlers(true))...)
	var admit contract.Admission
	if policy != nil {
		admit = policy.Admit
	}
	name := contract.Register(s, e, admit)
	h := health.NewServer()
	h.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	h.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, h)

	resolver, err := contract.DescriptorResolver()
	if err != nil {
		return nil, engine.Wrap(err, engine.CodeInternal, "report this: the binary's API description is broken", "cannot serve reflection")
	}
	ro := reflection.ServerOptions{Services: s, DescriptorResolver: resolver}
	reflectionv1.RegisterServerReflectionServer(s, reflection.NewServerV1(ro))
	reflectionv1alpha.RegisterServerReflectionServer(s, reflection.NewServer(ro))
	return s, nil
}
