package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// smokeBase is the local base image make base-local (and the e2e test) builds;
// LCP_BENCH_BASE_IMAGE names another (a worktree's own, while main's is in use).
func smokeBase() string {
	if b := os.Getenv("LCP_BENCH_BASE_IMAGE"); b != "" {
		return b
	}
	return "localhost/open-liberty:local-checkpoint"
}

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.CleanupBuilds()
	os.Exit(code)
}

// TestBenchSmoke is make bench for one round, on real Podman and CRIU: what CI runs so that the
// bench cannot rot. It asserts no time; it fails when the bench fails, when a restore is not a
// restore, or when a row of the report is missing.
func TestBenchSmoke(t *testing.T) {
	testenv.SkipIfShort(t, "the bench's smoke run (a few minutes)")
	testenv.LookPath(t, "podman", "install Podman: hack/setup-host.sh (make setup)")
	testenv.LookPath(t, "mvn", "install Maven: hack/setup-host.sh (make setup)")
	root := testenv.RepoRoot(t)
	t.Chdir(root) // the bench runs `go test ./host/pluginhost/` from the repository's root
	cli := testenv.Build(t, "host/cmd/liberty-checkpoint", "liberty-checkpoint")
	testenv.Build(t, "plugin/cmd/liberty-checkpoint-plugin", "liberty-checkpoint-plugin")
	prepare := func(env []string, name string, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = append(os.Environ(), env...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		require.NoError(t, cmd.Run(), "%s %s:\n%s", name, strings.Join(args, " "), out.String())
	}
	prepare([]string{"LCP_CLI=" + cli}, "beta-image/local/build.sh", smokeBase())
	prepare(nil, "mvn", "-B", "-q", "-f", "sample/pom.xml", "package")
	prepare(nil, "mvn", "-B", "-q", "-f", "bench/catalog/pom.xml", "package")

	cfg := config{
		Rounds: 1, CLI: cli, Base: smokeBase(), Seed: 1, Requests: 1000, Workloads: []string{"sample", "catalog"},
		War: "sample/target/sample.war", ConfigDir: "sample/src/main/liberty/config",
		Path: "/sample/hello", Body: "Hello from the liberty-checkpoint sample",
		CatalogWar: "bench/catalog/target/catalog.war", CatalogConfigDir: "bench/catalog/src/main/liberty/config",
		ContainerPort: 9080, OutDir: t.TempDir(), ReadyTimeout: 3 * time.Minute, Pause: 200 * time.Millisecond,
		GoBench: true, Pipeline: true, WarmUp: true, Service: true, Rootless: true,
	}
	require.NoError(t, cfg.check())
	var log bytes.Buffer
	b := &bench{cfg: cfg, prefix: "lcp-bench-" + randomID(), res: &resources{log: &log}, log: &log}
	rep, err := b.run(context.Background())
	b.res.cleanup()
	b.svc.stop()
	t.Logf("bench output:\n%s", log.String())
	require.NoError(t, err)
	assert.Empty(t, rep.Failures, "every measurement of the round, and every row of the report")
	for _, f := range []string{"report.md", "startup.png", "samples.json"} {
		st, err := os.Stat(filepath.Join(cfg.OutDir, f))
		if assert.NoError(t, err) {
			assert.NotZero(t, st.Size(), f)
		}
	}
	md, err := os.ReadFile(filepath.Join(cfg.OutDir, "report.md"))
	require.NoError(t, err)
	for _, want := range []string{"**sample: restore / cold = ", "**catalog: restore / cold = ", "| **restore / cold** |", "**tool / script = "} {
		assert.Contains(t, string(md), want)
	}
	// The rootless section: measured where make setup prepared the rootless user (always in CI),
	// otherwise the report says what is missing.
	require.NotNil(t, rep.Rootless)
	assert.Contains(t, string(md), "### Rootless versus rootful Podman (the sample)")
	if rep.Rootless.Missing != "" {
		if testenv.InCI() {
			t.Errorf("CI must measure rootless against rootful: %s", rep.Rootless.Missing)
		}
		t.Logf("rootless not measured: %s", rep.Rootless.Missing)
	} else {
		assert.Contains(t, string(md), "| restore / cold |")
		assert.NotEmpty(t, rep.Rootless.Drivers["rootless"], "the rootless storage driver is named")
		for _, s := range append(append([]Series{}, rep.Rootless.Build...), rep.Rootless.Startup...) {
			assert.Equal(t, 1, s.Summary().N, s.Key)
		}
	}
	lists := [][]string{{"podman", "ps", "-a", "--format", "{{.Names}}"}, {"podman", "images", "--format", "{{.Repository}}:{{.Tag}}"}}
	if rep.Rootless.Missing == "" {
		lists = append(lists, []string{rootlessScript, "run", "podman", "ps", "-a", "--format", "{{.Names}}"},
			[]string{rootlessScript, "run", "podman", "images", "--format", "{{.Repository}}:{{.Tag}}"})
	}
	for _, args := range lists {
		out, err := exec.Command(args[0], args[1:]...).Output()
		require.NoError(t, err)
		assert.NotContains(t, string(out), b.prefix, "the bench removes what it made: %s", strings.Join(args, " "))
	}
}
