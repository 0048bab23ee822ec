package podman

import (
	"context"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/containers"
	"github.com/containers/podman/v4/pkg/bindings/system"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
)

// Commit turns a stopped checkpoint container into the InstantOn image: the container's file
// system (with the checkpoint) and configuration, WLP_CHECKPOINT reset so the image restores
// instead of checkpointing again, and labels recording where and how it was checkpointed.
func (e *Engine) Commit(ctx context.Context, o engine.CommitOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpCommit, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (res *engine.Result, err error) {
		cu := newCleanup(ctx, sink)
		defer cu.finish(&err)
		steps := engine.NewSteps(sink, 1)
		steps.Start("commit")
		if err := lockImage(ctx, cu, o.Image, "image"); err != nil {
			return nil, err
		}
		res, err = e.commit(ctx, c, cu, sink, o)
		if err != nil {
			return nil, err
		}
		res.AddTiming("commit", steps.Done(humanize.ShortID(res.ImageID)+" "+humanize.Bytes(res.ImageSize)))
		return res, nil
	})
}

func (e *Engine) commit(ctx context.Context, c *conn, cu *cleanup, sink engine.Sink, o engine.CommitOptions) (*engine.Result, error) {
	ctr, err := inspectContainer(ctx, o.Container, "container")
	if err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(ctr.Name, "/")
	if ctr.State != nil {
		switch {
		case ctr.State.Running || ctr.State.Paused:
			return nil, engine.Errorf(engine.CodeFailedPrecondition, "container",
				"wait for the checkpoint run to finish (it exits after the dump), or pass the container the checkpoint step made",
				"container %s is %s; only a checkpoint container that has exited can be committed", name, ctr.State.Status)
		case ctr.State.ExitCode != 0:
			return nil, engine.Errorf(engine.CodeFailedPrecondition, "container",
				"run the checkpoint again and fix what its log shows (podman logs "+name+")",
				"the checkpoint run in container %s exited with code %d: there is no checkpoint to commit", name, ctr.State.ExitCode)
		}
	}
	var env []string
	if ctr.Config != nil {
		env = ctr.Config.Env
	}
	phaseValue, _ := envValue(env, "WLP_CHECKPOINT")
	if phaseValue == "" {
		return nil, engine.Errorf(engine.CodeFailedPrecondition, "container",
			"pass the container the checkpoint step made (its name starts with "+checkpointPrefix+" unless you named it)",
			"container %s was not a checkpoint run: WLP_CHECKPOINT is not set in its environment", name)
	}
	phase, _, err := engine.ParsePhase("container", phaseValue)
	if err != nil {
		return nil, err
	}
	if _, err := containers.Stat(ctx, ctr.ID, engine.CheckpointDir+"/inventory.img"); err != nil {
		if isConnectionLost(err) { // "dial unix ...: no such file or directory" is the service, not the file
			return nil, failed(err, engine.CodeUnavailable, "", "cannot look at the checkpoint in container %s", name)
		}
		if isNotFound(err) {
			return nil, engine.Errorf(engine.CodeFailedPrecondition, "container", "run the checkpoint step again",
				"container %s holds no checkpoint (%s/inventory.img is missing)", name, engine.CheckpointDir)
		}
		sink.Debugf("cannot check the checkpoint in %s: %v", name, err)
	}

	labels := e.commitLabels(ctx, c, sink, ctr.ID, ctr.Image, phase, o.Labels)
	sink.Debugf("labels: %s", describeLabels(labels))
	// Commit under a temporary name, check, then publish: the name the user chose never points
	// to a half-made image, whatever happens to this process meanwhile.
	tmp := tempImageRef("commit")
	maps.Copy(labels, imageLabels(ctx, tmp, engine.OpCommit))
	changes := []string{"ENV WLP_CHECKPOINT="}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		changes = append(changes, "LABEL "+k+"="+labels[k])
	}

	cu.always("temporary image "+tmp, func(ctx context.Context) error { return removeImage(ctx, tmp) })
	repo, tag := splitRef(tmp)
	no := false
	sink.Infof("committing container %s as %s (phase %s)", name, o.Image, phase)
	if _, err := containers.Commit(ctx, ctr.ID, &containers.CommitOptions{Repo: &repo, Tag: &tag, Changes: changes, Pause: &no}); err != nil {
		return nil, failed(err, engine.CodeFailedPrecondition, "check the disk space and the image name", "cannot commit container %s as %s", name, o.Image)
	}
	img, err := inspectImage(ctx, tmp, "image", "retry; the image was just committed")
	if err != nil {
		return nil, err
	}
	if img.Config != nil {
		if v, _ := envValue(img.Config.Env, "WLP_CHECKPOINT"); v != "" {
			return nil, engine.Errorf(engine.CodeInternal, "", "report this: the commit did not reset WLP_CHECKPOINT",
				"the committed image %s still has WLP_CHECKPOINT=%s and would checkpoint again instead of restoring", o.Image, v)
		}
	}
	if err := publish(ctx, tmp, o.Image); err != nil {
		return nil, err
	}
	res := &engine.Result{Image: o.Image, ImageID: engine.CanonicalImageID(img.ID), ImageSize: img.Size, Phase: phase}
	if o.KeepContainer {
		res.ContainerID, res.ContainerName = ctr.ID, name
	} else if err := removeContainer(ctx, ctr.ID, 0); err != nil {
		sink.Warnf("could not remove the checkpoint container %s: %v", name, err)
	} else {
		sink.Infof("removed the checkpoint container %s", name)
	}
	sink.Infof("committed %s (%s, %s)", o.Image, humanize.ShortID(img.ID), humanize.Bytes(img.Size))
	return res, nil
}

// commitLabels returns the labels of the InstantOn image: the user's, then the engine's
// (which win): when, from what base, at which phase, and on which kernel, CPU and CRIU.
func (e *Engine) commitLabels(ctx context.Context, c *conn, sink engine.Sink, ctrID, imageID string, phase engine.Phase, user map[string]string) map[string]string {
	labels := e.checkpointLabels(ctx, c, sink, phase, user)
	if img, err := inspectImage(ctx, imageID, "container", ""); err == nil {
		if base := img.Labels[engine.LabelBaseName]; base != "" {
			labels[engine.LabelBaseName] = base
		}
	}
	if lines, err := readLogs(ctx, ctrID); err == nil {
		maps.Copy(labels, engine.MemoryLabels(lines))
	} else {
		sink.Debugf("cannot read the checkpoint run's output for its memory: %v", err)
	}
	if head, err := readContainerFile(ctx, ctrID, engine.CheckpointLog, 64<<10, false); err == nil {
		if v := criuVersion(string(head)); v != "" {
			labels[engine.LabelCRIUVersion] = v
		}
	}
	return labels
}

var criuVersionRE = regexp.MustCompile(`(?m)^\(?[0-9.: ]*\)?\s*Version:\s*([0-9][0-9A-Za-z.+~-]*)`)

// criuVersion finds the "Version: x.y.z" line CRIU writes at the top of its log.
func criuVersion(log string) string {
	if m := criuVersionRE.FindStringSubmatch(log); m != nil {
		return m[1]
	}
	return ""
}

// checkpointLabels are the labels every InstantOn image gets: the user's, then the engine's
// (which win): when, at which phase, by which version, and on which host.
func (e *Engine) checkpointLabels(ctx context.Context, c *conn, sink engine.Sink, phase engine.Phase, user map[string]string) map[string]string {
	labels := maps.Clone(user)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[engine.LabelCreated] = time.Now().UTC().Format(time.RFC3339)
	labels[engine.LabelPhase] = string(phase)
	if e.Version != "" {
		labels[engine.LabelToolVersion] = e.Version
	}
	hostLabels(ctx, c, sink, labels)
	return labels
}

// hostLabels records what a restore depends on about the host that checkpoints: its kernel and
// architecture (from Podman) and its CPU flags: from /proc/cpuinfo when Podman runs on this
// machine, else from a probe container on the Podman host (containers see the host's CPU).
func hostLabels(ctx context.Context, c *conn, sink engine.Sink, labels map[string]string) {
	info, err := system.Info(ctx, nil)
	if err != nil || info.Host == nil {
		sink.Warnf("cannot read the Podman host's kernel and architecture: %v", err)
		return
	}
	labels[engine.LabelKernel] = info.Host.Kernel
	labels[engine.LabelArch] = hostinfo.UnameMachine(info.Host.Arch)
	if c.local {
		cpuinfo, err := os.ReadFile("/proc/cpuinfo")
		if flags := hostinfo.CPUFlags(cpuinfo); len(flags) > 0 {
			labels[engine.LabelCPUFlags] = strings.Join(flags, " ")
		} else {
			sink.Debugf("cannot read the CPU flags from /proc/cpuinfo (%v)", err)
		}
		return
	}
	h, err := readRemoteHost(ctx, c, info.Host.Arch, sink)
	switch {
	case err != nil:
		sink.Warnf("cannot read the CPU flags of the Podman host %s: %v (doctor cannot compare CPUs for this image)", c.uri, err)
	case len(h.CPUFlags) == 0:
		sink.Warnf("the Podman host %s shows no CPU flags in /proc/cpuinfo (doctor cannot compare CPUs for this image)", c.uri)
	default:
		labels[engine.LabelCPUFlags] = strings.Join(h.CPUFlags, " ")
		sink.Debugf("read the CPU flags of the Podman host %s (Linux %s, %s) in a probe container", c.uri, h.Kernel, h.Machine)
	}
}

func describeLabels(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, fmt.Sprintf("%s=%s", k, labels[k]))
	}
	return strings.Join(parts, " ")
}
