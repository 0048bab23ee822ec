// Package settings is the one table of user-facing setting names. Each setting has one key that
// is the same everywhere a user types it: the Maven parameter (<baseImage>,
// -Dliberty.checkpoint.baseImage) and the Gradle extension property (libertyCheckpoint {
// baseImage }, -Pliberty.checkpoint.baseImage); the CLI flag is the key in kebab case
// (--base-image), or podman's flag where podman has one (--label, --env, --publish, --name). Errors name the API field
// (base_image); this table lets every front end translate that into its own spelling.
package settings

import (
	"regexp"
	"strings"
)

// Kind is how a setting's value is written in a build script and on the command line.
type Kind string

// The kinds of settings.
const (
	String Kind = "string"
	Path   Kind = "path"    // a file or directory; relative to the project in the build tools
	Bool   Kind = "boolean" // a switch
	Map    Kind = "map"     // key=value pairs: repeated --flag k=v, -D/-P ...=k1=v1,k2=v2
	List   Kind = "list"    // repeated values: repeated --flag v, -D/-P ...=v1,v2
)

// Setting is one user-facing setting. A setting without a Flag belongs to the Maven and Gradle
// shims alone: it applies to every goal, unless a Goal's Bind feeds a flag from it (then to that
// goal only).
type Setting struct {
	Key   string `json:"key"`             // camelCase: Maven parameter, Gradle property, -D/-P liberty.checkpoint.<key>
	Flag  string `json:"flag,omitempty"`  // CLI flag
	Field string `json:"field,omitempty"` // API (proto) field the setting fills; none for the CLI's own (--output-dir)
	Kind  Kind   `json:"kind"`
	Doc   string `json:"doc"`
}

// All lists every setting. Adding one here (and binding its flag in host/cli) is all it takes:
// make gen carries it into contract/settings.json, the Maven goals' parameters, the Gradle
// extension and the settings table of the docs.
var All = []Setting{
	{"podmanUrl", "--podman-url", "connection.uri", String, "Podman service URI: unix:///path, tcp://host:port or ssh://user@host[:port]/path/to/podman.sock; default $CONTAINER_HOST, $CONTAINER_CONNECTION or podman system connection's default (podman machine's), the default socket, or a transient service"},
	{"identity", "--identity", "connection.identity", Path, "ssh private key for an ssh:// Podman connection; default $CONTAINER_SSHKEY, the connection's own key, or ssh-agent"},
	{"baseImage", "--base-image", "base_image", String, "base image the application image is built on (default open-liberty:beta-checkpoint-ubi)"},
	{"appArchive", "--app-archive", "app_archive", Path, "the application archive (.war, .ear, .rar or .jar) copied to /config/apps/"},
	{"serverXmlFile", "--server-xml-file", "server_xml", Path, "server.xml copied to /config/ (default <configDirectory>/server.xml)"},
	{"configDirectory", "--config-directory", "config_dir", Path, "Liberty configuration directory copied to /config/ (src/main/liberty/config)"},
	{"serverName", "--server-name", "server_name", String, "Liberty server name (default defaultServer)"},
	{"containerfile", "--containerfile", "containerfile", Path, "your own Containerfile instead of the generated one"},
	{"image", "--image", "image", String, "the image the operation produces (or runs, for checkpoint and restore)"},
	{"phase", "--phase", "phase", String, "checkpoint phase: beforeAppStart or afterAppStart (default afterAppStart); the old names deployment and applications are accepted"},
	{"method", "--method", "method", String, "how checkpoint-image checkpoints: run-and-commit (default: run the app image with WLP_CHECKPOINT, commit the container) or build (RUN checkpoint.sh <phase> in a podman build with the checkpoint capabilities)"},
	{"labels", "--label", "labels", Map, "image labels, key=value"},
	{"env", "--env", "env", Map, "environment variables, key=value"},
	{"keepAppImage", "--keep-app-image", "keep_app_image", Bool, "keep the intermediate application image (<image>-app)"},
	{"seccompProfile", "--seccomp-profile", "seccomp_profile", Path, "seccomp profile JSON, or unconfined (default: unconfined to checkpoint, which criu needs; Podman's default profile to restore)"},
	{"timeout", "--timeout", "timeout_seconds", String, "give up after this long (Go duration such as 10m, or seconds)"},
	{"contextDirectory", "--context", "context_dir", Path, "build context of the base image (default beta-image)"},
	{"buildArgs", "--build-arg", "build_args", Map, "base image build arguments, key=value"},
	{"container", "--container", "container", String, "the checkpointed container to commit"},
	{"keepContainer", "--keep-container", "keep_container", Bool, "keep the container after commit"},
	{"containerName", "--name", "container_name", String, "container name (default: unique generated)"},
	{"ports", "--publish", "ports", List, "ports to publish, [[ip:]hostPort:]containerPort[/tcp|udp]; ip defaults to 127.0.0.1"},
	{"readyUrl", "--ready-url", "readiness.http_url", String, "readiness HTTP path or URL (default / on the first published port)"},
	{"readyLog", "--ready-log", "readiness.log_line", String, "readiness log text (default CWWKF0011I when no port is published)"},
	{"disableRecovery", "--disable-recovery", "disable_recovery", Bool, "fail instead of falling back to a cold start when restore fails"},
	{"keepRunning", "--keep-running", "keep_running", Bool, "leave the restored container running"},
	{"memory", "--memory", "memory", String, "memory limit of the restore container, as podman run --memory (512m, 1g); doctor warns when it is below what the server used at checkpoint time"},
	{"network", "--network", "network", String, "network of the checkpoint run and the restore container: default (Podman's: a bridge as root, slirp4netns rootless; ports are published) or host (the host's own network, only when asked, for rootless Podman without usable /dev/net/tun or slirp4netns: nothing is published, the server listens on the host's ports as its server.xml says, and the readiness path is probed on 127.0.0.1:<container port>)"},
	{"push", "--push", "push", Bool, "push the InstantOn image to its registry once built (image names the registry: registry.example.com/team/app:1.0); the digest goes to image.digest"},
	{"destination", "--destination", "destination", String, "registry reference to push to (default: the image's own name)"},
	{"authfile", "--authfile", "registry.authfile", Path, "registry credentials file (podman login's auth.json); default $REGISTRY_AUTH_FILE, then $XDG_RUNTIME_DIR/containers/auth.json, then ~/.docker/config.json"},
	{"creds", "--creds", "registry.creds", String, "registry user:password, for CI (never logged; the CLI also reads $LCP_REGISTRY_CREDS)"},
	{"tlsVerify", "--tls-verify", "registry.tls_verify", String, "verify the registry's TLS certificate: true (default) or false (also allows plain HTTP)"},
	{"certDir", "--cert-dir", "registry.cert_dir", Path, "directory of CA certificates (*.crt) for the registry, as podman's --cert-dir"},
	{"kubeDirectory", "--kube-directory", "output_dir", Path, "directory kube writes <appName>.yaml and its seccomp profile to (default kube)"},
	{"appName", "--app-name", "name", String, "name of the Kubernetes objects kube writes (default: from the image's repository name)"},
	{"namespace", "--namespace", "namespace", String, "Kubernetes namespace of the objects (default: none, kubectl's -n decides)"},
	{"replicas", "--replicas", "replicas", String, "number of pods of the Deployment (default 1)"},
	{"httpPort", "--http-port", "http_port", String, "the server's HTTP port in the container, for the Service and the probes (default 9080)"},
	{"memoryLimit", "--memory-limit", "memory_limit", String, "memory request and limit of the pod, a Kubernetes quantity such as 768Mi (default: the checkpoint's RSS recorded on the image plus 50%, else 512Mi)"},
	{"seccompUnconfined", "--seccomp-unconfined", "seccomp_unconfined", Bool, "run the pod seccomp Unconfined instead of with the generated Localhost profile"},
	{"openshift", "--openshift", "openshift", Bool, "also write OpenShift's SecurityContextConstraints, ServiceAccount, Role and RoleBinding"},
	{"outputDirectory", "--output-dir", "", Path, "directory checkpoint-image writes image.id and image.json to, and a push image.digest (Jib's convention; default: none, or target/liberty-checkpoint, build/liberty-checkpoint in the build tools)"},

	// The shims' own settings.
	{"baseContainerfile", "", "", String, "the base image's Containerfile, relative to contextDirectory or absolute (default Dockerfile.ubi.openjdk11)"},
	{"executable", "", "", Path, "a liberty-checkpoint binary (with liberty-checkpoint-plugin beside it) to run instead of the plugin's own for this machine (io.libertycheckpoint:liberty-checkpoint-binaries:<version>:zip:<classifier>); a bare name is looked up on PATH"},
	{"skip", "", "", Bool, "skip the goal (Jib's habit: -Dliberty.checkpoint.skip, -Pliberty.checkpoint.skip=true)"},
	{"bootstrapProperties", "", "", Map, "Liberty bootstrap properties, written to /config/bootstrap.properties (default: liberty-maven-plugin's or liberty-gradle-plugin's bootstrapProperties)"},
	{"jvmOptions", "", "", List, "JVM options, written to /config/jvm.options (default: liberty-maven-plugin's or liberty-gradle-plugin's jvmOptions)"},
}

// Aliases are the short names a setting also answers to on the command line, as Jib's -Dimage:
// Maven's -D<alias> and Gradle's -P<alias>. An alias is used only when the setting is set nowhere
// else (build script, liberty.checkpoint.<key> property).
var Aliases = map[string]string{"image": "image"}

// ShimGoals names the commands whose goals take a shim setting; a shim setting not named here is
// taken by every goal.
var ShimGoals = map[string][]string{
	"bootstrapProperties": {"checkpoint-image"},
	"jvmOptions":          {"checkpoint-image"},
}

// Goal is a CLI command that the Maven and Gradle shims run: a Maven goal (prefix liberty) and a
// Gradle task (group liberty). Its settings are those whose flags the command takes.
type Goal struct {
	Command string `json:"command"`
	Maven   string `json:"maven"`
	Gradle  string `json:"gradle"`
	Doc     string `json:"doc"`
	// Bind feeds one of the command's flags from another setting in the shims (flag key ->
	// setting key), where the build tools' project-wide settings need a name of their own.
	Bind map[string]string `json:"-"`
	// Defaults are the settings the shims default from the project: appArchive (its war or ear),
	// configDirectory (liberty-maven-plugin's or liberty-gradle-plugin's, else
	// src/main/liberty/config when it exists), serverXmlFile, serverName, bootstrapProperties and
	// jvmOptions (the Liberty plugin's), image (localhost/<name>:<version>-instanton).
	Defaults []string `json:"defaults,omitempty"`
}

// Goals lists the commands the build tools offer; a new one is a row here and, for Maven, a Mojo
// class that make gen writes (maven-shim).
var Goals = []Goal{
	{"checkpoint-image", "checkpoint-image", "checkpointImage",
		"Builds the Open Liberty InstantOn image of the application: containerize, checkpoint with CRIU, commit.",
		nil, []string{"appArchive", "configDirectory", "serverXmlFile", "serverName", "image", "bootstrapProperties", "jvmOptions", "outputDirectory"}},
	{"build-base-image", "checkpoint-base-image", "checkpointBaseImage",
		"Builds the InstantOn base image (Open Liberty with a JVM and CRIU) that checkpointImage builds on, tagged baseImage.",
		map[string]string{"image": "baseImage", "containerfile": "baseContainerfile"}, nil},
	{"restore", "checkpoint-restore", "checkpointRestore",
		"Restores the InstantOn image, waits until it is ready and fails unless it restored from its checkpoint.",
		nil, []string{"image"}},
	{"push", "checkpoint-push", "checkpointPush",
		"Pushes the InstantOn image to its registry and writes the registry's digest to image.digest.",
		nil, []string{"image", "outputDirectory"}},
	{"doctor", "checkpoint-doctor", "checkpointDoctor",
		"Checks that this host, Podman and (when image is set) the image can checkpoint and restore.",
		nil, nil},
	{"kube", "checkpoint-kube", "checkpointKube",
		"Writes the Kubernetes YAML (Deployment, Service; with openshift the SCC and its binding) and the seccomp profile that deploy the InstantOn image with least privilege.",
		nil, []string{"image"}},
}

var indexRE = regexp.MustCompile(`\[[^\]]*\]`)

// ByField finds the setting for an API field as errors spell it: "app_archive",
// "ports[0].host_port", `env["1X"]`, "readiness.http_url".
func ByField(field string) (Setting, bool) {
	if field == "" {
		return Setting{}, false
	}
	if s, ok := fieldSetting(field); ok {
		return s, true
	}
	base := indexRE.ReplaceAllString(field, "")
	if i := strings.Index(base, "."); i > 0 && !strings.HasPrefix(base, "readiness.") && !strings.HasPrefix(base, "connection.") && !strings.HasPrefix(base, "registry.") {
		base = base[:i]
	}
	return fieldSetting(base)
}

// ByKey finds a setting by its key.
func ByKey(key string) (Setting, bool) {
	return find(func(s Setting) bool { return s.Key == key })
}

// find is the first setting of the table that matches.
func find(match func(Setting) bool) (Setting, bool) {
	for _, s := range All {
		if match(s) {
			return s, true
		}
	}
	return Setting{}, false
}

// fieldRE finds API field names in free text: words joined by _ or . (config_dir,
// timeout_seconds, readiness.http_url). One-word fields (image, phase) are left alone: in prose
// they are ordinary words.
var fieldRE = regexp.MustCompile(`[a-z]+(?:[_.][a-z]+)+`)

// Spell rewrites the API field names a message or a fix mentions (config_dir, timeout_seconds)
// into the spelling of the user's front end: spell(setting), for example its CLI flag or its key.
// Words that are not fields of the table stay as they are.
func Spell(text string, spell func(Setting) string) string {
	idx := fieldRE.FindAllStringIndex(text, -1)
	if idx == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		start, end := m[0], m[1]
		word := text[start:end]
		before := byte(' ')
		if start > 0 {
			before = text[start-1]
		}
		after := byte(' ')
		if end < len(text) {
			after = text[end]
		}
		s, ok := fieldSetting(word)
		if !ok || isWordByte(before) || before == '.' || before == '/' || before == '-' || isWordByte(after) || after == '-' {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(spell(s))
		last = end
	}
	b.WriteString(text[last:])
	return b.String()
}

// fieldSetting finds the setting of an API field exactly as the table spells it.
func fieldSetting(field string) (Setting, bool) {
	return find(func(s Setting) bool { return s.Field != "" && s.Field == field })
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// FlagOf is the CLI spelling of a setting; KeyOf its key (Maven, Gradle, JSON events).
func FlagOf(s Setting) string { return s.Flag }

// KeyOf is a setting's key.
func KeyOf(s Setting) string { return s.Key }
