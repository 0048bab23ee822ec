package podman

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// A link inside the configuration directory is copied as its target, file or directory, on any
// filesystem; a link out of it, to nothing, or in a loop is refused with the file named.
func TestCopyConfigDirLinks(t *testing.T) {
	src := t.TempDir()
	write := func(rel, body string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(src, rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(src, rel), []byte(body), 0o644))
	}
	write("server.xml", "<server/>")
	write("shared/ports.xml", "<server><httpEndpoint/></server>")
	require.NoError(t, os.MkdirAll(filepath.Join(src, "configDropins/defaults"), 0o755))
	require.NoError(t, os.Symlink("../../shared/ports.xml", filepath.Join(src, "configDropins/defaults/ports.xml")))
	require.NoError(t, os.Symlink("shared", filepath.Join(src, "linked")))

	dst := filepath.Join(t.TempDir(), "config")
	require.NoError(t, copyConfigDir(src, dst))
	for _, rel := range []string{"configDropins/defaults/ports.xml", "linked/ports.xml"} {
		fi, err := os.Lstat(filepath.Join(dst, rel))
		require.NoError(t, err, rel)
		assert.True(t, fi.Mode().IsRegular(), "%s is copied as a file, not a link: %s", rel, fi.Mode())
		b, err := os.ReadFile(filepath.Join(dst, rel))
		require.NoError(t, err)
		assert.Equal(t, "<server><httpEndpoint/></server>", string(b), rel)
	}

	refused := func(link, target, want string) {
		t.Helper()
		p := filepath.Join(src, link)
		require.NoError(t, os.Symlink(target, p))
		defer os.Remove(p)
		err := copyConfigDir(src, filepath.Join(t.TempDir(), "config"))
		require.Error(t, err)
		e := engine.AsError(err)
		assert.Equal(t, engine.CodeInvalidArgument, e.Code)
		assert.Equal(t, "config_dir", e.Field)
		assert.Contains(t, e.Message, filepath.Base(link), "the file is named")
		assert.Contains(t, e.Message, want)
	}
	outside := filepath.Join(t.TempDir(), "secret.xml")
	require.NoError(t, os.WriteFile(outside, []byte("<server/>"), 0o644))
	refused("configDropins/overrides.xml", outside, "is a link out of the configuration directory")
	refused("escape", "..", "is a link out of the configuration directory")
	refused("dangling.xml", "nothing-here.xml", "is a link to nothing")
	refused("shared/loop", "..", "a loop")
}
