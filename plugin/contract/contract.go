// Package contract is the wire between the liberty-checkpoint host and its plugin: the go-plugin
// handshake and plugin map, the gRPC service that serves an engine.Engine, the client that turns
// the gRPC API back into an engine.Engine, and the mapping of engine errors to gRPC statuses.
//
// It is the only package that imports the generated code in gen/.
package contract

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// PluginName is the name the host dispenses the engine under.
const PluginName = "engine"

// Handshake is the go-plugin handshake. The magic cookie only keeps the plugin binary from doing
// anything when a user runs it by hand; it is not a security measure (AutoMTLS is).
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "LIBERTY_CHECKPOINT_PLUGIN",
	MagicCookieValue: "7f1c2a9e-instanton-engine",
}

// PluginMap is the plugin set both sides agree on. The host passes nil.
func PluginMap(impl engine.Engine) map[string]plugin.Plugin {
	return map[string]plugin.Plugin{PluginName: &EnginePlugin{Impl: impl}}
}

// EnginePlugin is the go-plugin GRPCPlugin for an engine.Engine.
type EnginePlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl engine.Engine
	svc  *Service // set on the plugin side by GRPCServer
}

// GRPCServer registers the LibertyCheckpoint service on the plugin's gRPC server.
func (p *EnginePlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	p.svc = NewService(p.Impl, nil)
	registerService(s, p.svc)
	return nil
}

// GRPCClient returns the engine.Engine the host uses.
func (p *EnginePlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return NewClient(c), nil
}

// Register registers the LibertyCheckpoint service backed by e on s (for `liberty-checkpoint
// serve`), with admit asked about every valid request, and returns the service's full name for
// health and reflection.
func Register(s *grpc.Server, e engine.Engine, admit Admission) string {
	registerService(s, NewService(e, admit))
	return pb.LibertyCheckpoint_ServiceDesc.ServiceName
}

func registerService(s *grpc.Server, svc *Service) { pb.RegisterLibertyCheckpointServer(s, svc) }
