package apiserver

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// projectRoot lays out a project as serve's root: target/app.war, the config directory, a
// seccomp profile, and links: escape -> a directory outside, target/evil.war -> a file outside,
// alias.war -> target/app.war.
func projectRoot(t *testing.T) string {
	t.Helper()
	root, outside := t.TempDir(), t.TempDir()
	for p, content := range map[string]string{
		"target/app.war": "PK", "src/main/liberty/config/server.xml": "<server/>", "seccomp.json": "{}",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(content), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.war"), []byte("PK"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "escape")))
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.war"), filepath.Join(root, "target/evil.war")))
	require.NoError(t, os.Symlink("target/app.war", filepath.Join(root, "alias.war")))
	return root
}

func TestPolicyConfinesPaths(t *testing.T) {
	root := projectRoot(t)
	p, err := NewPolicy(root, engine.Connection{}, false)
	require.NoError(t, err)
	denied := map[string]struct {
		opts  any
		field string
	}{
		"an absolute path outside":           {&engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "/root/.ssh/id_rsa"}}, "app_archive"},
		"../.. out of the root":              {&engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "../../etc/passwd"}}, "app_archive"},
		"a file through a directory link":    {&engine.ContainerizeOptions{AppInputs: engine.AppInputs{ServerXML: "escape/secret.war"}}, "server_xml"},
		"a link to a file outside":           {&engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "target/evil.war"}}, "app_archive"},
		"a missing file below a link":        {&engine.ContainerizeOptions{AppInputs: engine.AppInputs{ConfigDir: "escape/no/such/dir"}}, "config_dir"},
		"a seccomp profile outside":          {&engine.RestoreOptions{RunSettings: engine.RunSettings{SeccompProfile: "/etc/passwd"}}, "seccomp_profile"},
		"a Containerfile out of its context": {&engine.BuildBaseImageOptions{ContextDir: "target", Containerfile: "../../../etc/passwd"}, "containerfile"},
		"a build context outside":            {&engine.BuildBaseImageOptions{ContextDir: "/etc"}, "context_dir"},
		"the root's parent":                  {&engine.CheckpointImageOptions{AppInputs: engine.AppInputs{ConfigDir: ".."}}, "config_dir"},
		"a registry auth file outside":       {&engine.PushOptions{Registry: engine.Registry{AuthFile: "/root/.docker/config.json"}}, "registry.authfile"},
		"a certificate directory outside":    {&engine.RestoreOptions{Registry: engine.Registry{CertDir: "/etc/containers/certs.d"}}, "registry.cert_dir"},
	}
	for name, c := range denied {
		err := p.Admit("op", c.opts)
		require.Error(t, err, name)
		e := engine.AsError(err)
		assert.Equal(t, engine.CodePermissionDenied, e.Code, name)
		assert.Equal(t, c.field, e.Field, name)
		assert.Contains(t, e.Message, "is outside the directory this serve works in ("+p.Root()+")", name)
		assert.Contains(t, e.Fix, "--root", name)
	}
	err = p.Admit("op", &engine.ContainerizeOptions{AppInputs: engine.AppInputs{ServerXML: "escape/secret.war"}})
	assert.Contains(t, err.Error(), "which leads to", "a link's target is named")

	o := &engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "alias.war", ConfigDir: "src/main/liberty/config"}, SeccompProfile: "seccomp.json"}
	require.NoError(t, p.Admit("op", o))
	assert.Equal(t, filepath.Join(p.Root(), "alias.war"), o.AppArchive, "an archive keeps its own name, deployed under it")
	assert.Equal(t, filepath.Join(p.Root(), "src/main/liberty/config"), o.ConfigDir)
	assert.Equal(t, filepath.Join(p.Root(), "seccomp.json"), o.SeccompProfile)

	require.NoError(t, os.Symlink("target", filepath.Join(root, "build")))
	require.NoError(t, os.WriteFile(filepath.Join(root, "target/Containerfile"), []byte("FROM x\n"), 0o644))
	require.NoError(t, os.Symlink("target/Containerfile", filepath.Join(root, "Containerfile")))
	c := &engine.ContainerizeOptions{AppInputs: engine.AppInputs{Containerfile: "Containerfile"}}
	require.NoError(t, p.Admit("op", c))
	assert.Equal(t, filepath.Join(p.Root(), "Containerfile"), c.Containerfile, "a Containerfile stays where it is: its directory is the build context")
	c = &engine.ContainerizeOptions{AppInputs: engine.AppInputs{Containerfile: "build/Containerfile"}}
	require.NoError(t, p.Admit("op", c))
	assert.Equal(t, filepath.Join(p.Root(), "target/Containerfile"), c.Containerfile, "its directory is resolved")

	o2 := &engine.ContainerizeOptions{AppInputs: engine.AppInputs{ServerXML: "alias.war"}}
	require.NoError(t, p.Admit("op", o2))
	assert.Equal(t, filepath.Join(p.Root(), "target/app.war"), o2.ServerXML, "other paths become the file they lead to, so a later swap of the link changes nothing")

	b := &engine.BuildBaseImageOptions{}
	require.NoError(t, p.Admit("op", b), "the default context (missing here: validation reports that) is under the root")
	assert.Equal(t, filepath.Join(p.Root(), engine.DefaultContextDir), b.ContextDir)
	assert.Equal(t, filepath.Join(p.Root(), engine.DefaultContextDir, engine.DefaultContainerfile), b.Containerfile)

	missing := &engine.CheckpointImageOptions{AppInputs: engine.AppInputs{AppArchive: "target/missing.war"}}
	require.NoError(t, p.Admit("op", missing), "a missing file under the root is validation's to report")
	assert.NoError(t, p.Admit("op", &engine.CommitOptions{Container: "c"}))
	assert.NoError(t, p.Admit("op", &engine.DoctorOptions{}))
	assert.Equal(t, engine.CodeInternal, engine.CodeOf(p.Admit("op", &struct{}{})), "an unknown request is refused")
}

func TestPolicyRootThroughALink(t *testing.T) {
	real := projectRoot(t)
	link := filepath.Join(t.TempDir(), "project")
	require.NoError(t, os.Symlink(real, link))
	p, err := NewPolicy(link, engine.Connection{}, false)
	require.NoError(t, err)
	resolved, err := filepath.EvalSymlinks(real)
	require.NoError(t, err)
	assert.Equal(t, resolved, p.Root())
	o := &engine.ContainerizeOptions{AppInputs: engine.AppInputs{AppArchive: filepath.Join(link, "target/app.war")}}
	require.NoError(t, p.Admit("op", o), "a path through the root's own link is inside")
	assert.Equal(t, filepath.Join(resolved, "target/app.war"), o.AppArchive)

	_, err = NewPolicy(filepath.Join(real, "missing"), engine.Connection{}, false)
	assert.Equal(t, "root", engine.AsError(err).Field)
}

func TestPolicyConnection(t *testing.T) {
	root := t.TempDir()
	own := engine.Connection{URI: "ssh://root@podman-host/run/podman/podman.sock", Identity: "/keys/serve"}
	p, err := NewPolicy(root, own, false)
	require.NoError(t, err)
	o := &engine.RestoreOptions{Common: engine.Common{Connection: engine.Connection{URI: "ssh://core@elsewhere/run/podman/podman.sock"}}}
	err = p.Admit("restore", o)
	e := engine.AsError(err)
	assert.Equal(t, engine.CodePermissionDenied, e.Code)
	assert.Equal(t, "connection.uri", e.Field)
	assert.Contains(t, e.Fix, "--allow-connection-override")

	// Another key for serve's own host is another connection too.
	o = &engine.RestoreOptions{Common: engine.Common{Connection: engine.Connection{Identity: "/home/mallory/.ssh/id_ed25519"}}}
	e = engine.AsError(p.Admit("restore", o))
	assert.Equal(t, engine.CodePermissionDenied, e.Code)
	assert.Equal(t, "connection.identity", e.Field)

	push := &engine.PushOptions{Common: engine.Common{Connection: engine.Connection{URI: "tcp://elsewhere:8888"}}}
	assert.Equal(t, "connection.uri", engine.AsError(p.Admit("push", push)).Field, "push is confined to serve's Podman too")

	o = &engine.RestoreOptions{}
	require.NoError(t, p.Admit("restore", o))
	assert.Equal(t, own, o.Connection, "a request without a connection gets serve's")
	require.NoError(t, p.Admit("restore", o), "and keeps it when asked again")

	p, err = NewPolicy(root, own, true)
	require.NoError(t, err)
	o = &engine.RestoreOptions{Common: engine.Common{Connection: engine.Connection{URI: "ssh://core@elsewhere/run/podman/podman.sock"}}}
	require.NoError(t, p.Admit("restore", o), "--allow-connection-override")
	assert.Equal(t, "ssh://core@elsewhere/run/podman/podman.sock", o.Connection.URI)
}
