package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testpki"
)

const grpcurlFix = "run hack/setup-host.sh (go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.1)"

// served is a running `liberty-checkpoint serve`.
type served struct {
	cmd     *exec.Cmd
	addr    string // socket path or host:port
	dir     string // its root (an app fixture)
	mu      sync.Mutex
	stderr  bytes.Buffer
	waitErr chan error
}

func (s *served) Stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

func (s *served) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.Write(p)
}

// wait waits for serve to exit.
func (s *served) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-s.waitErr:
		return err
	case <-time.After(within):
		t.Fatalf("serve did not exit within %s", within)
		return nil
	}
}

// startServe runs `liberty-checkpoint serve -o json args...` in an app fixture and returns once
// it listens.
func startServe(t *testing.T, env []string, args ...string) *served {
	t.Helper()
	cli, _ := binaries(t)
	s := &served{dir: appFixture(t), waitErr: make(chan error, 1)}
	s.cmd = exec.Command(cli, append([]string{"serve", "-o", "json"}, args...)...)
	s.cmd.Dir = s.dir
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stderr = s
	stdout, err := s.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, s.cmd.Start())
	go func() { s.waitErr <- s.cmd.Wait() }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "stderr: %s", s.Stderr())
	var ev struct{ Type, Network, Address, Root string }
	require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
	require.Equal(t, "serving", ev.Type)
	s.addr = ev.Address
	return s
}

// socketArg is a --listen value for a socket in a fresh private directory.
func socketArg(t *testing.T) (arg, path string) {
	path = filepath.Join(t.TempDir(), "lcp", "api.sock")
	return "unix://" + path, path
}

func grpcurl(t *testing.T, args ...string) (string, int) {
	t.Helper()
	return grpcurlAs(t, nil, args...)
}

// grpcurlAs runs grpcurl, as another user when cred is set.
func grpcurlAs(t *testing.T, cred *syscall.Credential, args ...string) (string, int) {
	t.Helper()
	bin := testenv.LookPath(t, "grpcurl", grpcurlFix)
	cmd := exec.Command(bin, args...)
	if cred != nil {
		// Where the other user can run it ($GOPATH/bin is under /root).
		dir, err := os.MkdirTemp("", "lcp-grpcurl-")
		require.NoError(t, err)
		t.Cleanup(func() { os.RemoveAll(dir) })
		require.NoError(t, os.Chmod(dir, 0o755))
		data, err := os.ReadFile(bin)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "grpcurl"), data, 0o755))
		cmd = exec.Command(filepath.Join(dir, "grpcurl"), args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return string(out), code
}

func TestServeWithGrpcurl(t *testing.T) {
	testenv.LookPath(t, "grpcurl", grpcurlFix)
	listen, sock := socketArg(t)
	s := startServe(t, nil, "--listen", listen)
	require.Equal(t, sock, s.addr)
	// call runs grpcurl on the socket: flags before the address, the rest after it.
	call := func(flags []string, rest ...string) (string, int) {
		args := append(append([]string{"-plaintext", "-unix"}, flags...), sock)
		return grpcurl(t, append(args, rest...)...)
	}

	out, code := call(nil, "list")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "libertycheckpoint.v1.LibertyCheckpoint")
	assert.Contains(t, out, "grpc.health.v1.Health")

	out, code = call(nil, "describe", "libertycheckpoint.v1.LibertyCheckpoint")
	require.Equal(t, 0, code, out)
	for _, rpc := range []string{"BuildBaseImage", "Containerize", "Checkpoint", "Commit", "Restore", "CheckpointImage", "Doctor", "Cancel"} {
		assert.Contains(t, out, "rpc "+rpc+" (")
	}
	assert.Contains(t, out, "// Restore runs an InstantOn image", "describe shows the proto's documentation")
	out, code = call(nil, "describe", "libertycheckpoint.v1.RestoreRequest")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "repeated .libertycheckpoint.v1.Port ports")
	assert.Contains(t, out, "// The InstantOn image to run. Required.")
	out, code = call(nil, "describe", "libertycheckpoint.v1.CheckpointImageRequest")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "afterAppStart", "the valid phases are documented")

	out, code = call([]string{"-d", `{"service":"libertycheckpoint.v1.LibertyCheckpoint"}`}, "grpc.health.v1.Health/Check")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "SERVING")

	// A streaming call: every event arrives, the first is Accepted and the last the Result.
	out, code = call([]string{"-d", `{"image":"localhost/app:1-instanton","ports":[{"containerPort":9080,"hostPort":8080}]}`}, "libertycheckpoint.v1.LibertyCheckpoint/Restore")
	require.Equal(t, 0, code, out)
	accepted, result := strings.Index(out, `"accepted"`), strings.Index(out, `"result"`)
	assert.True(t, accepted >= 0 && result > accepted, "accepted before result:\n%s", out)
	assert.Contains(t, out, `"verdict": "VERDICT_RESTORED"`)
	assert.Contains(t, out, `"9080": "127.0.0.1:8080"`)

	// Paths resolve against serve's root; a bad request gets InvalidArgument naming the field.
	out, code = call([]string{"-d", `{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"src/main/liberty/config/server.xml","phase":"features"}`}, "libertycheckpoint.v1.LibertyCheckpoint/CheckpointImage")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, out, "Code: InvalidArgument")
	assert.Contains(t, out, "phase: phase \"features\" is no longer supported")

	out, code = call([]string{"-d", `{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"src/main/liberty/config/server.xml"}`}, "libertycheckpoint.v1.LibertyCheckpoint/CheckpointImage")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, `"phase": "afterAppStart"`)

	// SIGINT stops serve cleanly and removes its socket.
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGINT))
	assert.NoError(t, s.wait(t, 20*time.Second))
	_, plugin := binaries(t)
	assert.Empty(t, processesOf(t, plugin), "serve stopped its plugin")
	_, err := os.Lstat(sock)
	assert.ErrorIs(t, err, os.ErrNotExist, "SIGINT removes the socket")
}

// A request is confined to serve's root: paths outside it, also through links, are refused with
// PermissionDenied naming the field, and so is a choice of Podman connection.
func TestServeConfinesRequests(t *testing.T) {
	testenv.LookPath(t, "grpcurl", grpcurlFix)
	listen, sock := socketArg(t)
	s := startServe(t, nil, "--listen", listen)
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "server.xml"), []byte("<server/>"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(outside, "server.xml"), filepath.Join(s.dir, "linked.xml")))
	require.NoError(t, os.Symlink(outside, filepath.Join(s.dir, "elsewhere")))

	for _, c := range []struct{ request, field string }{
		{`{"image":"localhost/app:1","appArchive":"/root/.ssh/id_rsa"}`, "app_archive"},
		{`{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"../../etc/passwd"}`, "server_xml"},
		{`{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"linked.xml"}`, "server_xml"},
		{`{"image":"localhost/app:1","appArchive":"target/app.war","configDir":"elsewhere"}`, "config_dir"},
		{`{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"src/main/liberty/config/server.xml","seccompProfile":"/etc/passwd"}`, "seccomp_profile"},
		{`{"image":"localhost/app:1","appArchive":"target/app.war","serverXml":"src/main/liberty/config/server.xml","connection":{"uri":"ssh://core@elsewhere/run/podman/podman.sock"}}`, "connection.uri"},
	} {
		out, code := grpcurl(t, "-plaintext", "-unix", "-d", c.request, sock, "libertycheckpoint.v1.LibertyCheckpoint/CheckpointImage")
		assert.NotEqual(t, 0, code, c.request)
		assert.Contains(t, out, "Code: PermissionDenied", c.request)
		assert.Contains(t, out, "Message: "+c.field+": ", c.request)
	}
	out, code := grpcurl(t, "-plaintext", "-unix", "-d", `{"connection":{"uri":"tcp://10.0.0.1:8080"}}`, sock, "libertycheckpoint.v1.LibertyCheckpoint/Doctor")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, out, "--allow-connection-override")
}

// The socket is its owner's: mode 0600 in a 0700 directory, and another user cannot use it.
func TestServeSocketIsOwnerOnly(t *testing.T) {
	testenv.LookPath(t, "grpcurl", grpcurlFix)
	if os.Geteuid() != 0 {
		testenv.Missing(t, "root", "run as root: the test calls the API as another user")
	}
	top, err := os.MkdirTemp("", "lcp-serve-") // under /tmp, which everyone can traverse
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(top) })
	sock := filepath.Join(top, "lcp", "api.sock")
	s := startServe(t, nil, "--listen", "unix://"+sock)
	fi, err := os.Lstat(sock)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	fi, err = os.Stat(filepath.Dir(sock))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	// Let the other user reach the socket: its own mode still keeps them out.
	require.NoError(t, os.Chmod(filepath.Dir(sock), 0o755))
	require.NoError(t, os.Chmod(top, 0o755))
	out, code := grpcurlAs(t, &syscall.Credential{Uid: 65534, Gid: 65534}, "-plaintext", "-unix", sock, "list")
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, out, "permission denied")
	out, code = grpcurl(t, "-plaintext", "-unix", sock, "list")
	assert.Equal(t, 0, code, out)

	// Were the socket's mode lost, the peer's uid still keeps them out.
	require.NoError(t, os.Chmod(sock, 0o666))
	out, code = grpcurlAs(t, &syscall.Credential{Uid: 65534, Gid: 65534}, "-connect-timeout", "2", "-plaintext", "-unix", sock, "list")
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, s.Stderr(), "refused a connection from uid 65534")
}

// TCP needs mutual TLS, or --insecure, which warns.
func TestServeTCP(t *testing.T) {
	testenv.LookPath(t, "grpcurl", grpcurlFix)
	r := runCLI(t, t.TempDir(), nil, "serve", "--listen", "127.0.0.1:0")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "refusing plaintext TCP")
	assert.Contains(t, r.stderr, "--insecure")

	s := startServe(t, nil, "--listen", "127.0.0.1:0", "--insecure")
	assert.Contains(t, s.Stderr(), "WARNING: serving plaintext TCP")
	out, code := grpcurl(t, "-plaintext", s.addr, "list")
	assert.Equal(t, 0, code, out)

	ca := testpki.NewCA(t, "serve")
	server, client := ca.Server(t), ca.Client(t, "owner")
	s = startServe(t, nil, "--listen", "127.0.0.1:0", "--tls-cert", server.Cert, "--tls-key", server.Key, "--client-ca", ca.CAFile)
	assert.NotContains(t, s.Stderr(), "WARNING")
	out, code = grpcurl(t, "-cacert", ca.CAFile, "-cert", client.Cert, "-key", client.Key, s.addr, "list")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "libertycheckpoint.v1.LibertyCheckpoint")
	// Refused handshakes (grpcurl retries until its connect timeout and says only that; the
	// apiserver tests check each case, TLS versions and cipher suites too).
	out, code = grpcurl(t, "-connect-timeout", "2", "-cacert", ca.CAFile, s.addr, "list")
	assert.NotEqual(t, 0, code, "no client certificate: %s", out)
	stranger := testpki.NewCA(t, "other").Client(t, "stranger")
	out, code = grpcurl(t, "-connect-timeout", "2", "-cacert", ca.CAFile, "-cert", stranger.Cert, "-key", stranger.Key, s.addr, "list")
	assert.NotEqual(t, 0, code, "a client certificate from another CA: %s", out)
	out, code = grpcurl(t, "-connect-timeout", "2", "-plaintext", s.addr, "list")
	assert.NotEqual(t, 0, code, "plaintext: %s", out)
}

func TestServeRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:50051"} {
		r := runCLI(t, t.TempDir(), nil, "serve", "--listen", addr, "--insecure")
		assert.Equal(t, 2, r.code, addr)
		assert.Contains(t, r.stderr, "not a loopback address", addr)
		assert.Contains(t, r.stderr, "--allow-remote", addr)
	}
}

// A serve killed with SIGKILL cannot clean up itself: its plugin notices, cancels the running
// operation (whose clean-up runs), removes its own socket and exits, so no temporary file is
// left; the next serve removes the stale API socket, and SIGTERM removes it too.
func TestKilledServeLeavesNothingBehind(t *testing.T) {
	testenv.LookPath(t, "grpcurl", grpcurlFix)
	_, plugin := binaries(t)
	tmp := t.TempDir()
	marker := filepath.Join(t.TempDir(), "cancelled")
	calls := filepath.Join(t.TempDir(), "calls.jsonl")
	env := []string{"TMPDIR=" + tmp, "LCP_FAKE_STEP_DELAY=1m", "LCP_FAKE_CANCEL_MARKER=" + marker, "LCP_FAKE_CALLS=" + calls}
	listen, sock := socketArg(t)
	s := startServe(t, env, "--listen", listen)
	entries, _ := os.ReadDir(tmp)
	require.NotEmpty(t, entries, "the plugin's socket lives in TMPDIR")

	// An operation in flight when serve is killed.
	restore := exec.Command(testenv.LookPath(t, "grpcurl", grpcurlFix), "-plaintext", "-unix", "-d", `{"image":"localhost/app:1"}`,
		sock, "libertycheckpoint.v1.LibertyCheckpoint/Restore")
	require.NoError(t, restore.Start())
	defer func() { _ = restore.Process.Kill(); _ = restore.Wait() }()
	require.Eventually(t, func() bool { b, _ := os.ReadFile(calls); return len(b) > 0 }, 10*time.Second, 20*time.Millisecond,
		"the operation reached the engine")

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGKILL))
	_ = s.wait(t, 5*time.Second)
	require.Eventually(t, func() bool { return len(processesOf(t, plugin)) == 0 }, 15*time.Second, 50*time.Millisecond,
		"the plugin exits when its serve is killed")
	_, err := os.Stat(marker)
	assert.NoError(t, err, "the running operation was cancelled and cleaned up")
	entries, _ = os.ReadDir(tmp)
	assert.Empty(t, entries, "nothing left in TMPDIR")
	_, err = os.Lstat(sock)
	require.NoError(t, err, "SIGKILL leaves the API socket (nothing can remove it)")

	s = startServe(t, env, "--listen", listen)
	assert.Contains(t, s.Stderr(), "removed the stale socket "+sock)
	out, code := grpcurl(t, "-plaintext", "-unix", sock, "list")
	require.Equal(t, 0, code, out)
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	assert.NoError(t, s.wait(t, 20*time.Second))
	_, err = os.Lstat(sock)
	assert.ErrorIs(t, err, os.ErrNotExist, "SIGTERM removes the socket")
	assert.Empty(t, processesOf(t, plugin))
	entries, _ = os.ReadDir(tmp)
	assert.Empty(t, entries)
}
