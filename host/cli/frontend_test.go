package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/render"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// errorEvent runs the CLI with --output json and returns its error event.
func errorEvent(t *testing.T, e engine.Engine, args ...string) (message, fix, setting string) {
	t.Helper()
	stdout, _, code := execute(t, e, append([]string{"--output", "json"}, args...)...)
	require.NotEqual(t, 0, code)
	evs, err := render.ReadEvents(strings.NewReader(stdout))
	require.NoError(t, err)
	f := evs[len(evs)-1].GetError()
	require.NotNil(t, f, stdout)
	return f.Message, f.Fix, f.Setting
}

// With LCP_FRONT_END (the shims set it), the error event names settings, goals and switches as
// the build tool's user writes them; without it, as the CLI's.
func TestFrontEndSpellsErrors(t *testing.T) {
	failing := &enginetest.Fake{Errors: map[string]error{engine.OpCheckpointImage: &engine.Error{Code: engine.CodeFailedPrecondition,
		Message: "criu dump failed (exit 1)", Fix: "run liberty-checkpoint doctor --image localhost/sample:1.0; run with --log-level debug for more"}}}
	args := []string{"checkpoint-image", "--app-archive", "app.war", "--image", "localhost/sample:1.0"}

	_, fix, _ := errorEvent(t, failing, args...)
	assert.Equal(t, "run liberty-checkpoint doctor --image localhost/sample:1.0; run with --log-level debug for more", fix)

	t.Setenv(EnvFrontEnd, "maven")
	_, fix, _ = errorEvent(t, failing, args...)
	assert.Equal(t, "run mvn liberty:checkpoint-doctor -Dliberty.checkpoint.image=localhost/sample:1.0; run Maven with -X for more", fix)
	_, fix, _ = errorEvent(t, failing, append(args, "--front-end", "gradle")...)
	assert.Equal(t, "run gradle checkpointDoctor -Pliberty.checkpoint.image=localhost/sample:1.0; run Gradle with --debug for more", fix)

	msg, fix, setting := errorEvent(t, &enginetest.Fake{}, "restore", "--image", "localhost/a:1", "--publish", "x")
	assert.Contains(t, msg, `invalid argument "x" for "-p, <ports>" flag`)
	assert.Equal(t, "see the goal's parameters: mvn liberty:help -Ddetail=true -Dgoal=checkpoint-restore", fix)
	assert.Equal(t, "ports", setting, "a flag error names its setting")

	bad := &enginetest.Fake{Errors: map[string]error{engine.OpBuildBaseImage: engine.Invalid("image", "",
		"--image: %q is not a valid reference", "UPPER")}}
	msg, _, setting = errorEvent(t, bad, "build-base-image", "--image", "UPPER")
	assert.Equal(t, `<baseImage>: "UPPER" is not a valid reference`, msg)
	assert.Equal(t, "baseImage", setting, "build-base-image's --image is the baseImage goal setting")

	msg, _, _ = errorEvent(t, &enginetest.Fake{}, "doctor", "--front-end", "ant")
	assert.Contains(t, msg, `unknown front end "ant"`)
}
