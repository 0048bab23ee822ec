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

// Setting is one user-facing setting.
type Setting struct {
	Key   string `json:"key"`   // camelCase: Maven parameter, Gradle property, -Dliberty.checkpoint.<key>
	Flag  string `json:"flag"`  // CLI flag
	Field string `json:"field"` // API (proto) field the setting fills
	Doc   string `json:"doc"`
}

// All lists every setting.
var All = []Setting{
	{"podmanUrl", "--podman-url", "connection.uri", "Podman service URI; default $CONTAINER_HOST, the default socket, or a transient service"},
	{"baseImage", "--base-image", "base_image", "base image the application image is built on (default open-liberty:beta-checkpoint-ubi)"},
	{"appArchive", "--app-archive", "app_archive", "the application archive (.war/.ear) copied to /config/apps/"},
	{"serverXmlFile", "--server-xml-file", "server_xml", "server.xml copied to /config/ (default <configDirectory>/server.xml)"},
	{"configDirectory", "--config-directory", "config_dir", "Liberty configuration directory copied to /config/ (src/main/liberty/config)"},
	{"serverName", "--server-name", "server_name", "Liberty server name (default defaultServer)"},
	{"containerfile", "--containerfile", "containerfile", "your own Containerfile instead of the generated one"},
	{"image", "--image", "image", "the image the operation produces (or runs, for checkpoint and restore)"},
	{"phase", "--phase", "phase", "checkpoint phase: beforeAppStart or afterAppStart (default afterAppStart)"},
	{"labels", "--label", "labels", "image labels, key=value"},
	{"env", "--env", "env", "environment variables, key=value"},
	{"keepAppImage", "--keep-app-image", "keep_app_image", "keep the intermediate application image (<image>-app)"},
	{"seccompProfile", "--seccomp-profile", "seccomp_profile", "seccomp profile JSON (default: unconfined, as Open Liberty documents)"},
	{"timeout", "--timeout", "timeout_seconds", "give up after this long (Go duration such as 10m, or seconds)"},
	{"contextDirectory", "--context", "context_dir", "build context of the base image (default beta-image)"},
	{"buildArgs", "--build-arg", "build_args", "base image build arguments, key=value"},
	{"container", "--container", "container", "the checkpointed container to commit"},
	{"keepContainer", "--keep-container", "keep_container", "keep the container after commit"},
	{"containerName", "--name", "container_name", "container name (default: unique generated)"},
	{"ports", "--publish", "ports", "ports to publish, [[ip:]hostPort:]containerPort[/tcp|udp]; ip defaults to 127.0.0.1"},
	{"readyUrl", "--ready-url", "readiness.http_url", "readiness HTTP path or URL (default / on the first published port)"},
	{"readyLog", "--ready-log", "readiness.log_line", "readiness log text (default CWWKF0011I when no port is published)"},
	{"disableRecovery", "--disable-recovery", "disable_recovery", "fail instead of falling back to a cold start when restore fails"},
	{"keepRunning", "--keep-running", "keep_running", "leave the restored container running"},
}

var indexRE = regexp.MustCompile(`\[[^\]]*\]`)

// ByField finds the setting for an API field as errors spell it: "app_archive",
// "ports[0].host_port", `env["1X"]`, "readiness.http_url".
func ByField(field string) (Setting, bool) {
	if field == "" {
		return Setting{}, false
	}
	for _, s := range All {
		if s.Field == field {
			return s, true
		}
	}
	base := indexRE.ReplaceAllString(field, "")
	if i := strings.Index(base, "."); i > 0 && !strings.HasPrefix(base, "readiness.") && !strings.HasPrefix(base, "connection.") {
		base = base[:i]
	}
	for _, s := range All {
		if s.Field == base {
			return s, true
		}
	}
	return Setting{}, false
}

// ByKey finds a setting by its key.
func ByKey(key string) (Setting, bool) {
	for _, s := range All {
		if s.Key == key {
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

func fieldSetting(field string) (Setting, bool) {
	for _, s := range All {
		if s.Field == field {
			return s, true
		}
	}
	return Setting{}, false
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// FlagOf is the CLI spelling of a setting; KeyOf its key (Maven, Gradle, JSON events).
func FlagOf(s Setting) string { return s.Flag }

// KeyOf is a setting's key.
func KeyOf(s Setting) string { return s.Key }
