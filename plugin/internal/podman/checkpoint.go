package podman

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/containers"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// checkpointFix is the advice for a checkpoint run that failed.
const checkpointFix = "read the container output and checkpoint.log lines above. Common causes: the base image does not " +
	"support InstantOn (it needs OpenJ9's CRIU API, as IBM Semeru's UBI images have, or this project's local flavor); " +
	"the kernel is older than 5.9 or denies CAP_CHECKPOINT_RESTORE; CRIU in the image is too old for this kernel. " +
	"liberty-checkpoint doctor --image <image> checks these"

// noCheckpointFix is the advice when a checkpoint step succeeded but left no checkpoint.
const noCheckpointFix = "use a base image that supports InstantOn (Open Liberty's UBI images with IBM Semeru, or one made by " +
	"liberty-checkpoint build-base-image) and check that its start script honours WLP_CHECKPOINT"

// Checkpoint runs the application image once with WLP_CHECKPOINT=<phase>: the server starts,
// reaches the phase and dumps itself with CRIU, and the container exits. The stopped container
// holds the checkpoint; Commit turns it into the InstantOn image.
func (e *Engine) Checkpoint(ctx context.Context, o engine.CheckpointOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpCheckpoint, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (res *engine.Result, err error) {
		cu := newCleanup(ctx, sink)
		defer cu.finish(&err)
		steps := engine.NewSteps(sink, 1)
		steps.Start("checkpoint")
		res, err = e.checkpoint(ctx, c, cu, sink, o)
		if err != nil {
			return nil, err
		}
		res.AddTiming("checkpoint", steps.Done(humanize.Bytes(res.CheckpointSize)))
		return res, nil
	})
}

func (e *Engine) checkpoint(ctx context.Context, c *conn, cu *cleanup, sink engine.Sink, o engine.CheckpointOptions) (*engine.Result, error) {
	img, err := inspectImage(ctx, o.Image, "image",
		"build the application image first (liberty-checkpoint containerize), or check the name (podman images lists them)")
	if err != nil {
		return nil, err
	}
	name := o.ContainerName
	if name == "" {
		name = checkpointPrefix + randomSuffix()
	}
	env := maps.Clone(o.Env)
	if env == nil {
		env = map[string]string{}
	}
	env["WLP_CHECKPOINT"] = string(o.Phase)
	seccomp, err := c.hostFile(ctx, cu, o.SeccompProfile, "seccomp_profile")
	if err != nil {
		return nil, err
	}
	r := run{Name: name, Image: o.Image, Env: env, Caps: checkpointCaps, Seccomp: seccomp, Role: engine.OpCheckpoint}
	id, _, err := r.create(ctx, cu)
	if err != nil {
		return nil, err
	}
	sink.Infof("checkpoint run: container %s from %s with WLP_CHECKPOINT=%s", name, o.Image, o.Phase)

	output := newRingLog(tailLines)
	if err := containers.Start(ctx, id, nil); err != nil {
		return nil, failed(err, engine.CodeFailedPrecondition, "liberty-checkpoint doctor checks the host and Podman",
			"cannot start the checkpoint container %s", name)
	}
	logs := followLogs(ctx, id, func(line string) {
		output.Add(line)
		sink.Logf(engine.SourceContainer, engine.LevelInfo, "%s", line)
	})
	code, err := waitExit(ctx, id)
	if err != nil {
		logs.stop()
		return nil, failed(err, engine.CodeInternal, "retry", "waiting for the checkpoint container %s", name)
	}
	logs.wait(3 * time.Second)

	if code != 0 {
		tail := output.Lines()
		tail = append(tail, fileTail(ctx, sink, id, engine.CheckpointLog)...)
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "image",
			Message: fmt.Sprintf("the checkpoint run of %s (phase %s) exited with code %d", o.Image, o.Phase, code),
			Fix:     checkpointFix, LogTail: tail}
	}
	size, files, err := treeSize(ctx, id, engine.CheckpointDir)
	if err != nil && !isNotFound(err) {
		return nil, failed(err, engine.CodeInternal, "retry", "cannot read %s in container %s", engine.CheckpointDir, name)
	}
	if files == 0 {
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "image",
			Message: fmt.Sprintf("the checkpoint run of %s exited 0 but left no checkpoint in %s", o.Image, engine.CheckpointDir),
			Fix:     noCheckpointFix, LogTail: output.Lines()}
	}
	sink.Infof("checkpoint complete: %d files, %s in %s of container %s", files, humanize.Bytes(size), engine.CheckpointDir, name)
	return &engine.Result{Image: o.Image, ImageID: engine.CanonicalImageID(img.ID), ContainerID: id, ContainerName: name, Phase: o.Phase, CheckpointSize: size}, nil
}

// fileTail reads the last lines of a log file in a container, emits them as file log events
// and returns them prefixed with the file's name for an error's LogTail. A missing file gives
// nothing.
func fileTail(ctx context.Context, sink engine.Sink, id, path string) []string {
	data, err := readContainerFile(ctx, id, path, 256<<10, true)
	if err != nil || len(data) == 0 {
		if err != nil && !isNotFound(err) {
			sink.Debugf("cannot read %s: %v", path, err)
		}
		return nil
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 1 && len(data) == 256<<10 {
		lines = lines[1:] // the first may be cut
	}
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	base := path[strings.LastIndex(path, "/")+1:]
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		sink.Logf(engine.SourceFile, engine.LevelWarn, "%s: %s", base, l)
		out = append(out, base+": "+l)
	}
	return out
}
