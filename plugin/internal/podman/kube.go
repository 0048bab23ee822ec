package podman

import (
	"context"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/kube"
)

// Kube reads the InstantOn image's architecture and labels from Podman and writes its
// Kubernetes objects and seccomp profile (package kube). It runs no container.
func (e *Engine) Kube(ctx context.Context, o engine.KubeOptions, sink engine.Sink) (*engine.Result, error) {
	start := time.Now()
	tctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	c, err := e.connect(tctx, o.Connection, sink)
	if err != nil {
		return nil, classify(ctx, tctx, engine.OpKube, o.Timeout, err)
	}
	defer c.close(sink)
	img, err := inspectImage(c.ctx, o.Image, "image", "build it with checkpoint-image, or pull it (podman pull) so its labels can be read")
	if err != nil {
		return nil, classify(ctx, tctx, engine.OpKube, o.Timeout, err)
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
	return &engine.Result{Operation: engine.OpKube, Image: o.Image, ImageID: engine.CanonicalImageID(img.ID),
		Kube: out, Duration: time.Since(start)}, nil
}
