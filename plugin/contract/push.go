package contract

import (
	"context"
	"time"

	"google.golang.org/grpc"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Push serves the Push RPC.
func (s *Service) Push(r *pb.PushRequest, st stream) error {
	o := pushOptions(r)
	return s.run(st, engine.OpPush, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.Push(ctx, o, sink)
		})
}

// Push calls the Push RPC.
func (c *Client) Push(ctx context.Context, o engine.PushOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Push(ctx, pushRequest(o))
	})
}

func pushOptions(r *pb.PushRequest) engine.PushOptions {
	return engine.PushOptions{Common: common(r), Image: r.GetImage(), Destination: r.GetDestination(),
		Registry: registry(r.GetRegistry())}
}

func pushRequest(o engine.PushOptions) *pb.PushRequest {
	return &pb.PushRequest{Connection: pbConn(o.Connection), Image: o.Image, Destination: o.Destination,
		Registry: pbRegistry(o.Registry), TimeoutSeconds: toSeconds(o.Timeout)}
}

func registry(r *pb.Registry) engine.Registry {
	return engine.Registry{AuthFile: r.GetAuthfile(), Creds: r.GetCreds(), TLSVerify: optionalBool(r), CertDir: r.GetCertDir()}
}

func pbRegistry(r engine.Registry) *pb.Registry {
	if r == (engine.Registry{}) {
		return nil
	}
	return &pb.Registry{Authfile: r.AuthFile, Creds: r.Creds, TlsVerify: r.TLSVerify, CertDir: r.CertDir}
}

func optionalBool(r *pb.Registry) *bool {
	if r == nil || r.TlsVerify == nil {
		return nil
	}
	v := r.GetTlsVerify()
	return &v
}
