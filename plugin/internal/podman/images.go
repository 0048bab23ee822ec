package podman

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

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
		if err := lockImage(ctx, cu, o.Image, "image"); err != nil {
			return nil, err
		}
		tmp, id, err := build(ctx, cu, sink, buildRequest{
			ContextDir: o.ContextDir, Containerfile: o.Containerfile, Image: o.Image,
			Args: o.BuildArgs, Labels: o.Labels, Pull: buildahDefine.PullIfMissing, Role: engine.OpBuildBaseImage,
		})
		if err != nil {
			return nil, err
		}
		if err := publish(ctx, tmp, o.Image); err != nil {
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
	Image         string // the name the image is for (it is built under a temporary name)
	Args          map[string]string
	Labels        map[string]string
	Pull          buildahDefine.PullPolicy
	// Policy, when set, gives the RUN steps its capabilities only (every other is dropped), and
	// Seccomp is their seccomp profile (a path on the Podman host, or "unconfined"; empty:
	// Podman's default). For the build method.
	Policy  *privilege.Policy
	Seccomp string
	// KeepDefaultCaps adds the Policy's capabilities to Podman's default set instead of dropping
	// every other: a user's Containerfile may have RUN steps of its own (a package install as
	// root needs CHOWN, DAC_OVERRIDE, SETUID...), which a build that kept only the checkpoint's
	// capabilities would break. This is Open Liberty's documented `podman build --cap-add` form.
	KeepDefaultCaps bool
	// Field names the request field the build output belongs to, for errors ("" when the build
	// is generated from the request and no single field is to blame).
	Field string
	// Fix, when set, replaces the advice for a failed build.
	Fix string
	// Watch, when set, sees every line of the build's output; once it reports an application
	// failure the build is stopped and fails with its verdict (the build method: the checkpoint
	// step's server must start every application).
	Watch *appWatch
	// Role is the operation the image is built for (labelOwner).
	Role string
	// BaseImage is the image the build starts from, when the engine knows it.
	BaseImage string
}

// tempImageRef names a temporary image: localhost/lcp-tmp-<kind>-<random>:latest.
func tempImageRef(kind string) string {
	return tempImagePrefix + kind + "-" + randomSuffix() + ":latest"
}

// build runs images.Build into a temporary image name, streaming its output as build log events,
// and returns that name and the image id; publish gives the image its real name. Buildah's
// intermediate containers are always removed, and so is the temporary name (publish removes it on
// success). The image records its owner (the operation), so a build whose process is killed
// leaves nothing prune cannot recognise.
func build(ctx context.Context, cu *cleanup, sink engine.Sink, r buildRequest) (tmp, id string, err error) {
	tmp = tempImageRef("build")
	cu.always("temporary image "+tmp, func(ctx context.Context) error { return removeImage(ctx, tmp) })
	labels := maps.Clone(r.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	maps.Copy(labels, imageLabels(ctx, tmp, r.Role))
	out := newBuildLog(sink)
	bctx := ctx
	if r.Watch != nil {
		out.watch = r.Watch
		var stop context.CancelFunc
		bctx, stop = context.WithCancel(ctx)
		defer stop()
		go func() {
			select {
			case <-r.Watch.Failed(): // an application failed: the checkpoint is worthless
				time.Sleep(failureGrace)
				sink.Warnf("an application failed to start: stopping the build")
				stop()
			case <-bctx.Done():
			}
		}()
	}
	withLabels := r
	withLabels.Labels = labels
	rep, err := images.Build(bctx, []string{r.Containerfile}, buildOptions(withLabels, tmp, out))
	out.Flush()
	if r.Watch != nil && r.Watch.failedAny() {
		return "", "", r.Watch.Verdict(r.Image, out.tail.Lines())
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		if isConnectionLost(err) {
			return "", "", failed(err, engine.CodeUnavailable, "", "the build of %s lost its connection to Podman", r.Image)
		}
		return "", "", classifyBuild(strings.TrimSpace(err.Error()), out.tail.Lines(), r)
	}
	if r.Watch != nil {
		if verdict := r.Watch.Verdict(r.Image, out.tail.Lines()); verdict != nil {
			return "", "", verdict
		}
	}
	return tmp, rep.ID, nil
}

// buildOptions are the bindings' options for a build request that tags output; out gets the
// build's output.
func buildOptions(r buildRequest, output string, out io.Writer) entities.BuildOptions {
	opts := entities.BuildOptions{BuildOptions: buildahDefine.BuildOptions{
		ContextDirectory:        r.ContextDir,
		Output:                  output,
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
		if !r.KeepDefaultCaps {
			opts.DropCapabilities = r.Policy.CapDrop()
		}
		opts.AddCapabilities = r.Policy.CapAdd()
	}
	return opts
}

// publish gives the image built or committed under the temporary name tmp its real name ref, and
// removes the temporary name. Until then ref is untouched: a failed or killed operation never
// leaves a half-made image under a name the user chose.
func publish(ctx context.Context, tmp, ref string) error {
	repo, tag := splitRef(ref)
	if err := images.Tag(ctx, tmp, tag, repo, nil); err != nil {
		return failed(err, engine.CodeInternal, "retry; podman images shows what is there", "cannot tag %s as %s", tmp, ref)
	}
	if err := removeImage(ctx, tmp); err != nil && !errors.Is(err, errNothingRemoved) {
		return failed(err, engine.CodeInternal, "retry", "cannot remove the temporary name %s", tmp)
	}
	return nil
}

// buildCauses are what configure.sh (the base image's check of an application image) says when
// the request is at fault, the field to blame and the fix. A line names a cause when it holds
// both says and and.
var buildCauses = []struct{ says, and, field, fix string }{
	{"names the application", "", "app_archive",
		"name the archive as server.xml's location does (for Maven, <finalName>), or change location in server.xml to the archive's name"},
	{"checkpoint-1.0", "configure.sh", "server_xml", "remove the checkpoint-1.0 feature from server.xml: this base image checkpoints without it"},
	{"featureUtility could not install", "", "server_xml", "check the feature names in server.xml; featureUtility needs Maven Central or a feature repository"},
	{"configure.sh: no ", "server.xml", "server_xml", "pass your server.xml (server_xml) or a config_dir that holds one"},
}

// classifyBuild turns a failed build into an error that names its real cause and the setting to
// change, from what the build printed: a feature the base image lacks, an archive name that does
// not match server.xml, a missing FROM image. Anything else is the build's own message, blamed on
// the user's Containerfile when there is one and on no single setting otherwise.
func classifyBuild(msg string, lines []string, r buildRequest) *engine.Error {
	e := &engine.Error{Code: engine.CodeFailedPrecondition, Field: r.Field,
		Message: "building " + r.Image + " failed: " + msg, LogTail: lines,
		Fix: "read the build output above"}
	if r.Field == "containerfile" {
		e.Fix = "fix the Containerfile or the build context (the build output is above)"
	}
	if r.Fix != "" {
		e.Fix = r.Fix
	}
	base := r.BaseImage
	if base == "" {
		base = "the base image"
	}
	for _, l := range lines {
		text := l
		if i := strings.Index(text, "configure.sh: "); i >= 0 {
			text = text[i+len("configure.sh: "):]
		}
		switch {
		case strings.Contains(l, "features not in this base image:"):
			features, _, _ := strings.Cut(l[strings.Index(l, "features not in this base image:")+len("features not in this base image:"):], ". ")
			features = strings.TrimSuffix(strings.TrimSpace(features), ".")
			e.Field = "server_xml"
			e.Message = fmt.Sprintf("the server configuration enables features that %s does not have: %s", base, features)
			e.Fix = fmt.Sprintf("remove them from server.xml, or build a base image that has them and use it as base_image "+
				"(the local flavor: LIBERTY_FEATURES=\"<the features it has> %s\" make base-local)", features)
			return e
		}
		for _, c := range buildCauses {
			if strings.Contains(l, c.says) && strings.Contains(l, c.and) {
				e.Field, e.Message, e.Fix = c.field, text, c.fix
				return e
			}
		}
	}
	if strings.Contains(msg, "image not known") || strings.Contains(msg, "repository name must") ||
		strings.Contains(msg, "initializing source") || strings.Contains(msg, "pull access denied") {
		e.Code, e.Fix = engine.CodeNotFound, "the FROM image is missing: "+baseImageFix
		if r.Field == "" {
			e.Field = "base_image"
		}
		return e
	}
	for i := len(lines) - 1; i >= 0; i-- { // the last configure.sh complaint, if any, is the cause
		if j := strings.Index(lines[i], "configure.sh: "); j >= 0 {
			e.Message = "building " + r.Image + " failed: " + lines[i][j+len("configure.sh: "):]
			break
		}
	}
	return e
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
	tail  *ringLog
	watch *appWatch // set before the build starts
}

func newBuildLog(sink engine.Sink) *buildLog {
	b := &buildLog{tail: newRingLog(tailLines)}
	b.lineSplitter = &lineSplitter{emit: func(line string) {
		if strings.TrimSpace(line) == "" {
			return
		}
		if b.watch != nil {
			b.watch.Observe(line)
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

// removeImage removes the name ref (the image itself when it has no other name). It returns
// errNothingRemoved when there is no such image.
func removeImage(ctx context.Context, ref string) error {
	if ok, err := images.Exists(ctx, ref, nil); err == nil && !ok {
		return errNothingRemoved
	}
	_, errs := images.Remove(ctx, []string{ref}, nil)
	for _, err := range errs {
		if err != nil {
			if isNotFound(err) {
				return errNothingRemoved
			}
			return err
		}
	}
	return nil
}

// inspectImage returns the image, or a NotFound error naming field.
func inspectImage(ctx context.Context, ref, field, fix string) (*entities.ImageInspectReport, error) {
	img, err := images.GetImage(ctx, ref, nil)
	if err != nil {
		if isNotFound(err) {
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
