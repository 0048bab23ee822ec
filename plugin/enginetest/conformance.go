package enginetest

import (
	"context"
	"sync"
	"testing"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Fixture is what the conformance suite needs to drive an Engine end to end.
type Fixture struct {
	BaseImage  string
	AppArchive string
	ServerXML  string
	// ImagePrefix names the images the suite creates (ImagePrefix + "-app", ...).
	ImagePrefix string
	// Ports and Readiness for Restore.
	Ports     []engine.Port
	Readiness engine.Readiness
	// RemoveImage deletes an image the suite created; nil when the engine needs no clean-up.
	RemoveImage func(ref string)
}

// Recorder is a Sink that keeps every event.
type Recorder struct {
	mu     sync.Mutex
	Events []engine.Event
}

// Sink returns the recording sink.
func (r *Recorder) Sink() engine.Sink {
	return func(ev engine.Event) {
		r.mu.Lock()
		r.Events = append(r.Events, ev)
		r.mu.Unlock()
	}
}

// Snapshot returns the events so far.
func (r *Recorder) Snapshot() []engine.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]engine.Event(nil), r.Events...)
}

// CheckEventContract verifies the stream rules every operation follows: steps start in order
// 1..Total, each started step ends before the next starts, and totals agree.
func CheckEventContract(t testing.TB, events []engine.Event) {
	t.Helper()
	open, last, total := 0, 0, 0
	for _, ev := range events {
		p := ev.Progress
		if p == nil {
			continue
		}
		if total == 0 {
			total = p.Total
		}
		if p.Total != total {
			t.Errorf("step %q: total %d, earlier steps said %d", p.Name, p.Total, total)
		}
		switch p.State {
		case engine.StepStarted:
			if open != 0 {
				t.Errorf("step %d %q started while step %d is open", p.Step, p.Name, open)
			}
			if p.Step != last+1 {
				t.Errorf("step %d %q started after step %d", p.Step, p.Name, last)
			}
			open, last = p.Step, p.Step
		case engine.StepDone:
			if p.Step != open {
				t.Errorf("step %d %q done but step %d is open", p.Step, p.Name, open)
			}
			open = 0
		default:
			t.Errorf("step %q has no state", p.Name)
		}
	}
	if open != 0 {
		t.Errorf("step %d never finished", open)
	}
	if total != 0 && last != total {
		t.Errorf("ran %d of %d steps", last, total)
	}
}

// Conformance runs the operations of e in the order a user would and checks the results and the
// events. Options go through Validate first, as every transport does.
func Conformance(t *testing.T, e engine.Engine, fx Fixture) {
	ctx := context.Background()
	appImage := fx.ImagePrefix + "-app:1"
	instantOn := fx.ImagePrefix + "-instanton:1"
	chained := fx.ImagePrefix + "-chain:1"
	if fx.RemoveImage != nil {
		t.Cleanup(func() {
			for _, ref := range []string{appImage, instantOn, chained} {
				fx.RemoveImage(ref)
			}
		})
	}

	run := func(t *testing.T, validate func() error, call func(engine.Sink) (*engine.Result, error)) *engine.Result {
		t.Helper()
		if err := validate(); err != nil {
			t.Fatalf("validate: %v", err)
		}
		var rec Recorder
		res, err := call(rec.Sink())
		if err != nil {
			t.Fatalf("%v", err)
		}
		CheckEventContract(t, rec.Snapshot())
		if res == nil {
			t.Fatal("nil result")
		}
		return res
	}

	var container string
	t.Run("Containerize", func(t *testing.T) {
		o := engine.ContainerizeOptions{AppInputs: engine.AppInputs{BaseImage: fx.BaseImage, AppArchive: fx.AppArchive, ServerXML: fx.ServerXML}, Image: appImage}
		res := run(t, o.Validate, func(s engine.Sink) (*engine.Result, error) { return e.Containerize(ctx, o, s) })
		if res.Image != appImage || res.ImageID == "" || res.ImageSize <= 0 {
			t.Errorf("result %+v: want image %s with id and size", res, appImage)
		}
	})
	t.Run("Checkpoint", func(t *testing.T) {
		o := engine.CheckpointOptions{Image: appImage, Phase: "applications"}
		res := run(t, o.Validate, func(s engine.Sink) (*engine.Result, error) { return e.Checkpoint(ctx, o, s) })
		if res.ContainerID == "" || res.Phase != engine.AfterAppStart {
			t.Errorf("result %+v: want a container id and phase afterAppStart", res)
		}
		container = res.ContainerID
	})
	t.Run("Commit", func(t *testing.T) {
		if container == "" {
			testenv.Skip(t, "the checkpoint step failed (see above): there is no container to commit")
		}
		o := engine.CommitOptions{Container: container, Image: instantOn}
		res := run(t, o.Validate, func(s engine.Sink) (*engine.Result, error) { return e.Commit(ctx, o, s) })
		if res.Image != instantOn || res.ImageID == "" {
			t.Errorf("result %+v: want image %s with an id", res, instantOn)
		}
	})
	restore := func(t *testing.T, image string) {
		o := engine.RestoreOptions{Image: image, Ports: fx.Ports, Readiness: fx.Readiness}
		res := run(t, o.Validate, func(s engine.Sink) (*engine.Result, error) { return e.Restore(ctx, o, s) })
		if res.Restore == nil || res.Restore.Verdict != engine.Restored || res.Restore.Ready <= 0 {
			t.Errorf("restore outcome %+v: want restored with a ready time", res.Restore)
		}
		if res.ContainerID != "" {
			t.Errorf("restore without keep_running left container %s", res.ContainerID)
		}
	}
	t.Run("Restore", func(t *testing.T) { restore(t, instantOn) })
	t.Run("CheckpointImage", func(t *testing.T) {
		o := engine.CheckpointImageOptions{AppInputs: engine.AppInputs{BaseImage: fx.BaseImage, AppArchive: fx.AppArchive, ServerXML: fx.ServerXML},
			Image: chained, Phase: engine.BeforeAppStart}
		res := run(t, o.Validate, func(s engine.Sink) (*engine.Result, error) { return e.CheckpointImage(ctx, o, s) })
		if res.Image != chained || res.ImageID == "" || res.Phase != engine.BeforeAppStart || len(res.Timings) < 3 {
			t.Errorf("result %+v: want %s, an id, phase beforeAppStart and three timings", res, chained)
		}
		restore(t, chained)
	})
	t.Run("CancelCheckpoint", func(t *testing.T) {
		o := engine.CheckpointOptions{Image: appImage}
		if err := o.Validate(); err != nil {
			t.Fatal(err)
		}
		// Cancel as soon as the checkpoint step has started.
		cctx, cancel := context.WithCancel(ctx)
		var rec Recorder
		sink := rec.Sink()
		_, err := e.Checkpoint(cctx, o, func(ev engine.Event) {
			sink(ev)
			if ev.Progress != nil && ev.Progress.State == engine.StepStarted {
				cancel()
			}
		})
		cancel()
		if !engine.IsCanceled(err) {
			t.Fatalf("cancelled checkpoint returned %v, want a cancellation error", err)
		}
	})
}
