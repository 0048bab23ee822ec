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
		if (s.Flag != "") != (s.Field != "") || (s.Flag != "" && !strings.HasPrefix(s.Flag, "--")) || s.Doc == "" {
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
