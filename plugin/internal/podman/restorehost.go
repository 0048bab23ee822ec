package podman

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/containers/podman/v4/pkg/bindings/images"
	"github.com/containers/podman/v4/pkg/bindings/system"
	"github.com/containers/podman/v4/pkg/domain/entities"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostmatch"
)

const restoreImageFix = "make the InstantOn image first (liberty-checkpoint checkpoint-image), or check the name (podman images lists them)"

// restoreImage inspects the image to restore; one that Podman's storage lacks and whose name
// names a registry is pulled first, with the request's registry settings (another host restoring
// what the build host pushed).
func restoreImage(ctx context.Context, c *conn, sink engine.Sink, o engine.RestoreOptions) (*entities.ImageInspectReport, error) {
	img, err := inspectImage(ctx, o.Image, "image", restoreImageFix)
	if engine.CodeOf(err) != engine.CodeNotFound || engine.RegistryOf(o.Image) == "" || strings.HasPrefix(o.Image, "localhost/") {
		return img, err
	}
	r := o.Registry
	out := registryProgress(sink, r)
	opts := new(images.PullOptions).WithPolicy("missing").WithQuiet(false).WithProgressWriter(out).WithSkipTLSVerify(!r.Verify())
	if r.AuthFile != "" {
		opts.WithAuthfile(r.AuthFile)
	}
	if r.Creds != "" {
		opts.WithUsername(r.User()).WithPassword(r.Password())
	}
	lent, err := lendCerts(c, r, o.Image)
	if err != nil {
		return nil, err
	}
	sink.Infof("pulling %s: Podman's storage does not hold it", o.Image)
	_, err = images.Pull(ctx, o.Image, opts)
	lent()
	out.Flush()
	if err != nil {
		return nil, registryError(err, "pull", "image", o.Image, r)
	}
	return inspectImage(ctx, o.Image, "image", restoreImageFix)
}

// checkHost compares what the image recorded about the host that checkpointed it with this one,
// before any container exists: a difference that makes the restore impossible fails the call
// when recovery is disabled (a fallback to a cold start is all that could happen otherwise), and
// is a warning when it is not; a risk is a warning.
func (e *Engine) checkHost(ctx context.Context, c *conn, sink engine.Sink, o engine.RestoreOptions, labels map[string]string) error {
	if labels[engine.LabelPhase] == "" {
		return nil // not an image this tool checkpointed: nothing recorded
	}
	h := hostmatch.Host{Memory: o.MemoryBytes}
	if release, machine, err := hostinfo.Uname(); c.local && err == nil {
		// Podman runs here: this machine's kernel, without a podman info (which reads its storage).
		h.Kernel, h.Arch = release, machine
		if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil {
			h.CPUFlags = hostinfo.CPUFlags(cpuinfo)
		}
	} else if info, err := system.Info(ctx, nil); err == nil && info.Host != nil {
		h.Kernel, h.Arch = info.Host.Kernel, hostinfo.UnameMachine(info.Host.Arch)
	} else {
		sink.Debugf("cannot read the Podman host's kernel and architecture: %v", err)
	}
	var blocking []hostmatch.Finding
	for _, f := range hostmatch.Compare(labels, h) {
		switch f.Severity {
		case hostmatch.Blocking:
			blocking = append(blocking, f)
			sink.Warnf("%s: %s (fix: %s)", f.ID, f.Found, f.Fix)
		case hostmatch.Risk:
			sink.Warnf("%s: %s (fix: %s)", f.ID, f.Found, f.Fix)
		case hostmatch.Same:
			sink.Debugf("%s: %s", f.ID, f.Found)
		}
	}
	if len(blocking) == 0 {
		return nil
	}
	f := blocking[0]
	if f.ID == "image.arch" || o.DisableRecovery {
		field := "image"
		if f.ID == "image.memory" {
			field = "memory"
		}
		return &engine.Error{Code: engine.CodeFailedPrecondition, Field: field, Err: errors.New(f.Found),
			Message: "the checkpoint in " + o.Image + " cannot be restored on this host (checked before starting a container)",
			Fix:     f.Fix + "; doctor --image " + o.Image + " shows every difference"}
	}
	sink.Warnf("restoring anyway: without --disable-recovery the server falls back to a cold start if the restore fails")
	return nil
}
