package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

const (
	baseImage      = "localhost/open-liberty:local-checkpoint"
	sampleGreeting = "Hello from the liberty-checkpoint sample"
)

func TestMain(m *testing.M) {
	code := m.Run()
	cleanupLib()
	testenv.CleanupBuilds()
	os.Exit(code)
}

// tool runs a command from the repository root and fails the test when it fails.
func tool(t *testing.T, timeout time.Duration, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = testenv.RepoRoot(t)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), "%s %s:\n%s", name, strings.Join(args, " "), out.String())
	return out.String()
}

// cliEvents runs the CLI with --output json and returns its events and exit code.
func cliEvents(t *testing.T, cli string, args ...string) ([]map[string]any, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, append(args, "--output", "json")...)
	cmd.Dir = testenv.RepoRoot(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &ev), "not JSON: %q (stderr: %s)", line, stderr.String())
		events = append(events, ev)
	}
	require.NotEmpty(t, events, "stderr: %s", stderr.String())
	if last := events[len(events)-1]; last["type"] == "error" {
		t.Logf("%s %v failed: %v\n%s", cli, args, last, stderr.String())
	}
	return events, code
}

func podmanLines(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("podman", args...).Output()
	require.NoError(t, err)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}

// leftovers are the containers and temporary images the tool names as its own.
func leftovers(t *testing.T) []string {
	return append(podmanLines(t, "ps", "-a", "--filter", "name=^lcp-", "--format", "container {{.Names}}"),
		podmanLines(t, "images", "--filter", "reference=localhost/lcp-tmp-*", "--format", "image {{.Repository}}:{{.Tag}}")...)
}

func TestSampleInstantOnEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the end-to-end test builds a Liberty image and takes minutes")
	}
	testenv.LookPath(t, "podman", "run hack/setup-host.sh")
	testenv.LookPath(t, "mvn", "install Maven (the machine's JDK comes with it here)")
	root := testenv.RepoRoot(t)
	plugin := testenv.Build(t, "plugin/cmd/liberty-checkpoint-plugin", "liberty-checkpoint-plugin")
	cli := testenv.Build(t, "host/cmd/liberty-checkpoint", "liberty-checkpoint")
	require.Equal(t, filepath.Dir(cli), filepath.Dir(plugin))

	// The local Open Liberty base (cached: rebuilt only when its context changed) and the WAR.
	tool(t, 30*time.Minute, []string{"LCP_CLI=" + cli}, "beta-image/local/build.sh", baseImage)
	tool(t, 10*time.Minute, nil, "mvn", "-B", "-q", "-f", "sample/pom.xml", "package")
	war := filepath.Join(root, "sample/target/sample.war")

	before := leftovers(t)
	id := randomID()
	image := "localhost/lcp-e2e-sample:" + id
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })

	// 1. The InstantOn image, in one call.
	events, code := cliEvents(t, cli, "checkpoint-image", "--base-image", baseImage, "--app-archive", war,
		"--config-directory", "sample/src/main/liberty/config", "--image", image, "--phase", "afterAppStart")
	require.Equal(t, 0, code)
	result := events[len(events)-1]
	require.Equal(t, "result", result["type"])
	assert.Equal(t, image, result["image"])
	assert.Equal(t, "afterAppStart", result["phase"])
	assert.Greater(t, result["checkpointSizeBytes"], float64(1<<20), "a JVM checkpoint is megabytes")
	var steps []string
	for _, ev := range events {
		if ev["type"] == "progress" && ev["state"] == "done" {
			steps = append(steps, ev["name"].(string))
		}
	}
	assert.Equal(t, []string{"containerize", "checkpoint", "commit"}, steps)

	// 2. The committed image will not checkpoint again, and records what doctor needs.
	env := podmanLines(t, "image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", image)
	assert.Contains(t, env, "WLP_CHECKPOINT=", "WLP_CHECKPOINT is reset in the InstantOn image")
	var labels map[string]string
	out, err := exec.Command("podman", "image", "inspect", "--format", "{{json .Labels}}", image).Output()
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &labels))
	assert.Equal(t, "afterAppStart", labels[engine.LabelPhase])
	assert.Equal(t, baseImage, labels[engine.LabelBaseName])
	assert.NotEmpty(t, labels[engine.LabelKernel])
	assert.NotEmpty(t, labels[engine.LabelCPUFlags])

	// 3. Restore with least privilege: restored, not a cold start, and the app answers.
	events, code = cliEvents(t, cli, "restore", "--image", image, "--publish", "127.0.0.1::9080",
		"--ready-url", "/sample/hello", "--keep-running", "--disable-recovery")
	require.Equal(t, 0, code)
	result = events[len(events)-1]
	name, _ := result["containerName"].(string)
	require.NotEmpty(t, name)
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", name).Run() })
	restore := result["restore"].(map[string]any)
	assert.Equal(t, "restored", restore["verdict"])
	assert.Contains(t, restore["evidence"], engine.MsgRestored)
	assert.EqualValues(t, 200, restore["httpStatus"])
	t.Logf("restore: ready in %v ms", restore["readyMs"])
	resp, err := http.Get(restore["url"].(string))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), sampleGreeting)
	inspect := podmanLines(t, "inspect", "--format", "{{.HostConfig.Privileged}} {{.HostConfig.CapAdd}}", name)
	require.Len(t, inspect, 1)
	assert.True(t, strings.HasPrefix(inspect[0], "false "), "never privileged: %s", inspect[0])
	assert.NotContains(t, inspect[0], "SYS_PTRACE", "restore runs without SYS_PTRACE")
	require.NoError(t, exec.Command("podman", "rm", "-f", name).Run())

	// 4. Nothing of the tool's is left behind.
	assert.Equal(t, before, leftovers(t))
}

func randomID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
