package pluginhost_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/pluginhost"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testenv.CleanupBuilds()
	os.Exit(code)
}

func quiet() hclog.Logger { return hclog.New(&hclog.LoggerOptions{Output: io.Discard}) }

func TestFind(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "custom-plugin")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755))
	got, err := pluginhost.Find(p)
	require.NoError(t, err)
	assert.Equal(t, p, got)

	t.Setenv(pluginhost.EnvPlugin, p)
	got, err = pluginhost.Find("")
	require.NoError(t, err)
	assert.Equal(t, p, got, "the environment names the plugin when no flag does")

	_, err = pluginhost.Find(filepath.Join(dir, "missing"))
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	_, err = pluginhost.Find(dir)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "a directory is not a plugin")
}

func TestLaunchRejectsNonPlugin(t *testing.T) {
	p := filepath.Join(t.TempDir(), "not-a-plugin")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\necho hello\n"), 0o755))
	_, err := pluginhost.Launch(context.Background(), p, quiet())
	assert.Equal(t, engine.CodeUnavailable, engine.CodeOf(err))
	assert.Contains(t, err.Error(), "make build")
}

func TestLaunchAndCall(t *testing.T) {
	bin := testenv.Build(t, "plugin/enginetest/fakeplugin", "liberty-checkpoint-plugin")
	p, err := pluginhost.Launch(context.Background(), bin, quiet())
	require.NoError(t, err)
	defer p.Close()
	res, err := p.Engine.Doctor(context.Background(), engine.DoctorOptions{}, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Doctor.OK+res.Doctor.Warn)
}

// startSlowCall launches the fake plugin and starts an operation whose step takes a minute and
// whose clean-up, once it is cancelled, writes marker. It returns once the operation runs.
func startSlowCall(t *testing.T, cleanup string) (*pluginhost.Plugin, string, chan error) {
	t.Helper()
	bin := testenv.Build(t, "plugin/enginetest/fakeplugin", "liberty-checkpoint-plugin")
	marker := filepath.Join(t.TempDir(), "cleaned-up")
	t.Setenv("LCP_FAKE_STEP_DELAY", "1m")
	t.Setenv("LCP_FAKE_CANCEL_MARKER", marker)
	t.Setenv("LCP_FAKE_CLEANUP_DELAY", cleanup)
	p, err := pluginhost.Launch(context.Background(), bin, quiet())
	require.NoError(t, err)
	started := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		_, err := p.Engine.Checkpoint(context.Background(), engine.CheckpointOptions{Image: "localhost/app:1"}, func(engine.Event) {
			once.Do(func() { close(started) })
		})
		done <- err
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the operation did not start")
	}
	return p, marker, done
}

// Close while an operation runs: the plugin cancels it and Close waits for its clean-up, here 3s,
// longer than the 2s go-plugin's Kill gives a plugin before SIGKILL.
func TestCloseWaitsForCleanup(t *testing.T) {
	p, marker, done := startSlowCall(t, "3s")
	start := time.Now()
	p.Close()
	t.Logf("Close took %s", time.Since(start))
	assert.GreaterOrEqual(t, time.Since(start), 3*time.Second)
	_, err := os.Stat(marker)
	assert.NoError(t, err, "the clean-up ran to its end before Close returned")
	select {
	case err := <-done:
		assert.Error(t, err, "the operation did not finish: it was cancelled")
	case <-time.After(5 * time.Second):
		t.Error("the call did not return after Close")
	}
	assert.False(t, alive(p.PID), "the plugin process is gone")
}

// Close is bounded: a clean-up that never ends is abandoned after the plugin's drain bound, and
// a plugin that does not exit is killed after ShutdownTimeout.
func TestCloseIsBounded(t *testing.T) {
	t.Setenv("LCP_FAKE_DRAIN_TIMEOUT", "1s")
	p, _, _ := startSlowCall(t, "1h")
	p.ShutdownTimeout = 5 * time.Second
	start := time.Now()
	p.Close()
	took := time.Since(start)
	t.Logf("Close took %s", took)
	assert.GreaterOrEqual(t, took, time.Second, "the plugin waited for its drain bound")
	assert.Less(t, took, 5*time.Second, "the plugin kept its own bound")
	assert.False(t, alive(p.PID), "the plugin process is gone")

	// A plugin that ignores its bound (here: a drain bound above ShutdownTimeout) is killed.
	t.Setenv("LCP_FAKE_DRAIN_TIMEOUT", "1h")
	p, _, _ = startSlowCall(t, "1h")
	p.ShutdownTimeout = 2 * time.Second
	start = time.Now()
	p.Close()
	took = time.Since(start)
	assert.GreaterOrEqual(t, took, 2*time.Second)
	assert.Less(t, took, 6*time.Second, "Close returns soon after ShutdownTimeout")
	assert.False(t, alive(p.PID), "the plugin process was killed")
}

func alive(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && !strings.Contains(string(data), ") Z ")
}

// BenchmarkLaunchHandshakeFirstRPC is what every CLI invocation pays before real work: start
// the plugin process, the go-plugin handshake with AutoMTLS, the health check, and a first
// streaming RPC on the fake engine.
func BenchmarkLaunchHandshakeFirstRPC(b *testing.B) {
	bin := testenv.Build(b, "plugin/enginetest/fakeplugin", "liberty-checkpoint-plugin")
	b.Setenv("LCP_FAKE_STEP_DELAY", "0s")
	for b.Loop() {
		p, err := pluginhost.Launch(context.Background(), bin, quiet())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Engine.Doctor(context.Background(), engine.DoctorOptions{}, nil); err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}

// A Unix socket's path holds at most 107 bytes: with a long $TMPDIR the plugin's socket goes to
// /tmp instead, or the plugin could not listen at all.
func TestSocketParent(t *testing.T) {
	short := t.TempDir()
	t.Setenv("TMPDIR", "/tmp")
	assert.Equal(t, "/tmp", pluginhost.SocketParent())
	long := "/tmp/" + strings.Repeat("x", 80)
	t.Setenv("TMPDIR", long)
	assert.Equal(t, "/tmp", pluginhost.SocketParent())
	t.Setenv("TMPDIR", short)
	assert.Equal(t, short, pluginhost.SocketParent())
}
