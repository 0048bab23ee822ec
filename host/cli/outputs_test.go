package cli

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

func readSummary(t *testing.T, dir string) ImageSummary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ImageJSONFile))
	require.NoError(t, err)
	var s ImageSummary
	require.NoError(t, json.Unmarshal(b, &s))
	return s
}

// checkpoint-image --output-dir leaves image.id and image.json, push adds image.digest and the
// digest in image.json; a failed build leaves none of the last image's files.
func TestOutputDirImageFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "target", "liberty-checkpoint")
	_, stderr, code := execute(t, &enginetest.Fake{}, "checkpoint-image", "--app-archive", "app.war",
		"--image", "localhost/app:1.0-instanton", "--phase", "afterAppStart", "--output-dir", dir)
	require.Equal(t, 0, code, stderr)
	id := enginetest.FakeImageID("localhost/app:1.0-instanton")
	b, err := os.ReadFile(filepath.Join(dir, ImageIDFile))
	require.NoError(t, err)
	assert.Equal(t, id+"\n", string(b))
	s := readSummary(t, dir)
	assert.Equal(t, ImageSummary{Image: "localhost/app:1.0-instanton", ImageID: id, Tags: []string{"1.0-instanton"},
		Phase: "afterAppStart", ImageSizeBytes: s.ImageSizeBytes, CheckpointSizeBytes: 41_000_000}, s)
	assert.Positive(t, s.ImageSizeBytes)
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 2, "image.id and image.json, no temporary files")

	stdout, stderr, code := execute(t, &enginetest.Fake{}, "push", "--image", "localhost/app:1.0-instanton",
		"--destination", "registry.example.com/app:1", "--output-dir", dir, "--output", "json")
	require.Equal(t, 0, code, stderr)
	digest := enginetest.FakeImageID("registry.example.com/app:1")
	b, err = os.ReadFile(filepath.Join(dir, ImageDigestFile))
	require.NoError(t, err)
	assert.Equal(t, digest+"\n", string(b))
	s = readSummary(t, dir)
	assert.True(t, s.ImagePushed)
	assert.Equal(t, digest, s.ImageDigest)
	assert.Equal(t, id, s.ImageID, "the push keeps the build's summary")
	assert.Contains(t, stdout, "Pushed registry.example.com/app:1@"+digest)

	fake := &enginetest.Fake{Errors: map[string]error{engine.OpCheckpointImage: errors.New("boom")}}
	_, _, code = execute(t, fake, "checkpoint-image", "--app-archive", "app.war", "--image", "localhost/app:2", "--output-dir", dir)
	require.NotEqual(t, 0, code)
	entries, _ = os.ReadDir(dir)
	assert.Empty(t, entries, "a failed build leaves no image files of the last one")
}

func TestOutputDirUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	stdout, _, code := execute(t, &enginetest.Fake{}, "checkpoint-image", "--app-archive", "app.war", "--image", "localhost/app:1",
		"--output-dir", filepath.Join(file, "out"), "--output", "json")
	assert.Equal(t, ExitFailed, code)
	assert.Contains(t, stdout, `"code":"FailedPrecondition"`)
	assert.Contains(t, stdout, "--output-dir")
}

func TestTags(t *testing.T) {
	assert.Equal(t, []string{"1.0"}, tags("localhost/app:1.0"))
	assert.Equal(t, []string{"latest"}, tags("localhost:5000/app"))
	assert.Equal(t, []string{}, tags("app@sha256:abc"))
}
