package podman

import (
	"os"
	"path/filepath"
	"testing"

	buildahDefine "github.com/containers/buildah/define"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func TestBuildPhase(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) string {
		p := filepath.Join(dir, "Containerfile")
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	cases := []struct {
		containerfile string
		phase         engine.Phase
		own           bool
	}{
		{"FROM x\nRUN configure.sh\n", engine.AfterAppStart, false},
		{"FROM x\nRUN configure.sh\nRUN checkpoint.sh beforeAppStart\n", engine.BeforeAppStart, true},
		{"FROM x\nrun /opt/ol/helpers/checkpoint.sh afterAppStart\n", engine.AfterAppStart, true},
		{"FROM x\nRUN configure.sh && checkpoint.sh deployment\n", engine.BeforeAppStart, true},
		{"FROM x\n# RUN checkpoint.sh beforeAppStart\n", engine.AfterAppStart, false},
		{"FROM x\nRUN my-checkpoint.sh beforeAppStart\n", engine.AfterAppStart, false},
	}
	for _, tc := range cases {
		phase, own, err := buildPhase(engine.CheckpointImageOptions{AppInputs: engine.AppInputs{Containerfile: write(tc.containerfile)}, Phase: engine.AfterAppStart})
		require.NoError(t, err, tc.containerfile)
		assert.Equal(t, tc.phase, phase, tc.containerfile)
		assert.Equal(t, tc.own, own, tc.containerfile)
	}
	_, _, err := buildPhase(engine.CheckpointImageOptions{AppInputs: engine.AppInputs{Containerfile: write("FROM x\nRUN checkpoint.sh features\n")}})
	var e *engine.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "containerfile", e.Field)

	phase, own, err := buildPhase(engine.CheckpointImageOptions{Phase: engine.BeforeAppStart})
	require.NoError(t, err)
	assert.Equal(t, engine.BeforeAppStart, phase, "the generated Containerfile takes the request's phase")
	assert.False(t, own)
}

func TestAppendLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), "Containerfile")
	require.NoError(t, os.WriteFile(p, []byte("FROM x\nRUN configure.sh"), 0o644))
	require.NoError(t, appendLine(p, "RUN checkpoint.sh afterAppStart"))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "FROM x\nRUN configure.sh\nRUN checkpoint.sh afterAppStart\n", string(b))
}

func TestMajorMinor(t *testing.T) {
	for v, want := range map[string][3]int{"4.3.1": {4, 3, 1}, "3.2.0-rc1": {3, 2, 1}, "5.0": {5, 0, 1}, "dev": {0, 0, 0}} {
		major, minor, ok := majorMinor(v)
		assert.Equal(t, want, [3]int{major, minor, map[bool]int{true: 1, false: 0}[ok]}, v)
	}
}

// The build request carries the checkpoint's policy and seccomp profile into the options the
// bindings send (dropcaps ALL, addcaps, seccomp); without them the RUN checkpoint.sh step cannot
// dump, and with more the build's steps would hold capabilities the checkpoint does not need.
func TestBuildOptionsCarryCapabilities(t *testing.T) {
	opts := buildOptions(buildRequest{ContextDir: "/ctx", Image: "localhost/x:1", Policy: &privilege.Checkpoint, Seccomp: "unconfined",
		Pull: buildahDefine.PullNever}, "localhost/lcp-tmp-build-x:latest", nil)
	assert.Equal(t, []string{"ALL"}, opts.DropCapabilities)
	assert.Equal(t, []string{"CAP_CHECKPOINT_RESTORE", "CAP_SYS_PTRACE", "CAP_SETPCAP"}, opts.AddCapabilities)
	require.NotNil(t, opts.CommonBuildOpts)
	assert.Equal(t, "unconfined", opts.CommonBuildOpts.SeccompProfilePath)
	assert.True(t, opts.RemoveIntermediateCtrs && opts.ForceRmIntermediateCtrs)
	own := buildOptions(buildRequest{ContextDir: "/ctx", Image: "localhost/x:1", Policy: &privilege.Checkpoint, KeepDefaultCaps: true,
		Pull: buildahDefine.PullNever}, "localhost/lcp-tmp-build-z:latest", nil)
	assert.Empty(t, own.DropCapabilities, "a user's Containerfile keeps Podman's defaults for its own RUN steps")
	assert.Equal(t, []string{"CAP_CHECKPOINT_RESTORE", "CAP_SYS_PTRACE", "CAP_SETPCAP"}, own.AddCapabilities, "and adds the checkpoint's")
	plain := buildOptions(buildRequest{ContextDir: "/ctx", Image: "localhost/x:1"}, "localhost/lcp-tmp-build-y:latest", nil)
	assert.Empty(t, plain.AddCapabilities, "an ordinary build adds no capabilities")
	assert.Empty(t, plain.DropCapabilities, "and drops none")
	assert.Empty(t, plain.CommonBuildOpts.SeccompProfilePath, "and keeps Podman's seccomp profile")
}
