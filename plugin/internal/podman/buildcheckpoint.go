package podman

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/containers/podman/v4/pkg/bindings/containers"
	"github.com/containers/podman/v4/pkg/bindings/system"
	"github.com/containers/podman/v4/pkg/specgen"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// checkpointStepRE finds a `RUN checkpoint.sh <phase>` a Containerfile already has.
var checkpointStepRE = regexp.MustCompile(`(?mi)^\s*RUN\s+(?:.*[\s/;&|])?checkpoint\.sh\s+([A-Za-z]+)`)

// buildFix is the advice for a build whose checkpoint step failed.
const buildFix = "read the build output above (the RUN checkpoint.sh step shows the server's and criu's messages). " +
	checkpointFix

// checkpointByBuild is checkpoint-image's build method, Open Liberty's documented flow: the
// application image's build ends with `RUN checkpoint.sh <phase>`, and Podman gives that step
// the checkpoint run's capabilities (never --privileged) and seccomp profile. The layer the step
// writes holds the checkpoint, so what the build tags is the InstantOn image: no container is
// run or committed. A Containerfile that already runs checkpoint.sh is built as it is.
func (e *Engine) checkpointByBuild(ctx context.Context, c *conn, cu *cleanup, sink engine.Sink, o engine.CheckpointImageOptions) (*engine.Result, error) {
	steps := engine.NewSteps(sink, 2)
	if err := requireBuildCapabilities(ctx); err != nil {
		return nil, err
	}
	if o.KeepAppImage {
		sink.Warnf("keep_app_image: the build method makes no separate application image; the InstantOn image is %s", o.Image)
	}
	phase, own, err := buildPhase(o)
	if err != nil {
		return nil, err
	}

	co := o.ContainerizeOptions(o.Image)
	co.Labels = e.checkpointLabels(ctx, c, sink, phase, o.Labels)

	policy := privilege.Checkpoint
	seccomp, err := c.hostFile(ctx, cu, policy.SeccompFor(o.SeccompProfile), "seccomp_profile")
	if err != nil {
		return nil, err
	}
	steps.Start("build")
	if err := lockImage(ctx, cu, o.Image, "image"); err != nil {
		return nil, err
	}
	// The checkpoint step's server must start every application server.xml deploys (and log no
	// application failure), as in the run-and-commit method.
	var expected []string
	if o.Containerfile == "" && o.ServerXML != "" {
		if cfg, err := serverConfig(o.ServerXML, o.ConfigDir); err == nil {
			for _, a := range cfg.Apps {
				expected = append(expected, a.Name)
			}
		}
	}
	tmp, err := e.buildApp(ctx, cu, sink, co, func(b *contextBuild) error {
		if own {
			sink.Infof("the Containerfile runs checkpoint.sh %s itself", phase)
		} else if err := appendLine(b.Containerfile, "RUN checkpoint.sh "+string(phase)); err != nil {
			return engine.Wrap(err, engine.CodeInternal, "check that the temporary directory ($TMPDIR) is writable", "cannot add the checkpoint step")
		}
		b.Policy, b.Seccomp, b.Fix = &policy, seccomp, buildFix
		b.Watch = newAppWatch(expected, phase)
		if o.Containerfile != "" {
			// The user's RUN steps are the user's: they keep Podman's default capabilities, plus
			// the checkpoint's (Open Liberty's `podman build --cap-add ...`).
			b.KeepDefaultCaps = true
			sink.Infof("the build's RUN steps run with Podman's default capabilities plus %s (your Containerfile's steps may need the defaults), %s",
				strings.Join(policy.Caps, ", "), privilege.DescribeSeccomp(seccomp))
			return nil
		}
		sink.Infof("the build's RUN steps, the checkpoint step among them, run with %s only, %s",
			strings.Join(policy.Caps, ", "), privilege.DescribeSeccomp(seccomp))
		return nil
	}, o.Image)
	if err != nil {
		return nil, appArchiveAtFault(err, o.AppArchive)
	}
	app, err := imageResult(ctx, tmp)
	if err != nil {
		return nil, err
	}
	built := steps.Done(humanize.ShortID(app.ImageID) + " " + humanize.Bytes(app.ImageSize))

	steps.Start("verify")
	size, files, criu, err := imageCheckpoint(ctx, cu, tmp)
	if err != nil {
		return nil, err
	}
	if files == 0 {
		return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "base_image",
			Message: fmt.Sprintf("the build of %s ran checkpoint.sh but the image holds no checkpoint in %s", o.Image, engine.CheckpointDir),
			Fix:     noCheckpointFix}
	}
	if criu != "" {
		sink.Infof("checkpoint: %d files, %s in %s, written by criu %s", files, humanize.Bytes(size), engine.CheckpointDir, criu)
	} else {
		sink.Infof("checkpoint: %d files, %s in %s", files, humanize.Bytes(size), engine.CheckpointDir)
	}
	if err := publish(ctx, tmp, o.Image); err != nil { // only a verified checkpoint gets the user's name
		return nil, err
	}
	res := &engine.Result{Image: o.Image, ImageID: app.ImageID, ImageSize: app.ImageSize, Phase: phase, CheckpointSize: size}
	res.AddTiming("build", built)
	res.AddTiming("verify", steps.Done(humanize.Bytes(size)))
	return res, nil
}

// buildPhase returns the phase the build checkpoints at and whether the user's Containerfile
// runs checkpoint.sh itself (then its phase wins over the request's).
func buildPhase(o engine.CheckpointImageOptions) (engine.Phase, bool, error) {
	if o.Containerfile == "" {
		return o.Phase, false, nil
	}
	data, err := os.ReadFile(o.Containerfile)
	if err != nil {
		return "", false, withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make the Containerfile readable", "cannot read %s", o.Containerfile), "containerfile")
	}
	m := checkpointStepRE.FindSubmatch(data)
	if m == nil {
		return o.Phase, false, nil
	}
	phase, _, err := engine.ParsePhase("containerfile", string(m[1]))
	if err != nil {
		return "", false, err
	}
	return phase, true, nil
}

// appendLine adds a line at the end of a file.
func appendLine(path, line string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	return os.WriteFile(path, append(data, line+"\n"...), 0o644)
}

// requireBuildCapabilities fails when the Podman service cannot give a build's RUN steps added
// capabilities and a seccomp profile: its build API has the addcaps and seccomp parameters
// since Podman 3.2.
func requireBuildCapabilities(ctx context.Context) error {
	v, err := system.Version(ctx, nil)
	if err != nil || v == nil || v.Server == nil {
		return nil // cannot tell; the build says what goes wrong
	}
	major, minor, ok := majorMinor(v.Server.Version)
	if ok && (major < 3 || major == 3 && minor < 2) {
		return engine.Errorf(engine.CodeFailedPrecondition, "method",
			"use --method run-and-commit (the default), or Podman 3.2 or newer",
			"Podman %s cannot give a build step the capabilities a checkpoint needs", v.Server.Version)
	}
	return nil
}

func majorMinor(version string) (int, int, bool) {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// imageCheckpoint measures the checkpoint an image holds, through a container that is created
// for it and never started, and reads the criu version from its checkpoint log.
func imageCheckpoint(ctx context.Context, cu *cleanup, image string) (size int64, files int, criu string, err error) {
	s := specgen.NewSpecGenerator(image, false)
	s.Name = "lcp-inspect-" + randomSuffix()
	s.Entrypoint = []string{"/bin/true"}
	s.Labels = containerLabels(ctx, s.Name, engine.OpCheckpointImage, "")
	resp, err := containers.CreateWithSpec(ctx, s, nil)
	if err != nil {
		return 0, 0, "", failed(err, engine.CodeInternal, "retry", "cannot create a container of %s to look at its checkpoint", image)
	}
	cu.always("container "+s.Name, func(ctx context.Context) error { return removeContainer(ctx, resp.ID, 0) })
	size, files, err = treeSize(ctx, resp.ID, engine.CheckpointDir)
	if err != nil && !isNotFound(err) {
		return 0, 0, "", failed(err, engine.CodeInternal, "retry", "cannot read %s in %s", engine.CheckpointDir, image)
	}
	if head, err := readContainerFile(ctx, resp.ID, engine.CheckpointLog, 64<<10, false); err == nil {
		criu = criuVersion(string(head))
	}
	return size, files, criu, nil
}
