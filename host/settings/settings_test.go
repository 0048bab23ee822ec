package settings

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The golden file is read by the Maven and Gradle shims' tests too, so that all front ends agree
// on the names. Regenerate with UPDATE_GOLDEN=1 go test ./host/settings.
func TestGolden(t *testing.T) {
	got, err := json.MarshalIndent(All, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	const path = "testdata/settings.json"
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s is stale; run UPDATE_GOLDEN=1 go test ./host/settings", path)
	}
}

func TestSettingsAreCompleteAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range All {
		if seen[s.Key] || seen[s.Flag] {
			t.Errorf("duplicate %s / %s", s.Key, s.Flag)
		}
		seen[s.Key], seen[s.Flag] = true, true
		if !strings.HasPrefix(s.Flag, "--") || s.Doc == "" || s.Field == "" {
			t.Errorf("incomplete setting %+v", s)
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
