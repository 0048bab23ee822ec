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
