package e2e

import (
	"os/exec"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
)

// sharedSample is the sample's InstantOn image, built once per test binary by the first test
// that needs it (checkpoint-image through the CLI, the slow chain) and removed by TestMain.
var sharedSample struct {
	sync.Mutex
	image  string
	events []*pb.Event
}

// sampleInstantOn returns the shared InstantOn image of the sample and the events of the
// checkpoint-image call that built it.
func sampleInstantOn(t *testing.T, cli, war string) (string, []*pb.Event) {
	t.Helper()
	sharedSample.Lock()
	defer sharedSample.Unlock()
	if sharedSample.image != "" {
		return sharedSample.image, sharedSample.events
	}
	image := "localhost/lcp-e2e-sample:" + randomID()
	events, code := cliEvents(t, cli, "checkpoint-image", "--base-image", baseImage, "--app-archive", war,
		"--config-directory", "sample/src/main/liberty/config", "--image", image, "--phase", "afterAppStart")
	if code != 0 {
		_ = exec.Command("podman", "rmi", "-f", image).Run()
	}
	require.Equal(t, 0, code, "checkpoint-image of the sample")
	sharedSample.image, sharedSample.events = image, events
	return image, events
}

// removeSharedSample removes the shared image; TestMain calls it after the tests.
func removeSharedSample() {
	if sharedSample.image != "" {
		_ = exec.Command("podman", "rmi", "-f", sharedSample.image).Run()
	}
}
