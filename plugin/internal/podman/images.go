package podman

import (
	"context"
	"io"
	"maps"
	"slices"
	"strings"

	buildahDefine "github.com/containers/buildah/define"
	"github.com/containers/podman/v4/pkg/bindings/images"
	"github.com/containers/podman/v4/pkg/domain/entities"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// baseImageFix is the fix for a missing base image.
const baseImageFix = "build it first: liberty-checkpoint build-base-image (or make base-local for the registry-free one), " +
	"or podman pull it, or set base_image to an image podman images lists"

// BuildBaseImage builds the InstantOn base image from a context directory and a Containerfile.
func (e *Engine) BuildBaseImage(ctx context.Context, o engine.BuildBaseImageOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpBuildBaseImage, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (res *engine.Result, err error) {
		cu := newCleanup(ctx, sink)
		defer cu.finish(&err)
		steps := engine.NewSteps(sink, 1)
		steps.Start("build")
		id, err := build(ctx, cu, sink, buildRequest{
			ContextDir: o.ContextDir, Containerfile: o.Containerfile, Image: o.Image,
			Args: o.BuildArgs, Labels: o.Labels, Pull: buildahDefine.PullIfMissing,
		})
		if err != nil {
			return nil, err
		}
		res, err = imageResult(ctx, o.Image)
		if err != nil {
			return nil, err
		}
		res.AddTiming("build", steps.Done(humanize.ShortID(res.ImageID)))
		sink.Infof("built %s (%s, %s)", o.Image, humanize.ShortID(id), humanize.Bytes(res.ImageSize))
		return res, nil
	})
}

// buildRequest is one image build.
type buildRequest struct {
	ContextDir    string
	Containerfile string // absolute, or relative to ContextDir
	Image         string
	Args          map[string]string
	Labels        map[string]string
	Pull          buildahDefine.PullPolicy
	// Policy, when set, gives the RUN steps its capabilities only (every other is dropped), and
	// Seccomp is their seccomp profile (a path on the Podman host, or "unconfined"; empty:
	// Podman's default). For the build method.
	Policy  *privilege.Policy
	Seccomp string
	// Field names the request field the build output belongs to, for errors.
	Field string
	// Fix, when set, replaces the advice for a failed build.
	Fix string
}

// build runs images.Build, streaming its output as build log events. Buildah's intermediate
// containers are always removed. On failure the image, if the build got as far as tagging it,
// is removed again unless it existed before.
func build(ctx context.Context, cu *cleanup, sink engine.Sink, r buildRequest) (string, error) {
	before := imageID(ctx, r.Image)
	cu.onFailure("image "+r.Image, func(ctx context.Context) error {
		return removeIfNew(ctx, r.Image, before)
	})
	out := newBuildLog(sink)
	rep, err := images.Build(ctx, []string{r.Containerfile}, buildOptions(r, out))
	out.Flush()
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		field := r.Field
		if field == "" {
			field = "containerfile"
		}
		msg := strings.TrimSpace(err.Error())
		fix := "fix the Containerfile or the build context (the build output is above)"
		if r.Fix != "" {
			fix = r.Fix
		}
		code := engine.CodeFailedPrecondition
		if isConnectionLost(err) {
			return "", failed(err, engine.CodeUnavailable, "", "the build of %s lost its connection to Podman", r.Image)
		}
		if strings.Contains(msg, "image not known") || strings.Contains(msg, "repository name must") ||
			strings.Contains(msg, "initializing source") || strings.Contains(msg, "pull access denied") {
			code, fix = engine.CodeNotFound, "the FROM image is missing: "+baseImageFix
		}
		return "", &engine.Error{Code: code, Field: field, Message: "building " + r.Image + " failed: " + msg, Fix: fix,
			LogTail: out.tail.Lines()}
	}
	return rep.ID, nil
}

// buildOptions are the bindings' options for a build request; out gets the build's output.
func buildOptions(r buildRequest, out io.Writer) entities.BuildOptions {
	opts := entities.BuildOptions{BuildOptions: buildahDefine.BuildOptions{
		ContextDirectory:        r.ContextDir,
		Output:                  r.Image,
		Args:                    r.Args,
		Labels:                  labelList(r.Labels),
		RemoveIntermediateCtrs:  true,
		ForceRmIntermediateCtrs: true,
		PullPolicy:              r.Pull,
		Out:                     out,
		Err:                     out,
		ReportWriter:            out,
		OutputFormat:            buildahDefine.OCIv1ImageManifest,
		CommonBuildOpts:         &buildahDefine.CommonBuildOptions{SeccompProfilePath: r.Seccomp},
	}}
	if r.Policy != nil {
		opts.DropCapabilities = r.Policy.CapDrop()
		opts.AddCapabilities = r.Policy.CapAdd()
	}
	return opts
}

func labelList(m map[string]string) []string {
	var l []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		l = append(l, k+"="+m[k])
	}
	return l
}

// buildLog turns build output into SourceBuild log lines and keeps the last ones for errors.
type buildLog struct {
	*lineSplitter
	tail *ringLog
}

func newBuildLog(sink engine.Sink) *buildLog {
	b := &buildLog{tail: newRingLog(tailLines)}
	b.lineSplitter = &lineSplitter{emit: func(line string) {
		if strings.TrimSpace(line) == "" {
			return
		}
		b.tail.Add(line)
		sink.Logf(engine.SourceBuild, engine.LevelInfo, "%s", line)
	}}
	return b
}

// imageID returns the id of ref, or "" when there is no such image.
func imageID(ctx context.Context, ref string) string {
	img, err := images.GetImage(ctx, ref, nil)
	if err != nil || img == nil || img.ImageData == nil {
		return ""
	}
	return img.ID
}

// removeIfNew removes ref unless it still is the image it was before (beforeID; "" when there
// was none). Used to take back an image a failed or cancelled call may have tagged.
func removeIfNew(ctx context.Context, ref, beforeID string) error {
	id := imageID(ctx, ref)
	if id == "" || id == beforeID {
		return nil
	}
	return removeImage(ctx, ref)
}

// removeImage removes ref (untags it when the image has other names).
func removeImage(ctx context.Context, ref string) error {
	_, errs := images.Remove(ctx, []string{ref}, nil)
	for _, err := range errs {
		if err != nil && !isNotFound(err) && !strings.Contains(err.Error(), "image not known") {
			return err
		}
	}
	return nil
}

// inspectImage returns the image, or a NotFound error naming field.
func inspectImage(ctx context.Context, ref, field, fix string) (*entities.ImageInspectReport, error) {
	img, err := images.GetImage(ctx, ref, nil)
	if err != nil {
		if isNotFound(err) || strings.Contains(err.Error(), "image not known") {
			return nil, engine.Errorf(engine.CodeNotFound, field, fix, "image %s does not exist", ref)
		}
		return nil, failed(err, engine.CodeInternal, "retry", "cannot inspect image %s", ref)
	}
	return img, nil
}

// imageResult describes an image that was just made.
func imageResult(ctx context.Context, ref string) (*engine.Result, error) {
	img, err := inspectImage(ctx, ref, "image", "retry; the image was just built and should exist")
	if err != nil {
		return nil, err
	}
	return &engine.Result{Image: ref, ImageID: engine.CanonicalImageID(img.ID), ImageSize: img.Size}, nil
}

// splitRef splits an image reference into repository and tag (latest when it has none).
func splitRef(ref string) (repo, tag string) {
	r, _, ok := engine.ParseReference(ref)
	if !ok {
		return ref, "latest"
	}
	if r.Tag == "" {
		return r.Name, "latest"
	}
	return r.Name, r.Tag
}
