package podman

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/containers"
	"github.com/containers/podman/v4/pkg/bindings/images"
	"github.com/containers/podman/v4/pkg/bindings/volumes"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// helperGrace is how long a helper process of a gone operation gets between SIGTERM and SIGKILL.
const helperGrace = 5 * time.Second

// Prune removes what operations whose process has ended left behind (see ownership.go), and
// nothing else.
func (e *Engine) Prune(ctx context.Context, o engine.PruneOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpPrune, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (*engine.Result, error) {
		steps := engine.NewSteps(sink, 1)
		steps.Start("prune")
		sum, err := prune(ctx, sink)
		if err != nil {
			return nil, err
		}
		if sum.Removed() == 0 {
			sink.Infof("nothing to remove: no operation that ended left anything behind")
		}
		if sum.InUse > 0 {
			sink.Infof("left alone: %d object(s) of operations that still run (or ran on another machine)", sum.InUse)
		}
		res := &engine.Result{Prune: sum}
		res.AddTiming("prune", steps.Done(fmt.Sprintf("%d removed", sum.Removed())))
		return res, nil
	})
}

// autoPrune is the prune every operation starts with. It never fails the operation.
func autoPrune(ctx context.Context, sink engine.Sink) {
	if _, err := prune(ctx, sink); err != nil {
		sink.Debugf("prune: %v", err)
	}
}

// prune removes the containers, temporary image names, lock volumes and temporary directories
// (with their helper processes) whose owner is gone. What it cannot remove it reports and leaves.
func prune(ctx context.Context, sink engine.Sink) (*engine.PruneSummary, error) {
	sum := &engine.PruneSummary{}
	judge := func(labels map[string]string) (owner.Owner, bool, string) {
		o, ok := owner.FromLabels(labels)
		if !ok {
			return o, false, "" // not made by an operation that records its owner: not ours to judge
		}
		st, why := o.Status()
		if st != owner.Gone {
			sum.InUse++
			return o, false, why
		}
		return o, true, why
	}

	ctrs, err := containers.List(ctx, &containers.ListOptions{All: ptr(true), Filters: map[string][]string{"label": {owner.Label}}})
	if err != nil {
		return sum, failed(err, engine.CodeInternal, "retry", "cannot list containers")
	}
	for _, c := range ctrs {
		if len(c.Names) == 0 || c.Labels[labelContainer] != c.Names[0] {
			continue // labels inherited from an image the engine made: someone else's container
		}
		name := c.Names[0]
		o, gone, why := judge(c.Labels)
		if !gone || isKept(c.Labels[labelKeep], c.State, c.ExitCode) {
			continue
		}
		if err := removeContainer(ctx, c.ID, 0); err != nil {
			sink.Warnf("prune: could not remove container %s of %s: %v", name, o, err)
			continue
		}
		sum.Containers = append(sum.Containers, name)
		sink.Infof("prune: removed container %s: it was left by %s, which ended (%s)", name, o, why)
	}

	imgs, err := images.List(ctx, &images.ListOptions{Filters: map[string][]string{"label": {owner.Label}}})
	if err != nil {
		return sum, failed(err, engine.CodeInternal, "retry", "cannot list images")
	}
	for _, img := range imgs {
		var temp []string
		for _, n := range img.RepoTags {
			if strings.HasPrefix(n, tempImagePrefix) && img.Labels[labelImage] == n {
				temp = append(temp, n)
			}
		}
		if len(temp) == 0 {
			continue // a product (only names the user chose), or labels inherited by someone else's image
		}
		o, gone, why := judge(img.Labels)
		if !gone {
			continue
		}
		for _, n := range temp {
			if err := removeImage(ctx, n); err != nil && err != errNothingRemoved {
				sink.Warnf("prune: could not remove image %s of %s: %v", n, o, err)
				continue
			}
			sum.Images = append(sum.Images, n)
			sink.Infof("prune: removed image %s: it was left by %s, which ended (%s)", n, o, why)
		}
	}

	vols, err := volumes.List(ctx, &volumes.ListOptions{Filters: map[string][]string{"label": {labelLock}}})
	if err != nil {
		return sum, failed(err, engine.CodeInternal, "retry", "cannot list volumes")
	}
	for _, v := range vols {
		o, gone, why := judge(v.Labels)
		if !gone {
			continue
		}
		if err := removeVolume(ctx, v.Name); err != nil && err != errNothingRemoved {
			sink.Warnf("prune: could not remove lock volume %s of %s: %v", v.Name, o, err)
			continue
		}
		sum.Volumes = append(sum.Volumes, v.Name)
		sink.Infof("prune: removed lock %s on %s: it was left by %s, which ended (%s)", v.Name, v.Labels[labelLock], o, why)
	}

	// The host puts its plugin socket directory in /tmp when $TMPDIR is too long for a socket.
	var leftovers []owner.Leftover
	for _, dir := range slices.Compact([]string{os.TempDir(), "/tmp"}) {
		leftovers = append(leftovers, owner.Leftovers(dir, tempDirPrefix)...)
	}
	for _, l := range leftovers {
		ended, err := l.Remove(helperGrace)
		sum.Processes += ended
		if ended > 0 {
			sink.Infof("prune: ended %d helper process(es) of %s, which ended (%s)", ended, l.Record.Owner, l.Why)
		}
		if err != nil {
			sink.Warnf("prune: could not remove %s: %v", l.Dir, err)
			continue
		}
		sum.Directories = append(sum.Directories, l.Dir)
		sink.Infof("prune: removed %s: it was left by %s, which ended (%s)", l.Dir, l.Record.Owner, l.Why)
	}
	return sum, nil
}

// isKept reports whether a container whose operation ended is a product to keep: a checkpoint
// container that exited 0 (the checkpoint to commit), or a restore left running on request.
func isKept(keep, state string, exitCode int32) bool {
	switch keep {
	case keepIfExited0:
		return (state == "exited" || state == "stopped") && exitCode == 0
	case keepIfRunning:
		return state == "running"
	}
	return false
}

func ptr[T any](v T) *T { return &v }
