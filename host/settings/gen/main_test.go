package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
)

func repoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../..", path))
	require.NoError(t, err)
	return string(b)
}

// A setting is added in one place: a row of host/settings and its flag bound in the CLI (here: a
// flag of doctor). Everything else follows from make gen: the contract the shims bundle and their
// tests read, the Maven goal's parameter, the Gradle extension property, and the docs.
func TestANewSettingReachesEveryFrontEnd(t *testing.T) {
	m, err := model()
	require.NoError(t, err)
	m.Settings = append(append([]settings.Setting{}, m.Settings...),
		settings.Setting{Key: "probeDepth", Flag: "--probe-depth", Field: "probe_depth", Kind: settings.String, Doc: "how deep doctor probes"})
	commands := map[string][]string{}
	for c, flags := range m.Commands {
		commands[c] = flags
	}
	commands["doctor"] = append(append([]string{}, commands["doctor"]...), "--probe-depth")
	m.Commands = commands

	files, err := Files(m, repoFile(t, readme))
	require.NoError(t, err)

	var tbl Table
	require.NoError(t, json.Unmarshal(files[contractJSON], &tbl))
	row := byKey(tbl, "probeDepth")
	assert.Equal(t, "--probe-depth", row.Flag)
	assert.Equal(t, "<probeDepth> or -Dliberty.checkpoint.probeDepth", row.Maven)
	assert.Equal(t, "libertyCheckpoint { probeDepth = '...' } or -Pliberty.checkpoint.probeDepth=...", row.Gradle)
	assert.Equal(t, []string{"doctor"}, row.Commands)
	for _, g := range tbl.Goals {
		assert.Equal(t, g.Command == "doctor", contains(g.Settings, Binding{Key: "probeDepth", Flag: "--probe-depth"}), g.Maven)
	}

	maven := string(files[filepath.Join(mavenDir, "CheckpointDoctorMojo.java")])
	assert.Contains(t, maven, "  /** how deep doctor probes. */\n  @Parameter(property = \"liberty.checkpoint.probeDepth\")\n  protected String probeDepth;\n")
	assert.Contains(t, maven, `p.put("probeDepth", probeDepth);`)
	assert.NotContains(t, string(files[filepath.Join(mavenDir, "CheckpointImageMojo.java")]), "probeDepth")

	gradle := string(files[gradleExt])
	assert.Contains(t, gradle, `public Property<String> getProbeDepth() { return string("probeDepth"); }`)
	assert.Contains(t, gradle, `public void setProbeDepth(Object v) { assign("probeDepth", v); }`)

	assert.Contains(t, string(files[contractMD]), "| `probeDepth` | string | `--probe-depth` | doctor | checkpoint-doctor | how deep doctor probes |")
	assert.Contains(t, string(files[readme]), "| `probeDepth` | `--probe-depth` | how deep doctor probes |")
}

func contains(bs []Binding, b Binding) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}

// The committed files are what the table gives (make check-gen checks the same on every file).
func TestCommittedContractIsCurrent(t *testing.T) {
	m, err := model()
	require.NoError(t, err)
	files, err := Files(m, repoFile(t, readme))
	require.NoError(t, err)
	for path, want := range files {
		assert.Equal(t, string(want), repoFile(t, path), "%s is stale: run make gen", path)
	}
}

// A goal binds its base image's tag and Containerfile to settings of their own, and every goal
// takes the shims' own settings.
func TestGoalBindings(t *testing.T) {
	m, err := model()
	require.NoError(t, err)
	tbl, err := table(m)
	require.NoError(t, err)
	for _, g := range tbl.Goals {
		assert.True(t, contains(g.Settings, Binding{Key: "executable"}), g.Maven)
		assert.True(t, contains(g.Settings, Binding{Key: "skip"}), g.Maven)
		assert.True(t, contains(g.Settings, Binding{Key: "podmanUrl", Flag: "--podman-url"}), g.Maven)
		if g.Command == "build-base-image" {
			assert.True(t, contains(g.Settings, Binding{Key: "baseImage", Flag: "--image"}))
			assert.True(t, contains(g.Settings, Binding{Key: "baseContainerfile", Flag: "--containerfile"}))
			assert.False(t, contains(g.Settings, Binding{Key: "image", Flag: "--image"}))
		} else {
			assert.False(t, contains(g.Settings, Binding{Key: "baseContainerfile"}), g.Maven)
		}
	}
	_, err = table(Model{Settings: m.Settings, Commands: m.Commands, Goals: []settings.Goal{{Command: "nope", Maven: "x"}}})
	assert.ErrorContains(t, err, "the CLI has no command nope")
	assert.True(t, strings.HasPrefix(mavenSpelling(settings.Setting{Key: "k"}), "<k>"))
}
