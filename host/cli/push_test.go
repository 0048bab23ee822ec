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

func TestPushValidation(t *testing.T) {
	for _, tc := range []struct {
		o     engine.PushOptions
		field string
	}{
		{engine.PushOptions{Image: "localhost/app:1"}, "destination"},
		{engine.PushOptions{Image: "app:1"}, "destination"},
		{engine.PushOptions{Image: "localhost/app:1", Destination: "registry.example.com/app@sha256:" + string(make([]byte, 0))}, "destination"},
		{engine.PushOptions{Image: "localhost/app:1", Destination: "registry.example.com/app:1", Registry: engine.Registry{Creds: "nopassword"}}, "registry.creds"},
		{engine.PushOptions{Image: "localhost/app:1", Destination: "registry.example.com/app:1", Registry: engine.Registry{AuthFile: "/no/such/auth.json"}}, "registry.authfile"},
		{engine.PushOptions{Image: "localhost/app:1", Destination: "registry.example.com/app:1", Registry: engine.Registry{CertDir: "/no/such/dir"}}, "registry.cert_dir"},
	} {
		err := tc.o.Validate()
		require.Error(t, err, "%+v", tc.o)
		assert.Equal(t, tc.field, engine.AsError(err).Field, err.Error())
	}
	ok := engine.PushOptions{Image: "127.0.0.1:5000/app:1"}
	require.NoError(t, ok.Validate())
	assert.Equal(t, "127.0.0.1:5000/app:1", ok.Destination, "the destination defaults to the image's own name")
	assert.Equal(t, engine.DefaultPushTimeout, ok.Timeout)
	assert.Equal(t, "****", engine.Registry{Creds: "u:pw"}.Mask("pw"))
}
