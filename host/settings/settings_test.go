package settings

import (
	"strings"
	"testing"
)

func TestSettingsAreCompleteAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range All {
		if seen[s.Key] || (s.Flag != "" && seen[s.Flag]) {
			t.Errorf("duplicate %s / %s", s.Key, s.Flag)
		}
		seen[s.Key], seen[s.Flag] = true, true
		if (s.Field != "" && s.Flag == "") || (s.Flag != "" && !strings.HasPrefix(s.Flag, "--")) || s.Doc == "" {
			t.Errorf("incomplete setting %+v", s)
		}
		switch s.Kind {
		case String, Path, Bool, Map, List:
		default:
			t.Errorf("%s: unknown kind %q", s.Key, s.Kind)
		}
	}
	for _, g := range Goals {
		for flagKey, key := range g.Bind {
			f, ok1 := ByKey(flagKey)
			_, ok2 := ByKey(key)
			if !ok1 || !ok2 || f.Flag == "" {
				t.Errorf("goal %s binds %s to %s: both must be settings, the first with a flag", g.Command, flagKey, key)
			}
		}
		for _, key := range g.Defaults {
			if _, ok := ByKey(key); !ok {
				t.Errorf("goal %s defaults unknown setting %s", g.Command, key)
			}
		}
	}
}

func TestByField(t *testing.T) {
	for field, key := range map[string]string{
		"app_archive": "appArchive", "ports[2].host_port": "ports", `env["1X"]`: "env", `labels["a b"]`: "labels",
		"readiness.http_url": "readyUrl", "connection.uri": "podmanUrl", "server_xml": "serverXmlFile",
	} {
		s, ok := ByField(field)
		if !ok || s.Key != key {
			t.Errorf("ByField(%q) = %q, %v; want %q", field, s.Key, ok, key)
		}
	}
	if _, ok := ByField("nonsense"); ok {
		t.Error("ByField(nonsense) found something")
	}
}

// Messages name settings the way the user wrote them: the CLI says --config-directory, the
// events (read by Maven and Gradle) say configDirectory; words that are not fields stay.
func TestSpell(t *testing.T) {
	for in, want := range map[string][2]string{
		"set config_dir to your Liberty configuration directory": {"set --config-directory to your Liberty configuration directory", "set configDirectory to your Liberty configuration directory"},
		"raise timeout_seconds, or look at the log":              {"raise --timeout, or look at the log", "raise timeout, or look at the log"},
		"point connection.uri / CONTAINER_HOST at a service":     {"point --podman-url / CONTAINER_HOST at a service", "point podmanUrl / CONTAINER_HOST at a service"},
		"set either readiness.http_url or readiness.log_line":    {"set either --ready-url or --ready-log", "set either readyUrl or readyLog"},
		"/tmp/config_dir/server.xml and my_file stay":            {"/tmp/config_dir/server.xml and my_file stay", "/tmp/config_dir/server.xml and my_file stay"},
		"pass a server_xml.":                                     {"pass a --server-xml-file.", "pass a serverXmlFile."},
	} {
		if got := Spell(in, FlagOf); got != want[0] {
			t.Errorf("Spell(%q, FlagOf) = %q, want %q", in, got, want[0])
		}
		if got := Spell(in, KeyOf); got != want[1] {
			t.Errorf("Spell(%q, KeyOf) = %q, want %q", in, got, want[1])
		}
	}
}
