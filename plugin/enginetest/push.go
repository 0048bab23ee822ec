package enginetest

import (
	"context"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Push plays a push: one step, the layers' progress lines, and the digest of the destination.
func (f *Fake) Push(ctx context.Context, o engine.PushOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpPush, o)
	d, err := f.play(ctx, engine.OpPush, sink, []step{{"push", []engine.Log{
		{Source: engine.SourceTool, Level: engine.LevelInfo, Line: "Copying blob sha256:5f70bf18a086 done"},
		{Source: engine.SourceTool, Level: engine.LevelInfo, Line: "Writing manifest to image destination"},
	}}})
	if err != nil {
		return nil, err
	}
	return &engine.Result{Operation: engine.OpPush, Image: o.Image, ImageID: FakeImageID(o.Image),
		ImageDigest: FakeImageID(o.Destination), PushedTo: o.Destination,
		Timings: []engine.Timing{{Name: "push", Duration: d}}}, nil
}
