package contract

import (
	"context"
	"time"

	"google.golang.org/grpc"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// The Kube operation's adapters: request <-> options, outcome <-> result, service and client.

func kubeOptions(r *pb.KubeRequest) (engine.KubeOptions, error) {
	o := engine.KubeOptions{Common: common(r), Image: r.GetImage(), OutputDir: r.GetOutputDir(),
		Name: r.GetName(), Namespace: r.GetNamespace(), Replicas: int32(min(r.GetReplicas(), 1<<20)),
		HTTPPort: int32(min(r.GetHttpPort(), 1<<20)), ReadyPath: r.GetReadiness().GetHttpUrl(), MemoryLimit: r.GetMemoryLimit(),
		SeccompUnconfined: r.GetSeccompUnconfined(), OpenShift: r.GetOpenshift()}
	if r.GetReadiness().GetLogLine() != "" {
		return o, engine.Invalid("readiness.log_line", "give the probes an HTTP path (readiness.http_url): a cluster probes a pod over HTTP, not its log",
			"a log line cannot be a Kubernetes probe")
	}
	return o, nil
}

func kubeRequest(o engine.KubeOptions) *pb.KubeRequest {
	r := &pb.KubeRequest{Connection: pbConn(o.Connection), Image: o.Image, OutputDir: o.OutputDir, Name: o.Name,
		Namespace: o.Namespace, Replicas: uint32(max(o.Replicas, 0)), HttpPort: uint32(max(o.HTTPPort, 0)),
		MemoryLimit: o.MemoryLimit, SeccompUnconfined: o.SeccompUnconfined, Openshift: o.OpenShift,
		TimeoutSeconds: toSeconds(o.Timeout)}
	if o.ReadyPath != "" {
		r.Readiness = &pb.Readiness{Probe: &pb.Readiness_HttpUrl{HttpUrl: o.ReadyPath}}
	}
	return r
}

func pbKubeOutcome(k *engine.KubeOutcome) *pb.KubeOutcome {
	if k == nil {
		return nil
	}
	return &pb.KubeOutcome{Files: k.Files, PodSecurityLevel: k.PodSecurityLevel, PodSecurityReasons: k.PodSecurityReasons,
		MemoryBytes: k.MemoryBytes, Warnings: k.Warnings}
}

func engineKubeOutcome(k *pb.KubeOutcome) *engine.KubeOutcome {
	if k == nil {
		return nil
	}
	return &engine.KubeOutcome{Files: k.GetFiles(), PodSecurityLevel: k.GetPodSecurityLevel(),
		PodSecurityReasons: k.GetPodSecurityReasons(), MemoryBytes: k.GetMemoryBytes(), Warnings: k.GetWarnings()}
}

func (s *Service) Kube(r *pb.KubeRequest, st stream) error {
	o, err := kubeOptions(r)
	validate := func() error {
		if err != nil {
			return err
		}
		return o.Validate()
	}
	return s.run(st, engine.OpKube, &o, validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.Kube(ctx, o, sink)
		})
}

func (c *Client) Kube(ctx context.Context, o engine.KubeOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Kube(ctx, kubeRequest(o))
	})
}
