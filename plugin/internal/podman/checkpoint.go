package podman

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/containers"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
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
		res, err = e.checkpoint(ctx, c, cu, sink, o, engine.OpCheckpoint)
		if err != nil {
			return nil, err
		}
		res.AddTiming("checkpoint", steps.Done(humanize.Bytes(res.CheckpointSize)))
		return res, nil
	})
}

// failureGrace is how long a checkpoint run goes on after the first message that an application
// failed, to collect the lines that explain it, before it is stopped.
const failureGrace = time.Second

// checkpoint runs the checkpoint container. role is the operation it serves: a standalone
// checkpoint's container is its product (prune keeps it once it has exited 0); the chain's is
// intermediate.
func (e *Engine) checkpoint(ctx context.Context, c *conn, cu *cleanup, sink engine.Sink, o engine.CheckpointOptions, role string) (*engine.Result, error) {
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
	keep := ""
	if role == engine.OpCheckpoint {
		keep = keepIfExited0
	}
	r := run{Name: name, Image: o.Image, Env: env, Policy: privilege.Checkpoint, Seccomp: seccomp, Role: role, Keep: keep, Network: o.Network}
	id, _, err := r.create(ctx, cu)
	if err != nil {
		return nil, err
	}
	sink.Infof("checkpoint run: container %s from %s with WLP_CHECKPOINT=%s; %s, %s", name, o.Image, o.Phase,
		strings.Join(r.Policy.Caps, ", "), privilege.DescribeSeccomp(r.Policy.SeccompFor(r.Seccomp)))
	if o.Network == engine.NetworkHost {
		sink.Infof("checkpoint run: network host: %s shares the host's network (asked for)", name)
	}

	output := newRingLog(tailLines)
	watch := newAppWatch(nil, o.Phase)
	if err := containers.Start(ctx, id, nil); err != nil {
		return nil, failed(err, engine.CodeFailedPrecondition, "liberty-checkpoint doctor checks the host and Podman",
			"cannot start the checkpoint container %s", name)
	}
	// The applications the server configuration deploys, read from the running container while
	// the server starts: the watch needs them only for its verdict. Read before the start, they
	// cost the run 0.2-0.4 s (the archive API mounts a created container for each read).
	appsRead := make(chan struct{})
	go func() {
		defer close(appsRead)
		apps, err := configuredApps(ctx, id)
		if err != nil {
			sink.Debugf("cannot read the server configuration in %s: %v", name, err)
		}
		if len(apps) > 0 {
			sink.Debugf("applications the checkpoint waits for (%s): %s", engine.MsgAppStarted, strings.Join(apps, ", "))
		}
		watch.Expect(apps)
	}()
	verdict := func(tail []string) error {
		<-appsRead
		return watch.Verdict(o.Image, tail)
	}
	delivered := 0 // lines the follower passed on (one call at a time)
	onLine := func(line string) {
		delivered++
		output.Add(line)
		watch.Observe(line)
		sink.Logf(engine.SourceContainer, engine.LevelInfo, "%s", line)
	}
	logs := followLogs(ctx, id, onLine)
	wctx, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	type exit struct {
		code int32
		err  error
	}
	exited := make(chan exit, 1)
	go func() {
		code, err := waitExit(wctx, id)
		exited <- exit{code, err}
	}()
	var code int32
	select {
	case x := <-exited:
		if x.err != nil {
			logs.stop()
			return nil, failed(x.err, engine.CodeInternal, "retry", "waiting for the checkpoint container %s", name)
		}
		code = x.code
		// Podman ends a follow stream 0.25-0.5 s after the container's exit (it polls the state,
		// then the log file): stop it now and read what it had not passed on yet.
		logs.stop()
		if rest, err := readLogs(ctx, id); err != nil {
			sink.Debugf("cannot read the output of %s: %v", name, err)
		} else if len(rest) > delivered {
			for _, l := range rest[delivered:] {
				onLine(l)
			}
		}
	case <-watch.Failed():
		// An application failed: stop the run within seconds instead of checkpointing a server
		// without it. The clean-up removes the container.
		select {
		case <-exited:
		case <-time.After(failureGrace):
		}
		stopWaiting()
		logs.stop()
		sink.Warnf("an application failed to start: stopping the checkpoint run %s", name)
		return nil, verdict(output.Lines())
	}

	if code != 0 {
		tail := output.Lines()
		if err := verdict(tail); err != nil {
			return nil, err
		}
		tail = append(tail, fileTail(ctx, sink, id, engine.CheckpointLog)...)
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "image",
			Message: fmt.Sprintf("the checkpoint run of %s (phase %s) exited with code %d", o.Image, o.Phase, code),
			Fix:     checkpointFix, LogTail: tail}
	}
	if err := verdict(output.Lines()); err != nil {
		return nil, err
	}
	found, err := hasCheckpointFiles(ctx, id)
	if err != nil {
		return nil, failed(err, engine.CodeInternal, "retry", "cannot read %s in container %s", engine.CheckpointDir, name)
	}
	if !found {
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "image",
			Message: fmt.Sprintf("the checkpoint run of %s exited 0 but left no checkpoint in %s", o.Image, engine.CheckpointDir),
			Fix:     noCheckpointFix, LogTail: output.Lines()}
	}
	size, err := writtenSize(ctx, id)
	if err != nil {
		return nil, failed(err, engine.CodeInternal, "retry", "cannot read the size of container %s", name)
	}
	sink.Infof("checkpoint complete in %s of container %s; the run wrote %s (the checkpoint and its logs)", engine.CheckpointDir, name, humanize.Bytes(size))
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
