package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/host/render"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testpki"
)

// These tests build the real liberty-checkpoint binary and a plugin binary on the fake engine,
// side by side as make build lays them out, and drive them as a user would: the CLI launches the
// plugin through go-plugin with AutoMTLS.

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.CleanupBuilds()
	os.Exit(code)
}

func binaries(t *testing.T) (cli, plugin string) {
	t.Helper()
	plugin = testenv.Build(t, "plugin/enginetest/fakeplugin", "liberty-checkpoint-plugin")
	cli = testenv.Build(t, "host/cmd/liberty-checkpoint", "liberty-checkpoint")
	return cli, plugin
}

type run struct {
	stdout, stderr string
	code           int
	events         []*pb.Event
}

func runCLI(t *testing.T, dir string, env []string, args ...string) run {
	t.Helper()
	cli, _ := binaries(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := run{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	if slices.Contains(args, "json") {
		r.events = parseEvents(t, out.String())
	}
	return r
}

func parseEvents(t *testing.T, s string) []*pb.Event {
	t.Helper()
	evs, err := render.ReadEvents(strings.NewReader(s))
	require.NoError(t, err, "stdout must be JSON lines only")
	return evs
}

// appFixture writes a project-like tree: target/app.war and src/main/liberty/config/server.xml.
func appFixture(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "target"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "src/main/liberty/config"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "target/app.war"), []byte("PK"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "src/main/liberty/config/server.xml"), []byte("<server/>"), 0o644))
	return dir
}

func TestHelpListsEveryOperation(t *testing.T) {
	r := runCLI(t, t.TempDir(), nil, "--help")
	require.Equal(t, 0, r.code, r.stderr)
	for _, op := range []string{"build-base-image", "containerize", "checkpoint", "commit", "restore", "checkpoint-image", "doctor", "kube", "serve", "version"} {
		assert.Regexp(t, `(?m)^  `+op+` `, r.stdout)
	}
}

func TestCheckpointImageThroughPlugin(t *testing.T) {
	dir := appFixture(t)
	calls := filepath.Join(t.TempDir(), "calls.jsonl")
	r := runCLI(t, dir, []string{"LCP_FAKE_CALLS=" + calls}, "checkpoint-image", "-o", "json",
		"--app-archive", "target/app.war", "--config-directory", "src/main/liberty/config",
		"--image", "localhost/app:1.0-instanton", "--phase", "applications", "--env", "A=1", "--label", "team=x", "--timeout", "90s")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)

	evs := r.events
	require.NotEmpty(t, evs)
	assert.Equal(t, "checkpoint-image", evs[0].GetAccepted().GetOperation())
	last := evs[len(evs)-1].GetResult()
	require.NotNil(t, last)
	assert.Equal(t, "localhost/app:1.0-instanton", last.GetImage())
	assert.Equal(t, "afterAppStart", last.GetPhase())
	var steps []string
	for _, ev := range evs {
		if p := ev.GetProgress(); p.GetState() == pb.Progress_STATE_DONE {
			steps = append(steps, p.GetName())
		}
	}
	assert.Equal(t, []string{"containerize", "checkpoint", "commit"}, steps)

	// What reached the engine in the plugin process: validated, normalised, absolute paths.
	b, err := os.ReadFile(calls)
	require.NoError(t, err)
	var call struct {
		Op      string
		Options map[string]any
	}
	require.NoError(t, json.Unmarshal(bytes.Split(b, []byte("\n"))[0], &call))
	assert.Equal(t, "checkpoint-image", call.Op)
	assert.Equal(t, filepath.Join(dir, "target/app.war"), call.Options["AppArchive"])
	assert.Equal(t, filepath.Join(dir, "src/main/liberty/config/server.xml"), call.Options["ServerXML"])
	assert.Equal(t, "afterAppStart", call.Options["Phase"])
	assert.Equal(t, "open-liberty:beta-checkpoint-ubi", call.Options["BaseImage"])
	assert.Equal(t, map[string]any{"A": "1"}, call.Options["Env"])
	assert.Equal(t, map[string]any{"team": "x"}, call.Options["Labels"])
	assert.EqualValues(t, 90*time.Second, call.Options["Timeout"])
}

func TestTextOutput(t *testing.T) {
	dir := appFixture(t)
	r := runCLI(t, dir, nil, "checkpoint-image", "--app-archive", "target/app.war",
		"--server-xml-file", "src/main/liberty/config/server.xml", "--image", "localhost/app:1")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "[1/3] containerize...")
	assert.Contains(t, r.stdout, "[3/3] commit done in")
	assert.Contains(t, r.stdout, "checkpoint-image localhost/app:1 (")
}

// --log-level reaches the plugin's own logger, not only the host's filter of what it forwards:
// the plugin writes its debug lines only when the host asks for them.
func TestLogLevelReachesPlugin(t *testing.T) {
	const debugLine = "fake engine ready" // the fake plugin's logger.Debug at start
	r := runCLI(t, t.TempDir(), nil, "doctor", "--log-level", "debug")
	assert.Contains(t, r.stderr, debugLine, "with --log-level debug")
	r = runCLI(t, t.TempDir(), nil, "doctor")
	assert.NotContains(t, r.stderr, debugLine, "at the default level (warn)")
}

func TestValidationErrorThroughPlugin(t *testing.T) {
	dir := appFixture(t)
	r := runCLI(t, dir, nil, "checkpoint-image", "-o", "json", "--app-archive", "target/missing.war",
		"--config-directory", "src/main/liberty/config", "--image", "localhost/app:1")
	assert.Equal(t, 2, r.code)
	last := r.events[len(r.events)-1].GetError()
	require.NotNil(t, last)
	assert.Equal(t, "NotFound", last.GetCode())
	assert.Equal(t, "app_archive", last.GetField())
	assert.Equal(t, "appArchive", last.GetSetting())
	assert.Equal(t, "--app-archive", last.GetFlag())
	assert.Contains(t, last.GetMessage(), filepath.Join(dir, "target/missing.war"))
	assert.NotEmpty(t, last.GetFix())

	r = runCLI(t, dir, nil, "restore", "--image", "localhost/app:1", "--publish", "99999")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "not a port number")
}

func TestEngineFailureThroughPlugin(t *testing.T) {
	dir := appFixture(t)
	r := runCLI(t, dir, []string{"LCP_FAKE_FAIL=checkpoint-image=FailedPrecondition:criu dump failed"},
		"checkpoint-image", "-o", "json", "--app-archive", "target/app.war",
		"--config-directory", "src/main/liberty/config", "--image", "localhost/app:1")
	assert.Equal(t, 1, r.code)
	last := r.events[len(r.events)-1].GetError()
	assert.Equal(t, "FailedPrecondition", last.GetCode())
	assert.Equal(t, "criu dump failed", last.GetMessage())
	assert.Equal(t, []string{"fake log line 1", "fake log line 2"}, last.GetLogTail())

	r = runCLI(t, dir, []string{"LCP_FAKE_FAIL=checkpoint-image=FailedPrecondition:criu dump failed"},
		"checkpoint-image", "--app-archive", "target/app.war", "--config-directory", "src/main/liberty/config", "--image", "localhost/app:1")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "Error: criu dump failed", "errors go to stderr")
	assert.Contains(t, r.stderr, "fix: this is the fake engine's scripted failure")
	assert.Contains(t, r.stderr, "fake log line 2")
	assert.NotContains(t, r.stdout, "Error:", "stdout carries the progress, not the error")
}

func TestMissingPlugin(t *testing.T) {
	r := runCLI(t, t.TempDir(), nil, "doctor", "--plugin", "/nonexistent/plugin", "-o", "json")
	assert.Equal(t, 2, r.code)
	last := r.events[len(r.events)-1].GetError()
	assert.Equal(t, "NotFound", last.GetCode())
	assert.Contains(t, last.GetFix(), "make build")
}

// Ctrl-C: the CLI cancels the RPC, the plugin's engine cleans up, the CLI waits for that, prints
// a cancellation and exits 130, and no plugin process is left.
func TestInterruptCancelsEngineAndCleansUp(t *testing.T) {
	_, plugin := binaries(t)
	var stderr bytes.Buffer
	cmd, _, stdout, lines, marker := slowChain(t, &stderr)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	rest, _ := io.ReadAll(stdout)
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "stderr: %s", stderr.String())
	assert.Equal(t, 130, ee.ExitCode())

	evs := parseEvents(t, strings.Join(lines, "\n")+"\n"+string(rest))
	assert.Equal(t, "Canceled", evs[len(evs)-1].GetError().GetCode())
	var cleanupLogged bool
	for _, ev := range evs {
		if strings.Contains(ev.GetLog().GetLine(), "removing fake container") {
			cleanupLogged = true
		}
	}
	assert.True(t, cleanupLogged, "the engine's clean-up is shown")
	_, err = os.Stat(marker)
	assert.NoError(t, err, "the engine's clean-up finished before the CLI exited")
	assert.Contains(t, stderr.String(), "cancelling")
	assert.Empty(t, processesOf(t, plugin), "no plugin process left behind")
}

// processesOf lists the pids running the executable at path.
func processesOf(t *testing.T, path string) []string {
	t.Helper()
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && exe == path {
			pids = append(pids, e.Name())
		}
	}
	return pids
}

// The plugin speaks go-plugin's handshake with AutoMTLS: given a client certificate it answers
// with its own certificate in the handshake line, and refuses plaintext connections.
func TestPluginRequiresMTLS(t *testing.T) {
	_, plugin := binaries(t)
	ca, err := os.ReadFile(testpki.NewCA(t, "host").CAFile) // what go-plugin's host passes: a certificate to trust
	require.NoError(t, err)
	cert := string(ca)
	cmd := exec.Command(plugin)
	cmd.Env = append(os.Environ(), "LIBERTY_CHECKPOINT_PLUGIN=7f1c2a9e-instanton-engine",
		"PLUGIN_PROTOCOL_VERSIONS=1", "PLUGIN_MIN_PORT=10000", "PLUGIN_MAX_PORT=25000", "PLUGIN_CLIENT_CERT="+cert)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	// SIGTERM: the plugin stops and removes its socket (SIGKILL would leave it in TMPDIR).
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	parts := strings.Split(strings.TrimSpace(line), "|")
	require.Len(t, parts, 6, "handshake %q", line)
	assert.Equal(t, "grpc", parts[4])
	assert.NotEmpty(t, parts[5], "AutoMTLS: the plugin sends its server certificate")

	conn, err := grpc.NewClient("unix://"+parts[3], grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "plugin"})
	assert.Error(t, err, "a plaintext client must not get through")
}

// slowChain starts a checkpoint-image on the fake engine whose steps take a minute and that
// creates marker once a cancelled operation has cleaned up. It returns once the first step has
// started: the event lines so far, the rest of stdout (rest), and the pipe itself.
func slowChain(t *testing.T, stderr io.Writer) (cmd *exec.Cmd, pipe io.ReadCloser, rest io.Reader, lines []string, marker string) {
	t.Helper()
	cli, _ := binaries(t)
	marker = filepath.Join(t.TempDir(), "cancelled")
	cmd = exec.Command(cli, "checkpoint-image", "-o", "json", "--app-archive", "target/app.war",
		"--config-directory", "src/main/liberty/config", "--image", "localhost/app:1")
	cmd.Dir = appFixture(t)
	cmd.Env = append(os.Environ(), "LCP_FAKE_STEP_DELAY=1m", "LCP_FAKE_CANCEL_MARKER="+marker)
	cmd.Stderr = stderr
	pipe, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	r := bufio.NewReader(pipe)
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err, "the chain ended before its first step")
		lines = append(lines, strings.TrimSpace(line))
		if strings.Contains(line, `"progress":`) {
			break
		}
	}
	return cmd, pipe, r, lines, marker
}

// A reader that goes away (a build tool killed with SIGKILL) closes the CLI's stdout: the CLI
// must cancel and let the engine clean up rather than die at its next write.
func TestClosedStdoutCancelsAndCleansUp(t *testing.T) {
	_, plugin := binaries(t)
	cmd, pipe, _, _, marker := slowChain(t, io.Discard)
	require.NoError(t, pipe.Close()) // the reader is gone
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the CLI kept running with nobody reading its output")
	}
	_, err := os.Stat(marker)
	assert.NoError(t, err, "the engine cleaned up before the CLI exited")
	assert.Empty(t, processesOf(t, plugin), "no plugin process left behind")
}
