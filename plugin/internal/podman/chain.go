package podman

import (
	"context"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// CheckpointImage is Containerize, Checkpoint and Commit in one call on one connection. The
// intermediate application image is removed at the end unless KeepAppImage (then it is tagged
// engine.AppImageRef(image)); the checkpoint container is always removed. With the build method
// it is one image build instead (checkpointByBuild).
func (e *Engine) CheckpointImage(ctx context.Context, o engine.CheckpointImageOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpCheckpointImage, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (*engine.Result, error) {
		res, err := e.chain(ctx, c, sink, o)
		if err != nil || !o.Push {
			return res, err
		}
		return pushBuilt(ctx, sink, o, res)
	})
}

// chain builds the InstantOn image; what it made is removed when it fails.
func (e *Engine) chain(ctx context.Context, c *conn, sink engine.Sink, o engine.CheckpointImageOptions) (res *engine.Result, err error) {
	cu := newCleanup(ctx, sink)
	defer cu.finish(&err)
	if o.Method == engine.MethodBuild {
		return e.checkpointByBuild(ctx, c, cu, sink, o)
	}
	steps := engine.NewSteps(sink, 3)
	appImage := tempImagePrefix + randomSuffix() + ":latest"
	if o.KeepAppImage {
		appImage = engine.AppImageRef(o.Image)
	}
	res = &engine.Result{Image: o.Image, Phase: o.Phase}

	steps.Start(engine.OpContainerize)
	app, err := e.containerize(ctx, cu, sink, o.ContainerizeOptions(appImage))
	if err != nil {
		return nil, err
	}
	if !o.KeepAppImage {
		cu.always("intermediate image "+appImage, func(ctx context.Context) error { return removeImage(ctx, appImage) })
	}
	res.AddTiming(engine.OpContainerize, steps.Done(humanize.ShortID(app.ImageID)+" "+humanize.Bytes(app.ImageSize)))

	steps.Start(engine.OpCheckpoint)
	ck, err := e.checkpoint(ctx, cu, sink, o.CheckpointOptions(appImage))
	if err != nil {
		return nil, err
	}
	res.CheckpointSize = ck.CheckpointSize
	res.AddTiming(engine.OpCheckpoint, steps.Done(humanize.Bytes(ck.CheckpointSize)))

	steps.Start(engine.OpCommit)
	cm, err := e.commit(ctx, c, cu, sink, o.CommitOptions(ck.ContainerID))
	if err != nil {
		return nil, err
	}
	res.ImageID, res.ImageSize, res.Phase = cm.ImageID, cm.ImageSize, cm.Phase
	res.AddTiming(engine.OpCommit, steps.Done(humanize.ShortID(cm.ImageID)+" "+humanize.Bytes(cm.ImageSize)))
	return res, nil
}
