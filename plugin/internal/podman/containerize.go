package podman

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"

	buildahDefine "github.com/containers/buildah/define"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Containerize builds the application image: a generated Containerfile (FROM the base image, the
// server configuration and the application copied in) in a private build context, or the user's
// own Containerfile.
func (e *Engine) Containerize(ctx context.Context, o engine.ContainerizeOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpContainerize, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (res *engine.Result, err error) {
		cu := newCleanup(ctx, sink)
		defer cu.finish(&err)
		steps := engine.NewSteps(sink, 1)
		steps.Start("build")
		res, err = e.containerize(ctx, cu, sink, o)
		if err != nil {
			return nil, err
		}
		res.AddTiming("build", steps.Done(humanize.ShortID(res.ImageID)+" "+humanize.Bytes(res.ImageSize)))
		return res, nil
	})
}

func (e *Engine) containerize(ctx context.Context, cu *cleanup, sink engine.Sink, o engine.ContainerizeOptions) (*engine.Result, error) {
	return e.buildApp(ctx, cu, sink, o, nil)
}

// buildApp builds the application image; finish, when set, may change the build (its
// Containerfile, a copy in a private directory, and the request) just before it runs.
func (e *Engine) buildApp(ctx context.Context, cu *cleanup, sink engine.Sink, o engine.ContainerizeOptions, finish func(*contextBuild) error) (*engine.Result, error) {
	if o.ServerName != "" && o.ServerName != engine.DefaultServerName {
		sink.Warnf("server_name %q: Liberty container images run one server, %s, from /config; the configuration is installed there",
			o.ServerName, engine.DefaultServerName)
	}
	labels := maps.Clone(o.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	dir, err := os.MkdirTemp("", "lcp-context-")
	if err != nil {
		return nil, engine.Wrap(err, engine.CodeInternal, "check that the temporary directory ($TMPDIR) is writable", "cannot create a build context")
	}
	cu.always("build context "+dir, func(context.Context) error { return os.RemoveAll(dir) })

	var req contextBuild
	if o.Containerfile != "" {
		req, err = userBuild(dir, o, labels)
	} else {
		base, err := inspectImage(ctx, o.BaseImage, "base_image", baseImageFix)
		if err != nil {
			return nil, err
		}
		if err := checkFeatures(sink, o.BaseImage, base.Labels, o.ServerXML, o.ConfigDir); err != nil {
			return nil, err
		}
		req, err = generatedBuild(dir, o, labels)
	}
	if err != nil {
		return nil, err
	}
	if finish != nil {
		if err := finish(&req); err != nil {
			return nil, err
		}
	}
	sink.Infof("building %s from %s", o.Image, req.describe)
	data, _ := os.ReadFile(req.Containerfile)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		sink.Debugf("Containerfile: %s", line)
	}
	id, err := build(ctx, cu, sink, req.buildRequest)
	if err != nil {
		return nil, err
	}
	res, err := imageResult(ctx, o.Image)
	if err != nil {
		return nil, err
	}
	sink.Infof("built %s (%s, %s)", o.Image, humanize.ShortID(id), humanize.Bytes(res.ImageSize))
	return res, nil
}

type contextBuild struct {
	buildRequest
	describe string
}

// generatedBuild lays out the build context in dir and writes the Containerfile there.
func generatedBuild(dir string, o engine.ContainerizeOptions, labels map[string]string) (contextBuild, error) {
	labels[engine.LabelBaseName] = o.BaseImage
	ac := appContext{BaseImage: o.BaseImage, Env: o.Env, Labels: labels}
	if o.ConfigDir != "" {
		if err := copyTree(o.ConfigDir, filepath.Join(dir, "config")); err != nil {
			return contextBuild{}, withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make the configuration directory readable", "cannot copy config_dir %s", o.ConfigDir), "config_dir")
		}
		ac.ConfigDir = "config"
	}
	if o.ServerXML != "" {
		if err := copyFile(o.ServerXML, filepath.Join(dir, "server.xml")); err != nil {
			return contextBuild{}, withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make server.xml readable", "cannot copy server_xml %s", o.ServerXML), "server_xml")
		}
		ac.ServerXML = "server.xml"
	}
	if o.AppArchive != "" {
		name := filepath.Base(o.AppArchive)
		if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
			return contextBuild{}, err
		}
		if err := copyFile(o.AppArchive, filepath.Join(dir, "app", name)); err != nil {
			return contextBuild{}, withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make the archive readable", "cannot copy app_archive %s", o.AppArchive), "app_archive")
		}
		ac.AppArchive = "app/" + name
	}
	text, err := generateContainerfile(ac)
	if err != nil {
		return contextBuild{}, err
	}
	cf := filepath.Join(dir, "Containerfile")
	if err := os.WriteFile(cf, []byte(text), 0o644); err != nil {
		return contextBuild{}, err
	}
	return contextBuild{
		buildRequest: buildRequest{ContextDir: dir, Containerfile: cf, Image: o.Image, Pull: buildahDefine.PullNever, Field: "base_image"},
		describe:     o.BaseImage + " (generated Containerfile)",
	}, nil
}

// userBuild builds the user's Containerfile with its directory as the context. The request's
// environment and labels (and the base image label) are appended to a copy of it, kept in dir
// outside the context, so they apply to the final stage.
func userBuild(dir string, o engine.ContainerizeOptions, labels map[string]string) (contextBuild, error) {
	data, err := os.ReadFile(o.Containerfile)
	if err != nil {
		return contextBuild{}, withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make the Containerfile readable", "cannot read %s", o.Containerfile), "containerfile")
	}
	if base := finalBaseImage(data); base != "" {
		labels[engine.LabelBaseName] = base
	}
	var b bytes.Buffer
	b.Write(data)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		b.WriteByte('\n')
	}
	if extra := envAndLabels(o.Env, labels); extra != "" {
		b.WriteString("# Added by liberty-checkpoint containerize.\n")
		b.WriteString(extra)
	}
	cf := filepath.Join(dir, filepath.Base(o.Containerfile))
	if err := os.WriteFile(cf, b.Bytes(), 0o644); err != nil {
		return contextBuild{}, err
	}
	return contextBuild{
		buildRequest: buildRequest{ContextDir: filepath.Dir(o.Containerfile), Containerfile: cf, Image: o.Image,
			Pull: buildahDefine.PullIfMissing, Field: "containerfile"},
		describe: o.Containerfile,
	}, nil
}

// envAndLabels renders ENV and LABEL lines; the values were checked by generateContainerfile's
// rules (quoteValue), so errors cannot happen for validated input and are skipped.
func envAndLabels(env, labels map[string]string) string {
	text, err := generateContainerfile(appContext{BaseImage: "x", Env: env, Labels: labels})
	if err != nil {
		return ""
	}
	var out strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "ENV ") || strings.HasPrefix(line, "LABEL ") {
			out.WriteString(line + "\n")
		}
	}
	return out.String()
}

// finalBaseImage returns the image the last stage of a Containerfile starts FROM ("" when it
// starts from an earlier stage or cannot be told).
func finalBaseImage(containerfile []byte) string {
	stageBase := map[string]string{}
	last := ""
	sc := bufio.NewScanner(bytes.NewReader(containerfile))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.EqualFold(f[0], "FROM") {
			continue
		}
		args := f[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "--") {
			args = args[1:]
		}
		if len(args) == 0 {
			continue
		}
		base := args[0]
		if b, ok := stageBase[strings.ToLower(base)]; ok {
			base = b
		}
		if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
			stageBase[strings.ToLower(args[2])] = base
		}
		last = base
	}
	if strings.Contains(last, "$") || strings.EqualFold(last, "scratch") {
		return ""
	}
	return last
}

// copyTree copies the regular files and directories under src to dst (following symlinks).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		switch {
		case fi.IsDir():
			return os.MkdirAll(target, 0o755)
		case fi.Mode().IsRegular():
			return copyFile(path, target)
		}
		return nil // sockets, devices: not configuration
	})
}

// copyFile hard-links src to dst when it can, else copies it, keeping the mode bits.
func copyFile(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil
}

// withField sets the request field an error is about.
func withField(e *engine.Error, field string) *engine.Error {
	e.Field = field
	return e
}
