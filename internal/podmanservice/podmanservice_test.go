package podmanservice

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// A real service answers Podman's API on its socket, runs without the remote-client variables,
// and is gone after Stop.
func TestStartAnswersAndStops(t *testing.T) {
	podman := testenv.LookPath(t, "podman", "install podman: hack/setup-host.sh")
	t.Setenv("CONTAINER_HOST", "tcp://127.0.0.1:1") // would make podman a remote client
	sock := filepath.Join(t.TempDir(), "podman.sock")
	svc, err := Start(context.Background(), Options{Podman: podman, Socket: sock})
	require.NoError(t, err)
	assert.Equal(t, "unix://"+sock, svc.URI())

	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	resp, err := client.Get("http://d/_ping")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	assert.False(t, svc.Stop(10*time.Second), "the service exits on SIGTERM")
	select {
	case <-svc.Exited():
	default:
		t.Fatal("Stop returned before the service exited")
	}
	assert.Error(t, Dial(context.Background(), sock), "nothing answers after Stop")
	assert.False(t, svc.Stop(time.Second), "a second Stop is a no-op")
}

// A service that cannot start says why, with podman's own message.
func TestStartFailureCarriesStderr(t *testing.T) {
	podman := testenv.LookPath(t, "podman", "install podman: hack/setup-host.sh")
	sock := filepath.Join(t.TempDir(), "podman.sock")
	_, err := Start(context.Background(), Options{Podman: podman, Socket: sock, Global: []string{"--no-such-flag"}})
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "exited at once") && strings.Contains(err.Error(), "no-such-flag"), err.Error())
}
