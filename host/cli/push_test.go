package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

func TestPushFlagsAndCredentialDefaults(t *testing.T) {
	auth := filepath.Join(t.TempDir(), "auth.json")
	require.NoError(t, os.WriteFile(auth, []byte(`{"auths":{}}`), 0o600))
	t.Setenv("REGISTRY_AUTH_FILE", auth)
	t.Setenv(CredsEnv, "ci:from-env")

	fake := &enginetest.Fake{}
	stdout, stderr, code := execute(t, fake, "push", "--image", "localhost/app:1", "--destination", "registry.example.com/app:1",
		"--tls-verify=false", "--cert-dir", "/etc/pki/registry")
	require.Equal(t, 0, code, stderr)
	o := fake.Calls()[0].Options.(engine.PushOptions)
	assert.Equal(t, "registry.example.com/app:1", o.Destination)
	assert.Equal(t, auth, o.Registry.AuthFile, "--authfile defaults to $REGISTRY_AUTH_FILE, as in podman")
	assert.Equal(t, "ci:from-env", o.Registry.Creds, "--creds defaults to $"+CredsEnv)
	assert.False(t, o.Registry.Verify())
	assert.Equal(t, "/etc/pki/registry", o.Registry.CertDir)
	assert.Contains(t, stdout, "registry.example.com/app:1")
	assert.NotContains(t, stdout+stderr, "from-env", "the password is never printed")

	fake = &enginetest.Fake{}
	_, stderr, code = execute(t, fake, "checkpoint-image", "--app-archive", "app.war", "--image", "registry.example.com/app:1",
		"--push", "--creds", "u:p")
	require.Equal(t, 0, code, stderr)
	ci := fake.Calls()[0].Options.(engine.CheckpointImageOptions)
	assert.True(t, ci.Push)
	assert.Equal(t, "u:p", ci.Registry.Creds, "the flag wins over the environment")
	assert.True(t, ci.Registry.Verify(), "--tls-verify defaults to true")

	fake = &enginetest.Fake{}
	_, stderr, code = execute(t, fake, "restore", "--image", "registry.example.com/app:1", "--memory", "512m")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "512m", fake.Calls()[0].Options.(engine.RestoreOptions).Memory)
}

// --network reaches the engine from restore, checkpoint and checkpoint-image (the plugin
// validates it: plugin/engine's TestValidateNetwork), and is empty unless given.
func TestNetworkFlag(t *testing.T) {
	fake := &enginetest.Fake{}
	_, stderr, code := execute(t, fake, "restore", "--image", "localhost/app:1", "--network", "host", "--publish", "9080")
	require.Equal(t, 0, code, stderr)
	o := fake.Calls()[0].Options.(engine.RestoreOptions)
	assert.Equal(t, engine.NetworkHost, o.Network)
	assert.Equal(t, uint16(9080), o.Ports[0].ContainerPort)

	fake = &enginetest.Fake{}
	_, stderr, code = execute(t, fake, "checkpoint-image", "--app-archive", "app.war", "--image", "localhost/app:1", "--network", "host")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, engine.NetworkHost, fake.Calls()[0].Options.(engine.CheckpointImageOptions).Network)

	fake = &enginetest.Fake{}
	_, stderr, code = execute(t, fake, "checkpoint", "--image", "localhost/app:1")
	require.Equal(t, 0, code, stderr)
	assert.Empty(t, fake.Calls()[0].Options.(engine.CheckpointOptions).Network, "never host unless asked")
}
