package engine

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
)

var (
	envKeyRE        = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	containerNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	serverNameRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)
	archiveExts     = []string{".war", ".ear", ".rar", ".jar", ".eba"}
)

// Validate checks the options, fills in defaults and makes paths absolute.
func (o *BuildBaseImageOptions) Validate() error {
	if err := o.Common.Validate(OpBuildBaseImage); err != nil {
		return err
	}
	o.defaultPaths("")
	if err := existingPath("context_dir", &o.ContextDir, true,
		"run from the project root (where beta-image/ is) or set context_dir to the build context"); err != nil {
		return err
	}
	if err := existingPath("containerfile", &o.Containerfile, false,
		"set containerfile to a file in the build context, for example Dockerfile.ubi.openjdk11 or Dockerfile.local"); err != nil {
		return err
	}
	if o.Image == "" {
		o.Image = DefaultBaseImage
	}
	if err := outputImage("image", o.Image); err != nil {
		return err
	}
	if err := validateMap("build_args", o.BuildArgs, envKeyRE, "build argument names are letters, digits and _"); err != nil {
		return err
	}
	return validateLabels(o.Labels)
}

// defaultPaths fills in the default build context and Containerfile, makes the context absolute
// (relative to base, or the working directory when base is empty) and the Containerfile relative
// to the context.
func (o *BuildBaseImageOptions) defaultPaths(base string) {
	if o.ContextDir == "" {
		o.ContextDir = DefaultContextDir
	}
	o.ContextDir = absPath(base, o.ContextDir)
	if o.Containerfile == "" {
		o.Containerfile = DefaultContainerfile
	}
	if !filepath.IsAbs(o.Containerfile) {
		o.Containerfile = filepath.Join(o.ContextDir, o.Containerfile)
	}
}

// Validate checks the options, fills in defaults and makes paths absolute.
func (o *ContainerizeOptions) Validate() error {
	if err := o.Common.Validate(OpContainerize); err != nil {
		return err
	}
	if err := o.AppInputs.Validate(); err != nil {
		return err
	}
	if err := outputImage("image", o.Image); err != nil {
		return err
	}
	if err := notTheBase("application image", o.Image, o.BaseImage, "localhost/myapp:1.0"); err != nil {
		return err
	}
	if err := validateLabels(o.Labels); err != nil {
		return err
	}
	return validateEnv(o.Env)
}

// Validate checks the options and fills in defaults.
func (o *CheckpointOptions) Validate() error {
	if err := o.Common.Validate(OpCheckpoint); err != nil {
		return err
	}
	if err := inputImage("image", o.Image); err != nil {
		return err
	}
	if err := validatePhase(&o.Phase); err != nil {
		return err
	}
	return o.RunSettings.Validate()
}

// Validate checks the options and fills in defaults.
func (o *CommitOptions) Validate() error {
	if err := o.Common.Validate(OpCommit); err != nil {
		return err
	}
	if o.Container == "" {
		return Invalid("container", "pass the checkpoint container's name or id (the checkpoint step prints it)", "no container given")
	}
	if !containerNameRE.MatchString(o.Container) {
		return Invalid("container", "pass a container name or id as `podman ps -a` shows it", "%q is not a container name or id", o.Container)
	}
	if err := outputImage("image", o.Image); err != nil {
		return err
	}
	return validateLabels(o.Labels)
}

// Validate checks the options and fills in defaults.
func (o *RestoreOptions) Validate() error {
	if err := o.Common.Validate(OpRestore); err != nil {
		return err
	}
	if err := inputImage("image", o.Image); err != nil {
		return err
	}
	if err := validateNetwork(&o.Network); err != nil {
		return err
	}
	if o.Network == NetworkHost {
		if err := hostNetworkPorts(o.Ports); err != nil {
			return err
		}
	}
	seen := map[string]int{}
	for i := range o.Ports {
		p := &o.Ports[i]
		field := fmt.Sprintf("ports[%d]", i)
		if p.ContainerPort == 0 {
			return Invalid(field+".container_port", "give the port the server listens on inside the container, 1-65535 (Liberty's default HTTP port is 9080)", "container port 0 is not a port")
		}
		if p.HostIP == "" {
			p.HostIP = DefaultHostIP
		}
		if net.ParseIP(p.HostIP) == nil {
			return Invalid(field+".host_ip", "use an IP address such as 127.0.0.1 (loopback only) or 0.0.0.0 (every interface)", "%q is not an IP address", p.HostIP)
		}
		switch strings.ToLower(p.Protocol) {
		case "":
			p.Protocol = "tcp"
		case "tcp", "udp":
			p.Protocol = strings.ToLower(p.Protocol)
		default:
			return Invalid(field+".protocol", "use tcp or udp", "unknown protocol %q", p.Protocol)
		}
		if p.HostPort != 0 {
			key := fmt.Sprintf("%s:%d/%s", p.HostIP, p.HostPort, p.Protocol)
			if j, dup := seen[key]; dup {
				return Invalid(field+".host_port", "publish each host port once, or use 0 for a free port", "host port %d is already published by ports[%d]", p.HostPort, j)
			}
			seen[key] = i
		}
	}
	if err := validateReadiness(&o.Readiness, len(o.Ports) > 0); err != nil {
		return err
	}
	if err := o.RunSettings.Validate(); err != nil {
		return err
	}
	if err := o.MemoryLimit.Validate(); err != nil {
		return err
	}
	return o.Registry.Validate()
}

// Validate checks the options, fills in defaults and makes paths absolute.
func (o *CheckpointImageOptions) Validate() error {
	if err := o.Common.Validate(OpCheckpointImage); err != nil {
		return err
	}
	if err := o.AppInputs.Validate(); err != nil {
		return err
	}
	if err := validatePhase(&o.Phase); err != nil {
		return err
	}
	switch o.Method {
	case "":
		o.Method = DefaultMethod
	case MethodRunAndCommit, MethodBuild:
	default:
		return Invalid("method", "use run-and-commit (the default) or build",
			"unknown checkpoint method %q", o.Method)
	}
	if err := outputImage("image", o.Image); err != nil {
		return err
	}
	if err := notTheBase("InstantOn image", o.Image, o.BaseImage, "localhost/myapp:1.0-instanton"); err != nil {
		return err
	}
	if o.KeepAppImage {
		if err := notTheBase("application image (keep_app_image)", AppImageRef(o.Image), o.BaseImage, "localhost/myapp:1.0-instanton"); err != nil {
			return err
		}
	}
	if err := validateLabels(o.Labels); err != nil {
		return err
	}
	if err := validateEnv(o.Env); err != nil {
		return err
	}
	if err := validateSeccomp(&o.SeccompProfile); err != nil {
		return err
	}
	if err := validateNetwork(&o.Network); err != nil {
		return err
	}
	if o.Push {
		if err := pushDestination("image", o.Image); err != nil {
			return err
		}
	}
	return o.Registry.Validate()
}

// Validate checks the options and fills in defaults.
func (o *DoctorOptions) Validate() error {
	if err := o.Common.Validate(OpDoctor); err != nil {
		return err
	}
	if o.Image != "" {
		if err := inputImage("image", o.Image); err != nil {
			return err
		}
	}
	return o.MemoryLimit.Validate()
}

// Validate checks the options and fills in defaults.
func (o *PruneOptions) Validate() error {
	return o.Common.Validate(OpPrune)
}

// ValidateOperationID checks a Cancel request.
func ValidateOperationID(id string) error {
	if id == "" {
		return Invalid("operation_id", "pass the operation_id from the stream's first (accepted) event", "no operation id given")
	}
	return nil
}

// notTheBase refuses an output image that names the base image: the tag would move to the new
// image and the base would be lost under its name. Names are compared as Podman resolves them
// (open-liberty:x and localhost/open-liberty:x are one name); the engine compares image ids too.
func notTheBase(what, image, base, example string) error {
	if NormalizedName(image) != NormalizedName(base) {
		return nil
	}
	return Invalid("image", "give the "+what+" its own name, for example "+example,
		"the %s %q is the base image %q (both name %s): writing it would move the base image's tag to the new image",
		what, image, base, NormalizedName(base))
}

// Validate checks the connection and fills in op's default timeout.
func (c *Common) Validate(op string) error {
	if err := validateConnection(&c.Connection); err != nil {
		return err
	}
	return validateTimeout(&c.Timeout, op)
}

func validateConnection(c *Connection) error {
	if c.Identity != "" {
		if err := existingPath("connection.identity", &c.Identity, false,
			"point identity at your ssh private key (podman machine's is in ~/.local/share/containers/podman/machine/), or leave it empty for $CONTAINER_SSHKEY, the connection's own key or ssh-agent"); err != nil {
			return err
		}
	}
	if c.URI == "" {
		return nil
	}
	u, err := url.Parse(c.URI)
	if err != nil {
		return Invalid("connection.uri", "use unix:///run/podman/podman.sock, tcp://host:port or ssh://user@host/path", "%q is not a URI", c.URI)
	}
	switch u.Scheme {
	case "unix":
		if u.Host != "" || !filepath.IsAbs(u.Path) {
			return Invalid("connection.uri", "use an absolute socket path: unix:///run/podman/podman.sock", "socket path in %q is not absolute (unix:// is followed by the path)", c.URI)
		}
	case "tcp", "ssh":
		if u.Host == "" {
			return Invalid("connection.uri", "name the host: "+u.Scheme+"://host:port", "%q has no host", c.URI)
		}
		if u.Scheme == "ssh" && (u.Path == "" || u.Path == "/") {
			return Invalid("connection.uri", SSHPathFix, "%q names no Podman socket on the host", c.URI)
		}
	default:
		return Invalid("connection.uri", "use a unix://, tcp:// or ssh:// URI (podman system connection list shows yours)", "unsupported scheme %q in %q", u.Scheme, c.URI)
	}
	return nil
}

// SSHPathFix says how to write an ssh:// URI and find its socket path.
const SSHPathFix = "give the socket's path on the host: ssh://user@host[:port]/run/user/<uid>/podman/podman.sock " +
	"(/run/podman/podman.sock for root); podman info --format '{{.Host.RemoteSocket.Path}}' on the host prints it"

// Validate fills in the defaults, makes the paths absolute and checks the files.
func (a *AppInputs) Validate() error {
	if a.BaseImage == "" {
		a.BaseImage = DefaultBaseImage
	}
	if err := inputImage("base_image", a.BaseImage); err != nil {
		return err
	}
	if a.ServerName == "" {
		a.ServerName = DefaultServerName
	}
	if !serverNameRE.MatchString(a.ServerName) {
		return Invalid("server_name", "use letters, digits, '.', '-' and '_', for example defaultServer", "%q is not a Liberty server name", a.ServerName)
	}
	if a.Containerfile != "" {
		if err := existingPath("containerfile", &a.Containerfile, false, "set containerfile to your Containerfile, or leave it empty to have one generated"); err != nil {
			return err
		}
	}
	if a.AppArchive == "" {
		if a.Containerfile == "" {
			return Invalid("app_archive", "build the application (mvn package / gradle war) and pass the .war or .ear", "no application archive given")
		}
	} else {
		if err := existingPath("app_archive", &a.AppArchive, false, "build the application first (mvn package / gradle war) or correct the path"); err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(a.AppArchive))
		if !slices.Contains(archiveExts, ext) {
			return Invalid("app_archive", "pass the application archive: "+strings.Join(archiveExts, ", "), "%s is not an application archive", a.AppArchive)
		}
		if err := checkArchiveName(filepath.Base(a.AppArchive)); err != nil {
			return err
		}
	}
	if a.ConfigDir != "" {
		if err := existingPath("config_dir", &a.ConfigDir, true, "set config_dir to your Liberty configuration directory (src/main/liberty/config)"); err != nil {
			return err
		}
		if err := checkDropins(a.ConfigDir); err != nil {
			return err
		}
	}
	if a.ServerXML == "" && a.ConfigDir != "" {
		if _, err := os.Stat(filepath.Join(a.ConfigDir, "server.xml")); err == nil {
			a.ServerXML = filepath.Join(a.ConfigDir, "server.xml")
		}
	}
	if a.ServerXML == "" {
		if a.Containerfile != "" {
			return nil
		}
		return Invalid("server_xml", "pass your server.xml (usually src/main/liberty/config/server.xml) or a config_dir that holds one", "no server.xml given")
	}
	if err := existingPath("server_xml", &a.ServerXML, false, "correct the path to your server.xml (usually src/main/liberty/config/server.xml)"); err != nil {
		return err
	}
	return checkServerXML(a.ServerXML)
}

// checkArchiveName refuses archive file names that Liberty cannot use as an application name (it
// names the application after the file and server.xml refers to it by that name) or that would
// need quoting in a Containerfile or server.xml. Letters, digits, spaces and most punctuation are
// fine: "my app.war" deploys as the application "my app".
func checkArchiveName(name string) error {
	fix := "rename the archive (and its location in server.xml) to letters, digits, spaces and . _ - + ( ), for example my-app.war"
	for _, r := range name {
		switch {
		case r < 0x20 || r == 0x7f:
			return Invalid("app_archive", fix, "the archive name %q holds a control character (%U)", name, r)
		case strings.ContainsRune("/\\\"'`$", r):
			return Invalid("app_archive", fix, "the archive name %q holds %q, which Liberty's configuration and the image build cannot take literally", name, r)
		}
	}
	if strings.IndexAny(name, ".- ") == 0 {
		return Invalid("app_archive", fix, "the archive name %q starts with %q", name, name[:1])
	}
	if strings.HasSuffix(strings.TrimSuffix(name, filepath.Ext(name)), " ") {
		return Invalid("app_archive", fix, "the archive name %q ends its application name with a space", name)
	}
	return nil
}

// checkServerXML parses the file: it must be well-formed XML with the root element <server>.
func checkServerXML(path string) error {
	return checkConfigXML("server_xml", path, path, "fix the XML (an editor or xmllint shows where)")
}

// checkDropins checks the XML files in dir's configDropins/defaults and configDropins/overrides,
// which Liberty reads as server.xml fragments: each must be well-formed with the root <server>.
// Links that lead out of dir are left to the copy, which refuses them.
func checkDropins(dir string) error {
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil // existingPath has just seen it; the copy reports what changed
	}
	for _, sub := range []string{"defaults", "overrides"} {
		rel := filepath.Join("configDropins", sub)
		entries, err := os.ReadDir(filepath.Join(dir, rel))
		if err != nil {
			continue // no such directory: nothing to check
		}
		for _, de := range entries {
			if !strings.EqualFold(filepath.Ext(de.Name()), ".xml") {
				continue
			}
			p := filepath.Join(dir, rel, de.Name())
			target, err := filepath.EvalSymlinks(p)
			if err != nil || !Within(realDir, target) {
				continue
			}
			if fi, err := os.Stat(target); err != nil || !fi.Mode().IsRegular() {
				continue
			}
			if err := checkConfigXML("config_dir", target, filepath.Join(rel, de.Name()),
				"fix the XML of "+filepath.Join(rel, de.Name())+" (an editor or xmllint shows where), or remove the file"); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkConfigXML parses a Liberty configuration file: well-formed XML whose root element is
// <server>. name is how the message names the file.
func checkConfigXML(field, path, name, fix string) error {
	f, err := os.Open(path)
	if err != nil {
		return Errorf(CodeNotFound, field, "make the file readable", "cannot read %s: %v", name, err)
	}
	defer f.Close()
	root, line, err := parseXMLRoot(io.LimitReader(f, 64<<20))
	switch {
	case err != nil:
		return Invalid(field, fix, "%s is not well-formed XML near line %d: %v", name, line, err)
	case root == "":
		return Invalid(field, "give it the root element <server>, as Liberty configuration files have", "%s has no root element", name)
	case root != "server":
		return Invalid(field, "give it the root element <server>, as Liberty configuration files have", "%s has root element <%s>, not <server>", name, root)
	}
	return nil
}

// parseXMLRoot reads a whole XML document and returns its root element's name. A document is
// well-formed only with one root element and no text outside it (a UTF-8 byte order mark may
// start it). On an error it returns the line the decoder had reached.
func parseXMLRoot(r io.Reader) (root string, line int, err error) {
	d := xml.NewDecoder(r)
	depth, first := 0, true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return root, 0, nil
		}
		if err == nil {
			err = checkTopLevel(tok, depth, root, first)
		}
		if err != nil {
			line, _ := d.InputPos()
			return root, line, err
		}
		first = false
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				root = tok.Name.Local
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// xmlSpace is what XML counts as white space.
const xmlSpace = " \t\r\n"

// checkTopLevel refuses a second root element and text outside the root element.
func checkTopLevel(tok xml.Token, depth int, root string, first bool) error {
	if depth > 0 {
		return nil
	}
	switch tok := tok.(type) {
	case xml.StartElement:
		if root != "" {
			return fmt.Errorf("a second root element <%s> after <%s> (a document has one)", tok.Name.Local, root)
		}
	case xml.CharData:
		text := string(tok)
		if first {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text = strings.Trim(text, xmlSpace); text != "" {
			return fmt.Errorf("text outside the root element: %q", text)
		}
	}
	return nil
}

func validatePhase(p *Phase) error {
	parsed, _, err := ParsePhase("phase", string(*p))
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}

func validateReadiness(r *Readiness, hasPorts bool) error {
	if r.HTTPURL != "" && r.LogLine != "" {
		return Invalid("readiness", "set either readiness.http_url or readiness.log_line", "both an HTTP and a log probe given")
	}
	if r.HTTPURL == "" && r.LogLine == "" {
		if hasPorts {
			r.HTTPURL = "/"
		} else {
			r.LogLine = DefaultReadyLogLine
		}
		return nil
	}
	if r.HTTPURL == "" {
		return nil
	}
	if strings.HasPrefix(r.HTTPURL, "/") {
		if !hasPorts {
			return Invalid("readiness.http_url", "publish the server's port (ports, --publish 9080) or give an absolute URL", "path %q needs a published port to resolve against", r.HTTPURL)
		}
		return nil
	}
	u, err := url.Parse(r.HTTPURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Invalid("readiness.http_url", "use a path such as /health or a URL such as http://127.0.0.1:9080/health", "%q is not an HTTP URL", r.HTTPURL)
	}
	return nil
}

func validateEnv(env map[string]string) error {
	if err := validateMap("env", env, envKeyRE, "environment variable names are letters, digits and _, not starting with a digit"); err != nil {
		return err
	}
	if _, ok := env["WLP_CHECKPOINT"]; ok {
		return Invalid(`env["WLP_CHECKPOINT"]`, "remove it and set phase instead; the tool sets WLP_CHECKPOINT only for the checkpoint run", "WLP_CHECKPOINT is managed by the tool")
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if err := checkValue(fmt.Sprintf("env[%q]", k), env[k], false); err != nil {
			return err
		}
	}
	return nil
}

func validateLabels(labels map[string]string) error {
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		field := fmt.Sprintf("labels[%q]", k)
		if k == "" || strings.ContainsAny(k, " =\"") || !utf8.ValidString(k) || strings.IndexFunc(k, isControl) >= 0 {
			return Invalid(field, "use label keys without spaces, quotes, '=' or control characters, for example org.example.team", "invalid label key")
		}
		if err := checkValue(field, labels[k], true); err != nil {
			return err
		}
	}
	return nil
}

// checkValue refuses an environment or label value that would not reach the image as given:
// Podman trims leading and trailing whitespace from a committed LABEL line and strips the double
// quotes around its value, a Containerfile line cannot hold a line break or other control
// character, an environment variable cannot hold NUL, and JSON (the Podman API) replaces bytes
// that are not UTF-8.
func checkValue(field, v string, label bool) error {
	switch {
	case !utf8.ValidString(v):
		return Invalid(field, "use UTF-8 text", "the value %q is not valid UTF-8", v)
	case strings.ContainsRune(v, 0):
		return Invalid(field, "remove the NUL byte", "the value %q holds a NUL byte", v)
	case strings.ContainsAny(v, "\n\r"):
		return Invalid(field, "put the value on one line", "the value %q holds a line break", v)
	case strings.IndexFunc(v, isControl) >= 0:
		r := v[strings.IndexFunc(v, isControl)]
		return Invalid(field, "remove the control character", "the value %q holds a control character (%U)", v, rune(r))
	case strings.TrimSpace(v) != v:
		return Invalid(field, "remove the leading and trailing whitespace: Podman trims it", "the value %q starts or ends with whitespace", v)
	case label && strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`):
		return Invalid(field, "drop the surrounding quotes: the value is stored as given, and a LABEL line would strip them", "the value %s is wrapped in double quotes", v)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func validateMap(field string, m map[string]string, keyRE *regexp.Regexp, fix string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !keyRE.MatchString(k) {
			return Invalid(fmt.Sprintf("%s[%q]", field, k), fix, "invalid name %q", k)
		}
	}
	return nil
}

// Validate checks the environment, the container name and the seccomp profile (made absolute).
func (r *RunSettings) Validate() error {
	if err := validateEnv(r.Env); err != nil {
		return err
	}
	if err := validateContainerName(r.ContainerName); err != nil {
		return err
	}
	if err := validateNetwork(&r.Network); err != nil {
		return err
	}
	return validateSeccomp(&r.SeccompProfile)
}

func validateContainerName(name string) error {
	if name != "" && !containerNameRE.MatchString(name) {
		return Invalid("container_name", "use letters, digits, '_', '.' and '-', starting with a letter or digit", "%q is not a valid container name", name)
	}
	return nil
}

// validateSeccomp accepts a seccomp profile file, "unconfined" (explicitly no filter), or nothing
// (the step's default: internal/privilege).
func validateSeccomp(path *string) error {
	if *path == "" || *path == privilege.Unconfined {
		return nil
	}
	if err := existingPath("seccomp_profile", path, false, "pass a seccomp profile JSON file, \"unconfined\", or nothing for the default"); err != nil {
		return err
	}
	data, err := os.ReadFile(*path)
	if err == nil && !json.Valid(data) {
		return Invalid("seccomp_profile", "pass a seccomp profile in the OCI/Docker JSON format", "%s is not JSON", *path)
	}
	return err
}

func validateTimeout(t *time.Duration, op string) error {
	switch {
	case *t < 0:
		return Invalid("timeout_seconds", "use a positive number of seconds, or 0 for the default", "negative timeout %s", *t)
	case *t == 0:
		*t = DefaultTimeouts[op]
	case *t > MaxTimeout:
		return Invalid("timeout_seconds", fmt.Sprintf("use at most %d seconds", int(MaxTimeout.Seconds())), "timeout %s is longer than %s", *t, MaxTimeout)
	}
	return nil
}

// outputImage checks a reference the operation will tag: a name with an optional tag.
func outputImage(field, ref string) error {
	if ref == "" {
		return Invalid(field, "name the image to create, for example localhost/myapp:1.0", "no image reference given")
	}
	r, why, ok := ParseReference(ref)
	if !ok {
		return Invalid(field, "use [registry/]name[:tag] in lowercase, for example localhost/myapp:1.0", "%q is not a valid image reference: %s", ref, why)
	}
	if r.Digest != "" {
		return Invalid(field, "drop the @digest: a new image gets its digest when it is built", "cannot tag an image with a digest (%q)", ref)
	}
	return nil
}

// inputImage checks a reference to an existing image: a reference or an image id.
func inputImage(field, ref string) error {
	if ref == "" {
		return Invalid(field, "name an image, for example localhost/myapp:1.0 (podman images lists them)", "no image given")
	}
	if IsImageID(ref) {
		return nil
	}
	if _, why, ok := ParseReference(ref); !ok {
		return Invalid(field, "use [registry/]name[:tag][@digest] in lowercase, or an image id", "%q is not a valid image reference: %s", ref, why)
	}
	return nil
}

// existingPath makes *p absolute and checks that it exists and is a directory (dir) or a file.
func existingPath(field string, p *string, dir bool, fix string) error {
	abs, err := filepath.Abs(*p)
	if err != nil {
		return Invalid(field, fix, "cannot resolve %q: %v", *p, err)
	}
	*p = abs
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Errorf(CodeNotFound, field, fix, "%s does not exist", abs)
	case err != nil:
		return Errorf(CodeFailedPrecondition, field, fix, "cannot read %s: %v", abs, err)
	case dir && !fi.IsDir():
		return Invalid(field, fix, "%s is not a directory", abs)
	case !dir && fi.IsDir():
		return Invalid(field, fix, "%s is a directory, not a file", abs)
	}
	return nil
}
