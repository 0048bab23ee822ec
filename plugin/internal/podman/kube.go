package podman

import (
	"context"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/kube"
)

// Kube reads the InstantOn image's architecture and labels from Podman and writes its
// Kubernetes objects and seccomp profile (package kube). It runs no container.
func (e *Engine) Kube(ctx context.Context, o engine.KubeOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpKube, o.Connection, o.Timeout, sink, func(ctx context.Context, _ *conn) (*engine.Result, error) {
		img, err := inspectImage(ctx, o.Image, "image", "build it with checkpoint-image, or pull it (podman pull) so its labels can be read")
		if err != nil {
			return nil, err
		}
		labels := img.Labels
		if labels == nil && img.Config != nil {
			labels = img.Config.Labels
		}
		out, err := kube.Write(o, kube.Image{Arch: img.Architecture, Labels: labels})
		if err != nil {
			return nil, err
		}
		for _, w := range out.Warnings {
			sink.Warnf("%s", w)
		}
		return &engine.Result{Image: o.Image, ImageID: engine.CanonicalImageID(img.ID), Kube: out}, nil
	})
}
