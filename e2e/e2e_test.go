package e2e

import (
	"bytes"
	"cmp"
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

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/host/render"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

const sampleGreeting = "Hello from the liberty-checkpoint sample"

// baseImage is the local base image the tests build (when its context changed) and use;
// LCP_E2E_BASE_IMAGE names another, so a worktree whose base-image scripts differ from main's
// tests them on its own image instead of rebuilding the shared one.
var baseImage = cmp.Or(os.Getenv("LCP_E2E_BASE_IMAGE"), "localhost/open-liberty:local-checkpoint")

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
func cliEvents(t *testing.T, cli string, args ...string) ([]*pb.Event, int) {
	t.Helper()
	return runAs{dir: testenv.RepoRoot(t)}.cliEvents(t, cli, args...)
}

// runAs is whom the tests run the tool and podman as: this process's user (root; the zero value),
// or, with as set, another one through a command prefix (runuser -u USER -- env ...).
type runAs struct {
	as  []string
	dir string // the tool's working directory
}

func (u runAs) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string(nil), u.as...), name), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = u.dir
	return cmd
}

// cliEvents runs the CLI with --output json and returns its events and exit code.
func (u runAs) cliEvents(t *testing.T, cli string, args ...string) ([]*pb.Event, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := u.command(ctx, cli, append(args, "--output", "json")...)
	events, code, _ := runEvents(t, cmd)
	return events, code
}

// runEvents runs a command that ends in the CLI with --output json and returns its events, exit
// code and log lines; it logs them when the command failed.
func runEvents(t *testing.T, cmd *exec.Cmd) ([]*pb.Event, int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err, "stderr: %s", stderr.String())
	}
	events, err := render.ReadEvents(bytes.NewReader(stdout.Bytes()))
	require.NoError(t, err, "stderr: %s", stderr.String())
	require.NotEmpty(t, events, "stderr: %s", stderr.String())
	var logs []string
	for _, ev := range events {
		if l := ev.GetLog(); l != nil {
			logs = append(logs, l.GetLine())
		}
	}
	if last := events[len(events)-1]; last.GetError() != nil || code != 0 {
		t.Logf("%v failed (%d): %v\n%s\n%s", cmd.Args, code, last, strings.Join(logs, "\n"), stderr.String())
	}
	return events, code, strings.Join(logs, "\n")
}

// podman runs podman and returns its output's lines, sorted.
func (u runAs) podman(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := u.command(context.Background(), "podman", args...).Output()
	require.NoError(t, err, "podman %s", strings.Join(args, " "))
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}

// leftovers are the containers and temporary images the tool names as its own, in u's storage
// (the rootless user's: its plugins run as that user, out of pluginWatch's sight).
func (u runAs) leftovers(t *testing.T) []string {
	return append(u.podman(t, "ps", "-a", "--filter", "name=^lcp-", "--format", "container {{.Names}}"),
		u.podman(t, "images", "--filter", "reference=localhost/lcp-tmp-*", "--format", "image {{.Repository}}:{{.Tag}}")...)
}

// leftovers are the containers, temporary images and lock volumes this test binary's plugins
// made and left (pluginWatch).
func leftovers(t *testing.T) []string {
	return watchPlugins(testenv.Build(t, "plugin/cmd/liberty-checkpoint-plugin", "liberty-checkpoint-plugin")).leftovers(t)
}

func podmanLines(t *testing.T, args ...string) []string { return runAs{}.podman(t, args...) }

// sampleSetup builds the CLI and the plugin, the local Open Liberty base (cached: rebuilt only
// when its context changed) and the sample's WAR, and returns the CLI and the WAR.
func sampleSetup(t *testing.T) (cli, war string) {
	testenv.SkipIfShort(t, "the end-to-end test (it builds a Liberty image and takes minutes)")
	testenv.LookPath(t, "podman", "run hack/setup-host.sh")
	testenv.LookPath(t, "mvn", "install Maven (the machine's JDK comes with it here)")
	root := testenv.RepoRoot(t)
	plugin := testenv.Build(t, "plugin/cmd/liberty-checkpoint-plugin", "liberty-checkpoint-plugin")
	watchPlugins(plugin) // what its plugins make counts as ours (leftovers)
	cli = testenv.Build(t, "host/cmd/liberty-checkpoint", "liberty-checkpoint")
	require.Equal(t, filepath.Dir(cli), filepath.Dir(plugin))
	tool(t, 30*time.Minute, []string{"LCP_CLI=" + cli}, "beta-image/local/build.sh", baseImage)
	tool(t, 10*time.Minute, nil, "mvn", "-B", "-q", "-f", "sample/pom.xml", "package")
	return cli, filepath.Join(root, "sample/target/sample.war")
}

// doneSteps lists the progress steps an operation finished, in order.
func doneSteps(events []*pb.Event) []string {
	var steps []string
	for _, ev := range events {
		if p := ev.GetProgress(); p.GetState() == pb.Progress_STATE_DONE {
			steps = append(steps, p.GetName())
		}
	}
	return steps
}

// imageLabels returns an image's labels.
func imageLabels(t *testing.T, image string) map[string]string {
	t.Helper()
	var labels map[string]string
	out, err := exec.Command("podman", "image", "inspect", "--format", "{{json .Labels}}", image).Output()
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &labels))
	return labels
}

// restoreSample restores image with least privilege and checks it restored and answers.
func restoreSample(t *testing.T, cli, image string) {
	t.Helper()
	runAs{dir: testenv.RepoRoot(t)}.restoreSample(t, cli, image)
}

// restoreSample restores image as u with least privilege, checks that it restored and answers,
// removes the container and returns the answer and when the restore command started.
func (u runAs) restoreSample(t *testing.T, cli, image string) (string, time.Time) {
	t.Helper()
	return u.restoreSampleOn(t, cli, image, "9080")
}

// restoreSampleOn is restoreSample for a server that listens on port in its container.
func (u runAs) restoreSampleOn(t *testing.T, cli, image, port string) (string, time.Time) {
	t.Helper()
	start := time.Now()
	events, code := u.cliEvents(t, cli, "restore", "--image", image, "--publish", "127.0.0.1::"+port,
		"--ready-url", "/sample/hello", "--keep-running", "--disable-recovery")
	require.Equal(t, 0, code)
	result := events[len(events)-1].GetResult()
	name := result.GetContainerName()
	require.NotEmpty(t, name)
	t.Cleanup(func() { _ = u.command(context.Background(), "podman", "rm", "-f", name).Run() })
	restore := result.GetRestore()
	assert.Equal(t, pb.RestoreOutcome_VERDICT_RESTORED, restore.GetVerdict())
	assert.Contains(t, restore.GetEvidence(), engine.MsgRestored)
	assert.EqualValues(t, 200, restore.GetHttpStatus())
	t.Logf("restore: ready in %v ms", restore.GetReadyMs())
	resp, err := http.Get(restore.GetUrl())
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), sampleGreeting)
	// The verdict rests on a fact a cold start cannot produce, which --output json carries: the
	// restored JVM started in the checkpoint run, before its container was created.
	p := restore.GetServerProcess()
	require.NotNil(t, p, "the local base records the JVM's start (LCP_JVM_STARTED_MS)")
	assert.Less(t, p.GetStartedMs(), p.GetContainerCreatedMs(), "the restored JVM is older than its container")
	assert.Contains(t, restore.GetEvidence(), "before its container was created")
	// Least privilege: never privileged, exactly CHECKPOINT_RESTORE and SETPCAP, Podman's default
	// seccomp profile; the JVM holds no capability and runs with no_new_privs (criu restored it
	// from the checkpoint), so nothing it executes, criu's copies included, gains one.
	inspect := u.podman(t, "inspect", "--format", "{{.HostConfig.Privileged}} {{.EffectiveCaps}}", name)
	require.Len(t, inspect, 1)
	assert.Equal(t, "false [CAP_CHECKPOINT_RESTORE CAP_SETPCAP]", inspect[0])
	assert.Equal(t, "0000000000000000", p.GetCapEff())
	assert.True(t, p.GetNoNewPrivs(), "the restored JVM runs with no_new_privs")
	assert.EqualValues(t, 2, p.GetSeccomp(), "the restored JVM runs under a seccomp filter")
	u.podman(t, "rm", "-f", name)
	return string(body), start
}

func TestSampleInstantOnEndToEnd(t *testing.T) {
	cli, war := sampleSetup(t)
	before := leftovers(t)
	id := randomID()
	image := "localhost/lcp-e2e-sample:" + id
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })

	// 1. The InstantOn image, in one call, with the warm-up the demo and the bench use: the
	// checkpoint run requests the sample's URL before the dump, and no connection of it is dumped.
	events, code := cliEvents(t, cli, "checkpoint-image", "--base-image", baseImage, "--app-archive", war,
		"--config-directory", "sample/src/main/liberty/config", "--image", image, "--phase", "afterAppStart",
		"--env", "LCP_CHECKPOINT_WARMUP=/sample/hello")
	require.Equal(t, 0, code)
	var logs []string
	for _, ev := range events {
		if l := ev.GetLog(); l != nil {
			logs = append(logs, l.GetLine())
		}
	}
	assert.Contains(t, strings.Join(logs, "\n"), "warmed up with 10 requests to each of /sample/hello")
	assert.Contains(t, strings.Join(logs, "\n"), "warm-up done, the server holds no open connection")
	result := events[len(events)-1].GetResult()
	require.NotNil(t, result)
	assert.Equal(t, image, result.GetImage())
	assert.Equal(t, "afterAppStart", result.GetPhase())
	assert.Greater(t, result.GetCheckpointSizeBytes(), int64(1<<20), "a JVM checkpoint is megabytes")
	assert.Equal(t, []string{"containerize", "checkpoint", "commit"}, doneSteps(events))

	// 2. The committed image will not checkpoint again, and records what doctor needs.
	env := podmanLines(t, "image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", image)
	assert.Contains(t, env, "WLP_CHECKPOINT=", "WLP_CHECKPOINT is reset in the InstantOn image")
	labels := imageLabels(t, image)
	assert.Equal(t, "afterAppStart", labels[engine.LabelPhase])
	assert.Equal(t, baseImage, labels[engine.LabelBaseName])
	assert.NotEmpty(t, labels[engine.LabelKernel])
	assert.NotEmpty(t, labels[engine.LabelCPUFlags])

	// 3. Restore with least privilege: restored, not a cold start, and the app answers.
	restoreSample(t, cli, image)

	// 4. Nothing of the tool's is left behind.
	assert.Equal(t, before, leftovers(t))
}

// The official build flow: the app image's build ends with RUN checkpoint.sh <phase>, which
// Podman runs with the checkpoint's capabilities; the local flavor's checkpoint.sh starts the
// server and criu dumps it inside that RUN step.
func TestSampleBuildMethodEndToEnd(t *testing.T) {
	cli, war := sampleSetup(t)
	before := leftovers(t)
	id := randomID()

	// 1. The generated Containerfile, with the checkpoint step added.
	image := "localhost/lcp-e2e-sample-build:" + id
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })
	events, code := cliEvents(t, cli, "checkpoint-image", "--method", "build", "--base-image", baseImage,
		"--app-archive", war, "--config-directory", "sample/src/main/liberty/config", "--image", image)
	require.Equal(t, 0, code)
	result := events[len(events)-1].GetResult()
	require.NotNil(t, result)
	assert.Equal(t, "afterAppStart", result.GetPhase())
	assert.Greater(t, result.GetCheckpointSizeBytes(), int64(1<<20), "a JVM checkpoint is megabytes")
	assert.Equal(t, []string{"build", "verify"}, doneSteps(events))
	var logs []string
	for _, ev := range events {
		if l := ev.GetLog(); l != nil {
			logs = append(logs, l.GetLine())
		}
	}
	text := strings.Join(logs, "\n")
	assert.Contains(t, text, "RUN checkpoint.sh afterAppStart")
	assert.Contains(t, text, `CWWKC0451I: A server checkpoint "afterAppStart" was requested.`, "the checkpoint ran inside the build")
	labels := imageLabels(t, image)
	assert.Equal(t, "afterAppStart", labels[engine.LabelPhase])
	assert.Equal(t, baseImage, labels[engine.LabelBaseName])
	assert.NotEmpty(t, labels[engine.LabelKernel])
	restoreSample(t, cli, image)

	// 2. Your own Containerfile that runs checkpoint.sh itself: built as it is, at its phase.
	dir := t.TempDir()
	own := "FROM " + baseImage + "\nCOPY --chown=1001:0 server.xml /config/\nCOPY --chown=1001:0 sample.war /config/apps/\n" +
		"RUN configure.sh\n" +
		// A root step of the user's own (chown needs CAP_CHOWN): a user's Containerfile keeps
		// Podman's default capabilities for its RUN steps, and gets the checkpoint's added.
		"USER root\nRUN chown -R 1001:0 /config\nUSER 1001\n" +
		"RUN checkpoint.sh beforeAppStart\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Containerfile"), []byte(own), 0o644))
	copyFile(t, war, filepath.Join(dir, "sample.war"))
	copyFile(t, filepath.Join(testenv.RepoRoot(t), "sample/src/main/liberty/config/server.xml"), filepath.Join(dir, "server.xml"))
	image2 := "localhost/lcp-e2e-sample-build-own:" + id
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image2).Run() })
	events, code = cliEvents(t, cli, "checkpoint-image", "--method", "build", "--containerfile", filepath.Join(dir, "Containerfile"),
		"--image", image2)
	require.Equal(t, 0, code)
	assert.Equal(t, "beforeAppStart", events[len(events)-1].GetResult().GetPhase(), "the Containerfile's phase")
	assert.Equal(t, "beforeAppStart", imageLabels(t, image2)[engine.LabelPhase])

	assert.Equal(t, before, leftovers(t))
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, data, 0o644))
}

func randomID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
