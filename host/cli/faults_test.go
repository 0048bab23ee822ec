package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
)

// These tests kill and signal the real CLI and plugin processes (the plugin on the fake engine,
// whose clean-up writes a marker file) and check that the clean-up always runs to its end and
// that no plugin process outlives its host. The same faults on real Podman are in e2e/.

// waitFor polls cond until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Defect 5: a CLI killed with SIGKILL leaves no plugin behind: the plugin gets its parent-death
// signal, cancels the operation, finishes the clean-up and exits.
func TestKilledCLILeavesNoPlugin(t *testing.T) {
	_, plugin := binaries(t)
	t.Setenv("TMPDIR", t.TempDir())
	cmd, _, _, _, marker := slowChain(t, io.Discard)
	require.NotEmpty(t, processesOf(t, plugin))
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	assertOrphanFinished(t, plugin, marker)
}

// assertOrphanFinished checks what a plugin whose host is gone does on its own: it finishes the
// clean-up (the fake engine writes marker), exits, and removes the host's socket directory
// from $TMPDIR.
func assertOrphanFinished(t *testing.T, plugin, marker string) {
	t.Helper()
	assert.True(t, waitFor(10*time.Second, func() bool { return exists(marker) }), "the plugin finished the clean-up after its host was gone")
	assert.True(t, waitFor(10*time.Second, func() bool { return len(processesOf(t, plugin)) == 0 }),
		"the plugin exited after its host was gone: %v", processesOf(t, plugin))
	entries, _ := os.ReadDir(os.Getenv("TMPDIR"))
	assert.Empty(t, entries, "the plugin removed its gone host's socket directory")
}

// Defect 5: a second Ctrl-C quits at once; the plugin finishes the clean-up on its own, then exits.
func TestDoubleInterruptLeavesNoPlugin(t *testing.T) {
	_, plugin := binaries(t)
	var stderr bytes.Buffer
	t.Setenv("TMPDIR", t.TempDir())
	t.Setenv("LCP_FAKE_CLEANUP_DELAY", "2s")
	cmd, _, rest, _, marker := slowChain(t, &stderr)
	go func() { _, _ = io.Copy(io.Discard, rest) }()
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	time.Sleep(300 * time.Millisecond) // the clean-up has started
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	start := time.Now()
	err := cmd.Wait()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 130, ee.ExitCode())
	assert.Less(t, time.Since(start), time.Second, "the second Ctrl-C quits at once")
	assert.Contains(t, stderr.String(), "the plugin finishes the clean-up by itself")
	assert.False(t, exists(marker), "the clean-up (2s) was still running when the CLI quit")
	assertOrphanFinished(t, plugin, marker)
}

// Defect 8: every error goes to stderr in text mode, settings are named as the command line
// spells them, and --timeout 0 is refused rather than taken as the default.
func TestErrorsOnStderrNamedAsFlags(t *testing.T) {
	dir := appFixture(t)
	r := runCLI(t, dir, nil, "checkpoint-image", "--app-archive", "target/missing.war",
		"--config-directory", "src/main/liberty/config", "--image", "localhost/app:1")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "Error: ")
	assert.Contains(t, r.stderr, "setting: --app-archive\n")
	assert.NotContains(t, r.stdout, "Error", "a validation error goes to stderr, like a flag error")

	r = runCLI(t, dir, nil, "containerize", "--app-archive", "target/app.war", "--config-directory", "nope",
		"--image", "localhost/app:1")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "set --config-directory to your Liberty configuration directory")
	assert.NotContains(t, r.stderr, "config_dir", "the API's field name is not what the user typed")

	r = runCLI(t, dir, nil, "containerize", "-o", "json", "--app-archive", "target/app.war", "--config-directory", "nope",
		"--image", "localhost/app:1")
	last := r.events[len(r.events)-1].GetError()
	assert.Contains(t, last.GetFix(), "set configDirectory to your Liberty configuration directory", "JSON (Maven, Gradle) names the key")

	for _, zero := range []string{"0", "0s"} {
		r = runCLI(t, dir, nil, "checkpoint-image", "--app-archive", "target/app.war",
			"--config-directory", "src/main/liberty/config", "--image", "localhost/app:1", "--timeout", zero)
		assert.Equal(t, 2, r.code, "--timeout %s: %s", zero, r.stdout)
		assert.Contains(t, r.stderr, "a timeout must be longer than 0")
	}
}

// serve, stopped with Ctrl-C while an operation runs, cancels it and waits for its clean-up
// (here 3s, longer than go-plugin's 2s grace) before it exits: it used to give the operation 30s
// to finish, then stop without waiting, and the plugin was killed in the middle of its clean-up.
func TestServeStopWaitsForCleanup(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "cancelled")
	env := []string{"LCP_FAKE_STEP_DELAY=1m", "LCP_FAKE_CANCEL_MARKER=" + marker, "LCP_FAKE_CLEANUP_DELAY=3s"}
	_, plugin := binaries(t)
	listen, sock := socketArg(t)
	s := startServe(t, env, "--listen", listen)
	conn, err := grpc.NewClient("unix://"+sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	st, err := pb.NewLibertyCheckpointClient(conn).Checkpoint(context.Background(), &pb.CheckpointRequest{Image: "localhost/app:1"})
	require.NoError(t, err)
	ev, err := st.Recv()
	require.NoError(t, err)
	require.NotNil(t, ev.GetAccepted())

	start := time.Now()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGINT))
	_ = s.wait(t, 20*time.Second)
	assert.True(t, exists(marker), "serve exited only after the operation's clean-up finished")
	assert.GreaterOrEqual(t, time.Since(start), 3*time.Second)
	assert.Empty(t, processesOf(t, plugin), "no plugin process left behind")
}

// The plugin's socket lives in a directory that records its owner (the host), and the
// directory goes when the host ends normally.
func TestPluginSocketDirectory(t *testing.T) {
	tmp := t.TempDir()
	r := runCLI(t, appFixture(t), []string{"TMPDIR=" + tmp}, "doctor", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	entries, _ := os.ReadDir(tmp)
	assert.Empty(t, entries, "nothing left in TMPDIR after a normal run")

	cmd, _, _, _, _ := slowChainIn(t, io.Discard, []string{"TMPDIR=" + tmp})
	entries, _ = os.ReadDir(tmp)
	require.Len(t, entries, 1)
	assert.True(t, strings.HasPrefix(entries[0].Name(), "lcp-plugin-"), entries[0].Name())
	data, err := os.ReadFile(filepath.Join(tmp, entries[0].Name(), ".lcp-owner.json"))
	require.NoError(t, err)
	var rec struct{ PID int }
	require.NoError(t, json.Unmarshal(data, &rec))
	assert.Equal(t, cmd.Process.Pid, rec.PID, "the host owns the plugin's socket directory")
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
}

// slowChainIn is slowChain with extra environment.
func slowChainIn(t *testing.T, stderr io.Writer, env []string) (cmd *exec.Cmd, pipe io.ReadCloser, rest io.Reader, lines []string, marker string) {
	t.Helper()
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cmd, pipe, rest, lines, marker = slowChain(t, stderr)
	return
}
