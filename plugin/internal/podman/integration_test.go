package podman

import (
	"testing"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// TestConformance runs the suite every engine passes, against real Podman and CRIU.
func TestConformance(t *testing.T) {
	te := integration(t)
	t.Setenv("CONTAINER_HOST", "")
	enginetest.Conformance(t, te.engine(), enginetest.Fixture{
		BaseImage:   te.baseImage,
		AppArchive:  te.app,
		ServerXML:   te.serverXML,
		ImagePrefix: testImagePrefix + "-conformance",
		Ports:       []engine.Port{{ContainerPort: 9080}},
		Readiness:   engine.Readiness{HTTPURL: "/"},
		RemoveImage: removeImageCLI,
	})
}
