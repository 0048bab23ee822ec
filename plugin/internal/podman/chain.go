package podman

import (
	"context"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// CheckpointImage is Containerize, Checkpoint and Commit in one call on one connection. The
// intermediate application image lives under a temporary name and is removed at the end, unless
// KeepAppImage (then it is published as engine.AppImageRef(image) once the chain succeeded); the
// checkpoint container is always removed. With the build method it is one image build instead
// (checkpointByBuild).
func (e *Engine) CheckpointImage(ctx context.Context, o engine.CheckpointImageOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpCheckpointImage, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (*engine.Result, error) {
		res, err := e.chain(ctx, c, sink, o)
		if err != nil || !o.Push {
			return res, err
		}
		return pushBuilt(ctx, c, sink, o, res)
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
	outputs := []string{o.Image}
	if o.KeepAppImage {
		outputs = append(outputs, engine.AppImageRef(o.Image))
	}
	res = &engine.Result{Image: o.Image, Phase: o.Phase}

	steps.Start(engine.OpContainerize)
	for _, out := range outputs {
		if err := lockImage(ctx, cu, out, "image"); err != nil {
			return nil, err
		}
	}
	app, err := e.containerize(ctx, cu, sink, o.ContainerizeOptions(engine.AppImageRef(o.Image)), outputs...)
	if err != nil {
		return nil, err
	}
	built, err := imageResult(ctx, app)
	if err != nil {
		return nil, err
	}
	res.AddTiming(engine.OpContainerize, steps.Done(humanize.ShortID(built.ImageID)+" "+humanize.Bytes(built.ImageSize)))

	steps.Start(engine.OpCheckpoint)
	ck, err := e.checkpoint(ctx, c, cu, sink, o.CheckpointOptions(app), engine.OpCheckpointImage)
	if err != nil {
		return nil, appArchiveAtFault(err, o.AppArchive)
	}
	res.CheckpointSize = ck.CheckpointSize
	res.AddTiming(engine.OpCheckpoint, steps.Done(humanize.Bytes(ck.CheckpointSize)))

	steps.Start(engine.OpCommit)
	cm, err := e.commit(ctx, c, cu, sink, o.CommitOptions(ck.ContainerID))
	if err != nil {
		return nil, err
	}
	res.ImageID, res.ImageSize, res.Phase = cm.ImageID, cm.ImageSize, cm.Phase
	if o.KeepAppImage {
		if err := publish(ctx, app, engine.AppImageRef(o.Image)); err != nil {
			return nil, err
		}
		sink.Infof("kept the application image as %s", engine.AppImageRef(o.Image))
	}
	res.AddTiming(engine.OpCommit, steps.Done(humanize.ShortID(cm.ImageID)+" "+humanize.Bytes(cm.ImageSize)))
	return res, nil
}

// appArchiveAtFault blames an application that did not start on the archive the chain built it
// from, rather than on the intermediate image the user never named.
func appArchiveAtFault(err error, archive string) error {
	e := engine.AsError(err)
	if errAppStart(err) && archive != "" {
		e.Field = "app_archive"
	}
	return e
}
