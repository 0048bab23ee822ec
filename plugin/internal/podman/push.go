package podman

import (
	"context"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/images"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Push copies an image from Podman's storage to a registry and reports the registry's digest of
// the pushed manifest. It creates nothing in Podman's storage; a push that fails writes no tag in
// the registry (layers it uploaded stay until the registry's garbage collection: the registry API
// gives a client no way to remove a blob it pushed without a manifest).
func (e *Engine) Push(ctx context.Context, o engine.PushOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpPush, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (*engine.Result, error) {
		steps := engine.NewSteps(sink, 1)
		steps.Start(engine.OpPush)
		res, err := push(ctx, c, sink, o)
		if err != nil {
			return nil, err
		}
		res.AddTiming(engine.OpPush, steps.Done(res.PushedTo+"@"+res.ImageDigest))
		return res, nil
	})
}

// push runs images.Push with the request's credentials, streams Podman's progress lines, and
// checks the digest with the registry itself.
func push(ctx context.Context, c *conn, sink engine.Sink, o engine.PushOptions) (*engine.Result, error) {
	img, err := inspectImage(ctx, o.Image, "image",
		"build the image first (liberty-checkpoint checkpoint-image), or check the name (podman images lists them)")
	if err != nil {
		return nil, err
	}
	r := o.Registry
	out := registryProgress(sink, r)
	opts := new(images.PushOptions).WithQuiet(false).WithProgressWriter(out).WithSkipTLSVerify(!r.Verify())
	if r.AuthFile != "" {
		opts.WithAuthfile(r.AuthFile)
	}
	if r.Creds != "" {
		opts.WithUsername(r.User()).WithPassword(r.Password())
	}
	how := "credentials from Podman's auth files"
	switch {
	case r.Creds != "":
		how = "credentials of user " + r.User()
	case r.AuthFile != "":
		how = "credentials from " + r.AuthFile
	}
	lent, err := lendCerts(c, r, o.Destination)
	if err != nil {
		return nil, err
	}
	sink.Infof("pushing %s (%s, %s) to %s with %s", o.Image, humanize.ShortID(img.ID), humanize.Bytes(img.Size), o.Destination, how)
	start := time.Now()
	err = images.Push(ctx, o.Image, o.Destination, opts)
	lent()
	out.Flush()
	if err != nil {
		return nil, registryError(err, "push", "destination", o.Destination, r)
	}
	took := time.Since(start)
	reported := opts.GetManifestDigest()
	digest, derr := registryDigest(ctx, o.Destination, r)
	switch {
	case derr != nil && reported == "":
		return nil, engine.Wrap(registryError(derr, "check", "destination", o.Destination, r), engine.CodeFailedPrecondition,
			"Podman pushed the image, but the tool cannot read its digest back from the registry from here: check that this machine reaches "+
				engine.RegistryOf(o.Destination)+" with the same settings",
			"cannot read back the digest of %s", o.Destination)
	case derr != nil:
		sink.Warnf("cannot check the digest with the registry from here (%v); Podman reported %s", r.Mask(derr.Error()), reported)
		digest = reported
	case reported != "" && reported != digest:
		return nil, engine.Errorf(engine.CodeFailedPrecondition, "destination",
			"push again; something else may have pushed to the same tag at the same time",
			"the registry holds manifest %s for %s, but Podman pushed %s", digest, o.Destination, reported)
	}
	sink.Infof("pushed %s@%s in %d ms", o.Destination, digest, took.Milliseconds())
	return &engine.Result{Image: o.Image, ImageID: engine.CanonicalImageID(img.ID), ImageSize: img.Size,
		ImageDigest: digest, PushedTo: o.Destination}, nil
}

// pushBuilt is checkpoint-image's last step with push: the image is built and stays whatever the
// push does, so a failed push says so and how to push it again.
func pushBuilt(ctx context.Context, c *conn, sink engine.Sink, o engine.CheckpointImageOptions, res *engine.Result) (*engine.Result, error) {
	start := time.Now()
	p, err := push(ctx, c, sink, o.PushOptions())
	if err != nil {
		e := engine.AsError(err)
		if e.Code != engine.CodeCanceled && e.Code != engine.CodeDeadlineExceeded {
			e.Message = "the InstantOn image " + o.Image + " is built and kept, but " + e.Message
			e.Fix += "; then push it with liberty-checkpoint push --image " + o.Image
		}
		return nil, e
	}
	res.ImageDigest, res.PushedTo = p.ImageDigest, p.PushedTo
	res.AddTiming(engine.OpPush, time.Since(start))
	return res, nil
}
