package cli_test

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// startServe runs `liberty-checkpoint serve` on a free loopback port and returns its address.
func startServe(t *testing.T) (addr string, cmd *exec.Cmd) {
	t.Helper()
	cli, _ := binaries(t)
	cmd = exec.Command(cli, "serve", "--listen", "127.0.0.1:0", "-o", "json")
	cmd.Dir = appFixture(t)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	var ev struct{ Type, Address string }
	require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
	require.Equal(t, "serving", ev.Type)
	return ev.Address, cmd
}

func grpcurl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	bin := testenv.LookPath(t, "grpcurl", "run hack/setup-host.sh (go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3)")
	out, err := exec.Command(bin, args...).CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return string(out), code
}

func TestServeWithGrpcurl(t *testing.T) {
	testenv.LookPath(t, "grpcurl", "run hack/setup-host.sh (go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3)")
	addr, cmd := startServe(t)

	out, code := grpcurl(t, "-plaintext", addr, "list")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "libertycheckpoint.v1.LibertyCheckpoint")
	assert.Contains(t, out, "grpc.health.v1.Health")

	out, code = grpcurl(t, "-plaintext", addr, "describe", "libertycheckpoint.v1.LibertyCheckpoint")
	require.Equal(t, 0, code, out)
	for _, rpc := range []string{"BuildBaseImage", "Containerize", "Checkpoint", "Commit", "Restore", "CheckpointImage", "Doctor", "Cancel"} {
		assert.Contains(t, out, "rpc "+rpc+" (")
	}
	out, code = grpcurl(t, "-plaintext", addr, "describe", "libertycheckpoint.v1.RestoreRequest")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "repeated .libertycheckpoint.v1.Port ports")

	out, code = grpcurl(t, "-plaintext", "-d", `{"service":"libertycheckpoint.v1.LibertyCheckpoint"}`, addr, "grpc.health.v1.Health/Check")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "SERVING")

	// A streaming call: every event arrives, the first is Accepted and the last the Result.
	out, code = grpcurl(t, "-plaintext", "-d", `{"image":"localhost/app:1-instanton","ports":[{"containerPort":9080,"hostPort":8080}]}`,
		addr, "libertycheckpoint.v1.LibertyCheckpoint/Restore")
	require.Equal(t, 0, code, out)
	accepted, result := strings.Index(out, `"accepted"`), strings.Index(out, `"result"`)
	assert.True(t, accepted >= 0 && result > accepted, "accepted before result:\n%s", out)
	assert.Contains(t, out, `"verdict": "VERDICT_RESTORED"`)
	assert.Contains(t, out, `"9080": "127.0.0.1:8080"`)

	// Paths resolve against serve's directory; a bad request gets InvalidArgument naming the field.
	out, code = grpcurl(t, "-plaintext", "-d", `{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"src/main/liberty/config/server.xml","phase":"features"}`,
		addr, "libertycheckpoint.v1.LibertyCheckpoint/CheckpointImage")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, out, "Code: InvalidArgument")
	assert.Contains(t, out, "phase: phase \"features\" is no longer supported")

	out, code = grpcurl(t, "-plaintext", "-d", `{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"src/main/liberty/config/server.xml"}`,
		addr, "libertycheckpoint.v1.LibertyCheckpoint/CheckpointImage")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, `"phase": "afterAppStart"`)

	// SIGINT stops serve cleanly.
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err)
		_, plugin := binaries(t)
		assert.Empty(t, processesOf(t, plugin), "serve stopped its plugin")
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop on SIGINT")
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:50051"} {
		r := runCLI(t, t.TempDir(), nil, "serve", "--listen", addr)
		assert.Equal(t, 2, r.code, addr)
		assert.Contains(t, r.stderr, "not a loopback address", addr)
		assert.Contains(t, r.stderr, "--allow-remote", addr)
	}
}
