package kube

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func instantOn() Image {
	return Image{Arch: "amd64", Labels: map[string]string{engine.LabelPhase: "afterAppStart", engine.LabelMemoryRSS: "163577856"}}
}

func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "kube")
	o := engine.KubeOptions{Image: "localhost/shop:1.0-instanton", OutputDir: dir, Replicas: 1, HTTPPort: 9080, ReadyPath: "/"}
	out, err := Write(o, instantOn())
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "shop.yaml"), filepath.Join(dir, "liberty-checkpoint-shop.json")}, out.Files)
	assert.Equal(t, LevelPrivileged, out.PodSecurityLevel)
	assert.Equal(t, int64(240<<20), out.MemoryBytes, "RSS 156 MiB + 50%, rounded up to 16 MiB")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary files left")
	decodeStrict(t, mustRead(t, out.Files[0]))

	o.SeccompUnconfined, o.MemoryLimit = true, "100Mi"
	out, err = Write(o, instantOn())
	require.NoError(t, err)
	assert.Len(t, out.Files, 1, "no profile when unconfined")
	require.Len(t, out.Warnings, 1)
	assert.Contains(t, out.Warnings[0], "below the server's RSS")
	assert.Contains(t, string(mustRead(t, out.Files[0])), "# WARNING: memory limit 100Mi is below")
}

func TestWriteRefusesWhatItCannotDeploy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kube")
	o := engine.KubeOptions{Image: "localhost/shop:1.0", OutputDir: dir, Replicas: 1, HTTPPort: 9080, ReadyPath: "/"}
	_, err := Write(o, Image{Arch: "amd64", Labels: map[string]string{}})
	var e *engine.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, engine.CodeFailedPrecondition, e.Code)
	assert.Equal(t, "image", e.Field)
	assert.Contains(t, e.Message, "not an InstantOn image")

	_, err = Write(o, Image{Arch: "sparc", Labels: instantOn().Labels})
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Message, "sparc")
	assert.NoDirExists(t, dir, "nothing written on failure")

	// A directory that cannot be written: no half-written files, the created directory removed.
	parent := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(parent, "file"), nil, 0o644))
	o.OutputDir = filepath.Join(parent, "file", "kube")
	_, err = Write(o, instantOn())
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "output_dir", e.Field)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
