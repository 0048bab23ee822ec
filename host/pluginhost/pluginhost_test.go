package pluginhost_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

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
