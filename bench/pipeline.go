package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
)

// pipelineScript is the tool's pipeline as plain podman commands.
//
//go:embed podman-pipeline.sh
var pipelineScript string

// pipelineSample is one build of the InstantOn image: wall time (ms) and what it made (bytes).
type pipelineSample struct {
	Wall float64
	// Steps are the step times (ms): the tool's own, or what the script printed.
	Steps map[string]float64
	// RSS is the server's VmRSS just before the dump, RSSStarted before the checkpoint script
	// compacted it; CheckpointFiles the checkpoint directory (only the tool measures it);
	// TopLayer the InstantOn image's newest layer.
	RSS, RSSStarted, CheckpointFiles, TopLayer float64
}

// pipelineTool builds the InstantOn image the way users do: liberty-checkpoint checkpoint-image.
func (b *bench) pipelineTool(ctx context.Context, round int) (s pipelineSample, err error) {
	image := fmt.Sprintf("localhost/%s-tool:r%d", b.prefix, round)
	b.res.addImage(image)
	defer func() { err = b.removeImage(ctx, image, err) }()
	t0 := time.Now()
	out, runErr := run(ctx, b.cfg.CLI, b.checkpointImageArgs(b.sample(), image)...)
	s.Wall = ms(time.Since(t0))
	ev, perr := ParseCLIEvents(bytes.NewReader(out))
	if runErr != nil {
		if ev.Err != "" {
			return s, fmt.Errorf("%s checkpoint-image: %s", b.cfg.CLI, ev.Err)
		}
		return s, runErr
	}
	if perr != nil {
		return s, perr
	}
	s.Steps = map[string]float64{}
	for k, v := range ev.Timings {
		s.Steps[k] = ms(v)
	}
	s.CheckpointFiles = float64(ev.CheckpointBytes)
	return s, b.measureImage(ctx, image, ev.Output, &s)
}

// pipelineScript builds the same image with bench/podman-pipeline.sh.
func (b *bench) pipelineScript(ctx context.Context, round int) (s pipelineSample, err error) {
	image := fmt.Sprintf("localhost/%s-script:r%d", b.prefix, round)
	app := image + "-app"
	container := fmt.Sprintf("%s-script-r%d", b.prefix, round)
	b.res.addImage(image)
	b.res.addImage(app)
	b.res.addContainer(container)
	defer func() { err = b.removeImage(ctx, image, err) }()
	t0 := time.Now()
	out, err := run(ctx, "bash", "-c", pipelineScript, "podman-pipeline.sh",
		b.cfg.Base, b.cfg.War, b.cfg.ConfigDir, image, app, container, strings.Join(privilege.Checkpoint.PodmanArgs(""), " "))
	s.Wall = ms(time.Since(t0))
	if err != nil {
		return s, fmt.Errorf("bench/podman-pipeline.sh: %w%s", err, tail(string(out), 10))
	}
	b.res.forget(app, container) // the script removed them
	s.Steps = ScriptSteps(string(out))
	s.CheckpointFiles = nan()
	return s, b.measureImage(ctx, image, string(out), &s)
}

// checkpointImageArgs are the CLI arguments that build image from a workload.
// With the bench's running Podman service, the CLI talks to it, as for a user with podman.socket
// running; otherwise it starts a transient service of its own.
func (b *bench) checkpointImageArgs(w *workload, image string, extra ...string) []string {
	args := []string{"checkpoint-image", "--output", "json", "--base-image", b.cfg.Base,
		"--app-archive", w.War, "--config-directory", w.ConfigDir, "--image", image}
	if b.svc != nil {
		args = append(args, "--podman-url", b.svc.URL())
	}
	return append(args, extra...)
}

// sample is the workload the pipelines build: the built-in sample.
func (b *bench) sample() *workload {
	return &workload{Key: "sample", War: b.cfg.War, ConfigDir: b.cfg.ConfigDir}
}

// measureImage reads the RSS from the checkpoint run's output and the top layer's size.
func (b *bench) measureImage(ctx context.Context, image, output string, s *pipelineSample) error {
	s.RSS, s.RSSStarted, s.TopLayer = nan(), nan(), nan()
	if rss, ok := RSSBytes(output); ok {
		s.RSS = float64(rss)
	}
	if rss, ok := RSSStartedBytes(output); ok {
		s.RSSStarted = float64(rss)
	}
	hist, err := run(ctx, "podman", "history", "--format", "json", image)
	if err != nil {
		return err
	}
	top, err := TopLayerBytes(hist)
	if err != nil {
		return err
	}
	s.TopLayer = float64(top)
	return nil
}

// removeImage removes a measured image and returns err, or the removal's error if err is nil.
func (b *bench) removeImage(ctx context.Context, image string, err error) error {
	rerr := b.res.removeImage(context.WithoutCancel(ctx), image)
	if err == nil {
		return rerr
	}
	return err
}
