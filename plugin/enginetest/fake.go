// Package enginetest provides a scripted engine.Engine for tests of everything above the engine
// (transport, CLI, build-tool shims), and a conformance suite that every Engine, fake or real,
// must pass.
package enginetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Fake is an engine.Engine that plays a plausible script of events for each operation without
// touching any container engine. It records every call, can fail an operation on request, and
// honours cancellation the way a real engine must: it reports a clean-up and returns a
// cancellation error.
type Fake struct {
	// StepDelay is how long each step takes. Cancellation is checked during the wait.
	StepDelay time.Duration
	// Errors makes an operation (engine.Op*) fail with the given error after its first step.
	Errors map[string]error
	// OnCancel is called after the clean-up of a cancelled operation.
	OnCancel func(op string)
	// OnCall is called with each call as it starts.
	OnCall func(Call)

	mu    sync.Mutex
	calls []Call
}

var _ engine.Engine = (*Fake)(nil)

// Call is one recorded engine call with its (validated) options.
type Call struct {
	Op      string
	Options any
}

// Calls returns the calls so far.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

func (f *Fake) record(op string, opts any) {
	c := Call{Op: op, Options: opts}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	if f.OnCall != nil {
		f.OnCall(c)
	}
}

// script runs steps in order, each emitting its logs and waiting StepDelay.
type step struct {
	name string
	logs []engine.Log
}

func (f *Fake) play(ctx context.Context, op string, sink engine.Sink, steps []step) (time.Duration, error) {
	start := time.Now()
	s := engine.NewSteps(sink, len(steps))
	for i, st := range steps {
		s.Start(st.name)
		for _, l := range st.logs {
			sink(engine.Event{Log: &l})
		}
		if err := f.wait(ctx, op, sink); err != nil {
			return 0, err
		}
		if i == 0 {
			if err := f.Errors[op]; err != nil {
				return 0, err
			}
		}
		s.Done("")
	}
	return time.Since(start), nil
}

func (f *Fake) wait(ctx context.Context, op string, sink engine.Sink) error {
	if ctx.Err() == nil {
		t := time.NewTimer(f.StepDelay)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
		}
	}
	sink.Warnf("cancelled: removing fake container lcp-fake-%s", op)
	if f.OnCancel != nil {
		f.OnCancel(op)
	}
	return &engine.Error{Code: engine.CodeCanceled, Message: op + " cancelled", Err: ctx.Err()}
}

// FakeImageID is the image id the fake reports for a reference.
func FakeImageID(ref string) string {
	sum := sha256.Sum256([]byte(ref))
	return "sha256:" + hex.EncodeToString(sum[:])
}

const fakeImageSize = 312_000_000

func buildLog(line string) engine.Log {
	return engine.Log{Source: engine.SourceBuild, Level: engine.LevelInfo, Line: line}
}

func containerLog(line string) engine.Log {
	return engine.Log{Source: engine.SourceContainer, Level: engine.LevelInfo, Line: line}
}

func (f *Fake) BuildBaseImage(ctx context.Context, o engine.BuildBaseImageOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpBuildBaseImage, o)
	d, err := f.play(ctx, engine.OpBuildBaseImage, sink, []step{{"build", []engine.Log{
		buildLog("STEP 1/2: FROM registry.access.redhat.com/ubi8/ubi-minimal"),
		buildLog("STEP 2/2: COPY helpers /opt/ol/helpers"),
	}}})
	if err != nil {
		return nil, err
	}
	return &engine.Result{Operation: engine.OpBuildBaseImage, Image: o.Image, ImageID: FakeImageID(o.Image),
		ImageSize: fakeImageSize, Timings: []engine.Timing{{Name: "build", Duration: d}}}, nil
}

func (f *Fake) Containerize(ctx context.Context, o engine.ContainerizeOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpContainerize, o)
	d, err := f.play(ctx, engine.OpContainerize, sink, []step{{"build", []engine.Log{
		buildLog("STEP 1/4: FROM " + o.BaseImage),
		buildLog("STEP 2/4: COPY --chown=1001:0 server.xml /config/"),
		buildLog("STEP 3/4: COPY --chown=1001:0 app /config/apps/"),
		buildLog("STEP 4/4: RUN configure.sh"),
	}}})
	if err != nil {
		return nil, err
	}
	return &engine.Result{Operation: engine.OpContainerize, Image: o.Image, ImageID: FakeImageID(o.Image),
		ImageSize: fakeImageSize + 10_000, Timings: []engine.Timing{{Name: "build", Duration: d}}}, nil
}

func checkpointLogs(phase engine.Phase) []engine.Log {
	return []engine.Log{
		containerLog("Launching defaultServer (Open Liberty) on Eclipse OpenJ9 VM"),
		containerLog(fmt.Sprintf("[AUDIT   ] CWWKC0451I: A server checkpoint \"%s\" was requested.", phase)),
		{Source: engine.SourceFile, Level: engine.LevelDebug, Line: "checkpoint.log: Dumping finished successfully"},
	}
}

func (f *Fake) Checkpoint(ctx context.Context, o engine.CheckpointOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpCheckpoint, o)
	d, err := f.play(ctx, engine.OpCheckpoint, sink, []step{{"checkpoint", checkpointLogs(o.Phase)}})
	if err != nil {
		return nil, err
	}
	name := o.ContainerName
	if name == "" {
		name = "lcp-checkpoint-fake"
	}
	return &engine.Result{Operation: engine.OpCheckpoint, Image: o.Image, ImageID: FakeImageID(o.Image),
		ContainerID: FakeImageID(name)[7:], ContainerName: name, Phase: o.Phase, CheckpointSize: 41_000_000,
		Timings: []engine.Timing{{Name: "checkpoint", Duration: d}}}, nil
}

func (f *Fake) Commit(ctx context.Context, o engine.CommitOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpCommit, o)
	d, err := f.play(ctx, engine.OpCommit, sink, []step{{"commit", nil}})
	if err != nil {
		return nil, err
	}
	return &engine.Result{Operation: engine.OpCommit, Image: o.Image, ImageID: FakeImageID(o.Image),
		ImageSize: fakeImageSize + 41_000_000, Phase: engine.DefaultPhase,
		Timings: []engine.Timing{{Name: "commit", Duration: d}}}, nil
}

func (f *Fake) Restore(ctx context.Context, o engine.RestoreOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpRestore, o)
	const evidence = "[AUDIT   ] CWWKC0452I: The Liberty server process resumed operation from a checkpoint in 0.183 seconds."
	d, err := f.play(ctx, engine.OpRestore, sink, []step{
		{"start", nil},
		{"ready", []engine.Log{containerLog(evidence)}},
	})
	if err != nil {
		return nil, err
	}
	out := &engine.RestoreOutcome{Verdict: engine.Restored, Ready: d, Evidence: evidence, Published: map[uint32]string{}}
	for i, p := range o.Ports {
		host := p.HostPort
		if host == 0 {
			host = uint16(40000 + i)
		}
		out.Published[uint32(p.ContainerPort)] = fmt.Sprintf("%s:%d", p.HostIP, host)
	}
	if o.Readiness.HTTPURL != "" {
		out.URL, out.HTTPStatus = o.Readiness.HTTPURL, 200
	}
	res := &engine.Result{Operation: engine.OpRestore, Image: o.Image, ImageID: FakeImageID(o.Image), Restore: out,
		Timings: []engine.Timing{{Name: "ready", Duration: d}}}
	if o.KeepRunning {
		res.ContainerName = o.ContainerName
		if res.ContainerName == "" {
			res.ContainerName = "lcp-restore-fake"
		}
		res.ContainerID = FakeImageID(res.ContainerName)[7:]
	}
	return res, nil
}

func (f *Fake) CheckpointImage(ctx context.Context, o engine.CheckpointImageOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpCheckpointImage, o)
	start := time.Now()
	s := engine.NewSteps(sink, 3)
	res := &engine.Result{Operation: engine.OpCheckpointImage, Image: o.Image, ImageID: FakeImageID(o.Image),
		ImageSize: fakeImageSize + 41_000_000, Phase: o.Phase, CheckpointSize: 41_000_000}
	for i, name := range []string{engine.OpContainerize, engine.OpCheckpoint, engine.OpCommit} {
		s.Start(name)
		if name == engine.OpCheckpoint {
			for _, l := range checkpointLogs(o.Phase) {
				sink(engine.Event{Log: &l})
			}
		}
		if err := f.wait(ctx, engine.OpCheckpointImage, sink); err != nil {
			return nil, err
		}
		if err := f.Errors[engine.OpCheckpointImage]; err != nil && i == 1 {
			return nil, err
		}
		res.AddTiming(name, s.Done(""))
	}
	res.Duration = time.Since(start)
	return res, nil
}

func (f *Fake) Doctor(ctx context.Context, o engine.DoctorOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpDoctor, o)
	checks := []engine.Check{
		{ID: "kernel.version", Status: engine.CheckOK, Found: "Linux 6.18.44 (>= 5.9: CAP_CHECKPOINT_RESTORE available)"},
		{ID: "podman.runtime", Status: engine.CheckWarn, Found: "crun 1.8.1 on hybrid cgroups",
			Fix: "set runtime = \"runc\" in /etc/containers/containers.conf"},
	}
	if err := f.wait(ctx, engine.OpDoctor, sink); err != nil {
		return nil, err
	}
	sum := &engine.DoctorSummary{}
	for _, c := range checks {
		sink.Check(c)
		sum.Add(c.Status)
	}
	if err := f.Errors[engine.OpDoctor]; err != nil {
		return nil, err
	}
	return &engine.Result{Operation: engine.OpDoctor, Image: o.Image, Doctor: sum}, nil
}

func (f *Fake) Kube(ctx context.Context, o engine.KubeOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpKube, o)
	if err := f.wait(ctx, engine.OpKube, sink); err != nil {
		return nil, err
	}
	if err := f.Errors[engine.OpKube]; err != nil {
		return nil, err
	}
	name := o.Name
	if name == "" {
		name = "app"
	}
	return &engine.Result{Operation: engine.OpKube, Image: o.Image, Kube: &engine.KubeOutcome{
		Files:            []string{o.OutputDir + "/" + name + ".yaml", o.OutputDir + "/liberty-checkpoint-" + name + ".json"},
		PodSecurityLevel: "privileged", PodSecurityReasons: []string{"baseline refuses capability CHECKPOINT_RESTORE"},
		MemoryBytes: 512 << 20}}, nil
}

// Prune plays a prune that finds one container and one temporary image left by an ended
// operation.
func (f *Fake) Prune(ctx context.Context, o engine.PruneOptions, sink engine.Sink) (*engine.Result, error) {
	f.record(engine.OpPrune, o)
	d, err := f.play(ctx, engine.OpPrune, sink, []step{{"prune", []engine.Log{
		{Source: engine.SourceTool, Level: engine.LevelInfo,
			Line: "removed container lcp-checkpoint-fake: operation 0f0f (process 4242) is gone"},
	}}})
	if err != nil {
		return nil, err
	}
	return &engine.Result{Operation: engine.OpPrune, Timings: []engine.Timing{{Name: "prune", Duration: d}},
		Prune: &engine.PruneSummary{Containers: []string{"lcp-checkpoint-fake"}, Images: []string{"localhost/lcp-tmp-app-fake:latest"}}}, nil
}
