package podman

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// TestLendCerts: certDir's files go to the certs.d directory the service reads for the registry,
// beside what is there (never a new directory that would shadow it), and come back out; a remote
// service is told plainly that certDir cannot reach it.
func TestLendCerts(t *testing.T) {
	root := t.TempDir()
	home, etc, docker := filepath.Join(root, "home"), filepath.Join(root, "etc-containers"), filepath.Join(root, "etc-docker")
	old := certsDirs
	certsDirs = func() []string { return []string{home, etc, docker} }
	t.Cleanup(func() { certsDirs = old })
	certDir := filepath.Join(root, "certs")
	require.NoError(t, os.MkdirAll(certDir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(certDir, "ca.crt"), []byte("PEM"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(certDir, "README"), []byte("not a certificate"), 0o600))
	r := engine.Registry{CertDir: certDir}
	local := &conn{local: true, uri: "unix:///run/podman/podman.sock"}
	const ref = "127.0.0.1:5000/lcp/app:1"

	t.Run("an administrator's directory is added to", func(t *testing.T) {
		admin := filepath.Join(docker, "127.0.0.1:5000")
		require.NoError(t, os.MkdirAll(admin, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(admin, "ca.crt"), []byte("ADMIN"), 0o644))
		// A file a killed earlier call lent (its pid is gone) is cleaned up.
		stale := filepath.Join(admin, fmt.Sprintf("%s%d-1-ca.crt", lentPrefix, 1<<22+12345))
		require.NoError(t, os.WriteFile(stale, nil, 0o600))
		undo, err := lendCerts(local, r, ref)
		require.NoError(t, err)
		names := dirNames(t, admin)
		assert.Len(t, names, 2, "the administrator's ca.crt and the lent one: %v", names)
		assert.Contains(t, names, "ca.crt")
		assert.NoFileExists(t, stale)
		assert.NoDirExists(t, filepath.Join(home, "127.0.0.1:5000"), "nothing shadows the administrator's directory")
		undo()
		assert.Equal(t, []string{"ca.crt"}, dirNames(t, admin))
		require.NoError(t, os.RemoveAll(docker))
	})
	t.Run("a new directory is removed again", func(t *testing.T) {
		undo, err := lendCerts(local, r, ref)
		require.NoError(t, err)
		base := home
		if os.Geteuid() == 0 {
			base = etc
		}
		names := dirNames(t, filepath.Join(base, "127.0.0.1:5000"))
		require.Len(t, names, 1)
		assert.Regexp(t, `^liberty-checkpoint-lent-\d+-\d+-ca\.crt$`, names[0])
		undo()
		assert.NoDirExists(t, base, "every directory it created is gone")
	})
	t.Run("no certDir: nothing", func(t *testing.T) {
		undo, err := lendCerts(&conn{}, engine.Registry{}, ref)
		require.NoError(t, err)
		undo()
	})
	t.Run("remote service", func(t *testing.T) {
		_, err := lendCerts(&conn{uri: "ssh://builder@host/run/podman/podman.sock", host: "host"}, r, ref)
		e := engine.AsError(err)
		require.NotNil(t, e)
		assert.Equal(t, engine.CodeFailedPrecondition, e.Code)
		assert.Equal(t, "registry.cert_dir", e.Field)
		assert.Contains(t, e.Message, "reaches only a Podman service on this machine")
		assert.Contains(t, e.Fix, "/etc/containers/certs.d/127.0.0.1:5000/ca.crt")
	})
	t.Run("no certificate in certDir", func(t *testing.T) {
		empty := t.TempDir()
		_, err := lendCerts(local, engine.Registry{CertDir: empty}, ref)
		e := engine.AsError(err)
		require.NotNil(t, e)
		assert.Equal(t, engine.CodeInvalidArgument, e.Code)
		assert.Equal(t, "registry.cert_dir", e.Field)
	})
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
