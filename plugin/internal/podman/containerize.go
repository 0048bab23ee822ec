package podman

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	buildahDefine "github.com/containers/buildah/define"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

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
		if err := lockImage(ctx, cu, o.Image, "image"); err != nil {
			return nil, err
		}
		tmp, err := e.containerize(ctx, cu, sink, o, o.Image)
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
		sink.Infof("built %s (%s, %s)", o.Image, humanize.ShortID(res.ImageID), humanize.Bytes(res.ImageSize))
		res.AddTiming("build", steps.Done(humanize.ShortID(res.ImageID)+" "+humanize.Bytes(res.ImageSize)))
		return res, nil
	})
}

// containerize builds the application image under a temporary name, which it returns; the
// caller publishes it under its real name (or keeps it temporary, in the chain). outputs are the
// names the caller will write: none may name the base image.
func (e *Engine) containerize(ctx context.Context, cu *cleanup, sink engine.Sink, o engine.ContainerizeOptions, outputs ...string) (string, error) {
	return e.buildApp(ctx, cu, sink, o, nil, outputs...)
}

// buildApp builds the application image under a temporary name, which it returns; finish, when
// set, may change the build (its Containerfile, a copy in a private directory, and the request)
// just before it runs.
func (e *Engine) buildApp(ctx context.Context, cu *cleanup, sink engine.Sink, o engine.ContainerizeOptions,
	finish func(*contextBuild) error, outputs ...string) (string, error) {
	if o.ServerName != "" && o.ServerName != engine.DefaultServerName {
		sink.Warnf("server_name %q: Liberty container images run one server, %s, from /config; the configuration is installed there",
			o.ServerName, engine.DefaultServerName)
	}
	labels := maps.Clone(o.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	dir, err := mkdirTemp(ctx, "context")
	if err != nil {
		return "", engine.Wrap(err, engine.CodeInternal, "check that the temporary directory ($TMPDIR) is writable", "cannot create a build context")
	}
	cu.always("build context "+dir, func(context.Context) error { return os.RemoveAll(dir) })

	var req contextBuild
	if o.Containerfile != "" {
		req, err = userBuild(dir, o, labels)
		if err != nil {
			return "", err
		}
		if err := notTheBaseImage(ctx, req.BaseImage, "containerfile", outputs...); err != nil {
			return "", err
		}
	} else {
		base, err := inspectImage(ctx, o.BaseImage, "base_image", baseImageFix)
		if err != nil {
			return "", err
		}
		if err := notTheBaseImage(ctx, o.BaseImage, "base_image", outputs...); err != nil {
			return "", err
		}
		if err := checkAppInputs(o); err != nil {
			return "", err
		}
		if err := checkFeatures(sink, o.BaseImage, base.Labels, o.ServerXML, o.ConfigDir); err != nil {
			return "", err
		}
		req, err = generatedBuild(dir, o, labels)
		if err != nil {
			return "", err
		}
	}
	req.Role = engine.OpContainerize
	if finish != nil {
		if err := finish(&req); err != nil {
			return "", err
		}
	}
	sink.Infof("building %s from %s", o.Image, req.describe)
	data, _ := os.ReadFile(req.Containerfile)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		sink.Debugf("Containerfile: %s", line)
	}
	tmp, _, err := build(ctx, cu, sink, req.buildRequest)
	if err != nil {
		return "", err
	}
	return tmp, nil
}

// notTheBaseImage refuses to write an output name that is the base image's name as Podman
// resolves it (open-liberty:x is localhost/open-liberty:x): the tag would move to the new image
// and the base would be lost under its name. base "" (a Containerfile whose base cannot be told)
// or a base that does not exist (the build will say so) pass.
func notTheBaseImage(ctx context.Context, base, baseField string, outputs ...string) error {
	if base == "" {
		return nil
	}
	baseID := imageID(ctx, base)
	if baseID == "" {
		return nil
	}
	for _, out := range outputs {
		if out != "" && imageID(ctx, out) == baseID {
			return engine.Invalid("image", "give the new image its own name, for example localhost/myapp:1.0-instanton",
				"%s names the base image (%s %s, image %s): writing it would move the base image's tag to the new image",
				out, baseField, base, humanize.ShortID(baseID))
		}
	}
	return nil
}

// checkAppInputs checks, before anything is built, what would otherwise fail later or, worse,
// produce a server without its application: the archive must be a zip file (Liberty reports a
// broken one only in its log, CWWKM0101E), and server.xml must deploy the archive under its name.
func checkAppInputs(o engine.ContainerizeOptions) error {
	if o.AppArchive == "" {
		return nil
	}
	name := filepath.Base(o.AppArchive)
	if zr, err := zip.OpenReader(o.AppArchive); err != nil {
		size := int64(-1)
		if fi, serr := os.Stat(o.AppArchive); serr == nil {
			size = fi.Size()
		}
		return engine.Invalid("app_archive", "build the application again (mvn package, gradle war): an application archive is a zip file",
			"%s is not a zip archive (%s): Liberty cannot read it", o.AppArchive, describeSize(size))
	} else {
		zr.Close()
	}
	if o.ServerXML == "" {
		return nil
	}
	cfg, err := serverConfig(o.ServerXML, o.ConfigDir)
	if err != nil {
		return err
	}
	var missing []string
	configured := false
	for _, a := range cfg.Apps {
		if filepath.Base(a.Location) == name || a.Name == strings.TrimSuffix(name, filepath.Ext(name)) && !engine.IsPlainLocation(a.Location) {
			configured = true
			continue
		}
		if !engine.IsPlainLocation(a.Location) || o.ConfigDir != "" && (exists(filepath.Join(o.ConfigDir, "apps", a.Location)) ||
			exists(filepath.Join(o.ConfigDir, "dropins", a.Location))) {
			continue
		}
		missing = append(missing, a.Location)
	}
	switch {
	case len(missing) > 0 && !configured:
		return engine.Invalid("app_archive",
			fmt.Sprintf("name the archive %s (for Maven, <finalName>), or set location=%q in server.xml", missing[0], name),
			"server.xml deploys %s, but the application archive is %s", strings.Join(quoteAll(missing), ", "), name)
	case len(missing) > 0:
		return engine.Invalid("server_xml", "remove those applications from server.xml, or put them into config_dir's apps/ directory",
			"server.xml deploys %s, which is neither the application archive nor in config_dir/apps", strings.Join(quoteAll(missing), ", "))
	case !configured && !cfg.Includes && cfg.Unnamed == 0:
		return engine.Invalid("server_xml", fmt.Sprintf("add <webApplication location=%q contextRoot=\"/%s\"/> to server.xml",
			name, strings.TrimSuffix(name, filepath.Ext(name))),
			"server.xml deploys no application from %s, so Liberty would not start it (it starts only the applications server.xml names, and those in dropins/)", name)
	}
	return nil
}

// serverConfig reads what server.xml and the configuration directory's configDropins deploy.
func serverConfig(serverXML, configDir string) (engine.ServerConfig, error) {
	data, err := os.ReadFile(serverXML)
	if err != nil {
		return engine.ServerConfig{}, withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make server.xml readable", "cannot read %s", serverXML), "server_xml")
	}
	cfg, err := engine.ParseServerConfig(data)
	if err != nil {
		return cfg, engine.Invalid("server_xml", "fix the XML (an editor or xmllint shows where)", "%s: %v", serverXML, err)
	}
	if configDir != "" {
		drops, _ := filepath.Glob(filepath.Join(configDir, "configDropins", "*", "*.xml"))
		for _, d := range drops {
			if data, err := os.ReadFile(d); err == nil {
				if more, err := engine.ParseServerConfig(data); err == nil {
					cfg.Apps = append(cfg.Apps, more.Apps...)
					cfg.Unnamed += more.Unnamed
					cfg.Includes = cfg.Includes || more.Includes
				}
			}
		}
	}
	return cfg, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func quoteAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strconv.Quote(s)
	}
	return out
}

func describeSize(n int64) string {
	switch {
	case n == 0:
		return "it is empty"
	case n < 0:
		return "it cannot be read"
	}
	return humanize.Bytes(n) + " of something else"
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
		if err := copyConfigDir(o.ConfigDir, filepath.Join(dir, "config")); err != nil {
			return contextBuild{}, err
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
		// The archive goes into the context under a fixed name, and only the destination keeps
		// the user's file name (Liberty names the application after it), in a COPY of JSON form.
		name := filepath.Base(o.AppArchive)
		src := "app/application" + strings.ToLower(filepath.Ext(name))
		if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
			return contextBuild{}, err
		}
		if err := copyFile(o.AppArchive, filepath.Join(dir, src)); err != nil {
			return contextBuild{}, withField(engine.Wrap(err, engine.CodeFailedPrecondition, "make the archive readable", "cannot copy app_archive %s", o.AppArchive), "app_archive")
		}
		ac.AppArchive, ac.AppName = src, name
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
		buildRequest: buildRequest{ContextDir: dir, Containerfile: cf, Image: o.Image, Pull: buildahDefine.PullNever, BaseImage: o.BaseImage},
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
	base := finalBaseImage(data)
	if base != "" {
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
			Pull: buildahDefine.PullIfMissing, Field: "containerfile", BaseImage: base},
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
// starts from an earlier stage or cannot be told). BuildKit's parser reads the file, so line
// continuations, comments, parser directives and flags count as they do for buildah.
func finalBaseImage(containerfile []byte) string {
	res, err := parser.Parse(bytes.NewReader(containerfile))
	if err != nil {
		return ""
	}
	stageBase := map[string]string{}
	last := ""
	for _, n := range res.AST.Children {
		if !strings.EqualFold(n.Value, "from") || n.Next == nil {
			continue
		}
		base := n.Next.Value
		if b, ok := stageBase[strings.ToLower(base)]; ok {
			base = b
		}
		if as := n.Next.Next; as != nil && strings.EqualFold(as.Value, "AS") && as.Next != nil {
			stageBase[strings.ToLower(as.Next.Value)] = base
		}
		last = base
	}
	if strings.Contains(last, "$") || strings.EqualFold(last, "scratch") {
		return ""
	}
	return last
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
