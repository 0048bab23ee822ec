package podman

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/system"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testssh"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// inOwnHome runs the calling test again in a child test process whose HOME is a directory of the
// test's own, and reports whether this is that child (then the test's body runs). Podman's ssh
// client records host keys in ~/.ssh/known_hosts of the home the process saw first (containers/
// storage caches it), which must not be the real user's.
func inOwnHome(t *testing.T) bool {
	if os.Getenv("LCP_TEST_OWN_HOME") != "" {
		return true
	}
	testenv.SkipIfShort(t, "the ssh remote tests (sshd and a Podman service)")
	args := []string{"-test.run=^" + t.Name() + "$", "-test.count=1", "-test.v"}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LCP_TEST_OWN_HOME=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Fatalf("%s in its own home: %v\n%s", t.Name(), err, out)
	case strings.Contains(string(out), "--- SKIP"):
		testenv.Skip(t, string(out))
	default:
		t.Logf("%s", out)
	}
	return false
}

// sshRemote sets up an ssh test in its own home (inOwnHome; ok is false in the parent, which has
// nothing more to do): an engine that reaches Podman only as told, the test's sshd and a Podman
// service behind it, and a context for the test.
func sshRemote(t *testing.T) (e *Engine, srv *testssh.Server, sock string, ctx context.Context, ok bool) {
	if !inOwnHome(t) {
		return nil, nil, "", nil, false
	}
	e = sshEngine(t)
	srv, sock = testssh.Start(t), testssh.PodmanService(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return e, srv, sock, ctx, true
}

// sshEngine is an engine that can reach Podman only as told: no default socket, no transient
// service, no ssh-agent, no configured connection (in the test's own home: inOwnHome).
func sshEngine(t *testing.T) *Engine {
	for _, k := range []string{"CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINER_SSHKEY", "SSH_AUTH_SOCK", "CONTAINERS_CONF"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(os.Getenv("HOME"), ".config"))
	t.Setenv("PODMAN_CONNECTIONS_CONF", filepath.Join(os.Getenv("HOME"), "podman-connections.json"))
	e := New("test")
	e.DefaultSockets, e.TransientService = nil, false
	return e
}

// A Podman service reached through a real sshd: the API over channels of one ssh connection, a
// readiness probe from the Podman host through the same connection, a file copied there for the
// call and removed after it; closing the connection ends it all.
func TestSSHConnectionCarriesTheAPIAndTheReadinessProbe(t *testing.T) {
	e, srv, sock, ctx, ok := sshRemote(t)
	if !ok {
		return
	}

	c, err := e.connect(ctx, engine.Connection{URI: srv.URI(sock), Identity: srv.ClientKey}, engine.Discard)
	require.NoError(t, err)
	defer c.close(engine.Discard)
	assert.False(t, c.local, "an ssh:// service is another machine")
	require.NotNil(t, c.ssh)
	v, err := system.Version(c.ctx, nil)
	require.NoError(t, err)
	assert.NotEmpty(t, v.Server.Version)
	assert.Contains(t, c.describe(), srv.URI(sock)+" (connection.uri)")

	// Podman's own trust on first use: the host key is now in ~/.ssh/known_hosts.
	known, err := os.ReadFile(filepath.Join(os.Getenv("HOME"), ".ssh", "known_hosts"))
	require.NoError(t, err)
	assert.Contains(t, string(known), fmt.Sprintf("[127.0.0.1]:%d", srv.Port))
	assert.Contains(t, string(known), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(srv.HostKey))))

	// A server on the Podman host's loopback, reached from there through the ssh connection.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	url := fmt.Sprintf("http://%s/ready", net.JoinHostPort(c.probeHost("127.0.0.1"), fmt.Sprint(port)))
	ready, detail := newHTTPProber(url, c.ssh.DialContext).Probe(ctx)
	assert.True(t, ready, detail)
	assert.True(t, srv.ForwardedTCP("127.0.0.1", port), "the probe went through sshd:\n%s", srv.Log())

	// A file for the Podman service (a seccomp profile) is copied to the host and removed after the call.
	profile := filepath.Join(t.TempDir(), "profile.json")
	require.NoError(t, os.WriteFile(profile, []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`), 0o600))
	cu := newCleanup(c.ctx, engine.Discard)
	remote, err := c.hostFile(ctx, cu, profile, "seccomp_profile")
	require.NoError(t, err)
	assert.Regexp(t, `^/tmp/lcp-file-[0-9a-f]+/profile\.json$`, remote)
	got, err := os.ReadFile(remote) // the Podman host is this machine
	require.NoError(t, err)
	assert.Equal(t, `{"defaultAction":"SCMP_ACT_ALLOW"}`, string(got))
	var noErr error
	cu.finish(&noErr)
	_, err = os.Stat(filepath.Dir(remote))
	assert.True(t, os.IsNotExist(err), "the copy is gone from the Podman host: %v", err)

	apiChannels := strings.Count(srv.Log(), "server_request_direct_streamlocal:")
	assert.GreaterOrEqual(t, apiChannels, 2, "the API went through sshd to the Podman socket")
	c.close(engine.Discard)
	_, err = system.Version(c.ctx, nil)
	assert.Error(t, err, "closed: the ssh connection is gone")
}

// Podman's own connection settings, each pointing at the sshd: CONTAINER_HOST with
// CONTAINER_SSHKEY, containers.conf's active_service (podman 4), podman-connections.json's
// default (podman 5) and CONTAINER_CONNECTION.
func TestSSHConnectionFromPodmansSettings(t *testing.T) {
	e, srv, sock, ctx, ok := sshRemote(t)
	if !ok {
		return
	}
	connect := func(want string) {
		t.Helper()
		c, err := e.connect(ctx, engine.Connection{}, engine.Discard)
		require.NoError(t, err)
		defer c.close(engine.Discard)
		assert.Equal(t, srv.URI(sock), c.uri)
		assert.Contains(t, c.describe(), want)
		_, err = system.Version(c.ctx, nil)
		require.NoError(t, err)
	}

	t.Setenv("CONTAINER_HOST", srv.URI(sock))
	t.Setenv("CONTAINER_SSHKEY", srv.ClientKey)
	connect("(CONTAINER_HOST)")
	os.Unsetenv("CONTAINER_HOST")
	os.Unsetenv("CONTAINER_SSHKEY")

	conf := filepath.Join(t.TempDir(), "containers.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf("[engine]\nactive_service = \"lab\"\n[engine.service_destinations.lab]\nuri = %q\nidentity = %q\n",
		srv.URI(sock), srv.ClientKey)), 0o644))
	t.Setenv("CONTAINERS_CONF", conf)
	connect("(the default connection lab (containers.conf [engine] active_service))")

	require.NoError(t, os.WriteFile(os.Getenv("PODMAN_CONNECTIONS_CONF"), []byte(fmt.Sprintf(
		`{"Connection":{"Default":"lab5","Connections":{"lab5":{"URI":%q,"Identity":%q}}}}`, srv.URI(sock), srv.ClientKey)), 0o644))
	connect("(the default connection lab5 (" + os.Getenv("PODMAN_CONNECTIONS_CONF") + "))")

	t.Setenv("CONTAINER_CONNECTION", "lab")
	connect("(CONTAINER_CONNECTION=lab)")
}

// What is missing for a remote connection, said plainly: each failure names the problem and the
// fix, and nothing falls back to another service.
func TestSSHConnectionFailuresSayWhatIsMissing(t *testing.T) {
	e, srv, sock, ctx, ok := sshRemote(t)
	if !ok {
		return
	}

	otherKey := filepath.Join(t.TempDir(), "other")
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(otherKey, pem.EncodeToMemory(block), 0o600))
	locked := filepath.Join(t.TempDir(), "locked")
	block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(locked, pem.EncodeToMemory(block), 0o600))
	closed := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}()

	for _, tc := range []struct {
		name     string
		dest     destination
		knownBad bool
		code     engine.Code
		message  string
		fix      string
	}{
		{"a key the host does not know", destination{URI: srv.URI(sock), Identity: otherKey, Origin: "connection.uri"}, false,
			engine.CodeUnavailable, "refused the ssh key", "authorized_keys"},
		{"no key and no agent", destination{URI: srv.URI(sock), Origin: "connection.uri"}, false,
			engine.CodeFailedPrecondition, "no ssh key for " + srv.URI(sock), "--identity"},
		{"a key with a passphrase", destination{URI: srv.URI(sock), Identity: locked, Origin: "CONTAINER_HOST"}, false,
			engine.CodeFailedPrecondition, "is protected by a passphrase", "ssh-agent"},
		{"no Podman socket at the path", destination{URI: srv.URI("/run/nothing/podman.sock"), Identity: srv.ClientKey, Origin: "connection.uri"}, false,
			engine.CodeUnavailable, "no Podman service answers at /run/nothing/podman.sock on root@127.0.0.1:", "podman.socket"},
		{"podman machine not running", destination{URI: fmt.Sprintf("ssh://core@127.0.0.1:%d/run/user/501/podman/podman.sock", closed),
			Identity: srv.ClientKey, Machine: true, Name: "podman-machine-default-root", Origin: "the default connection podman-machine-default-root (x)"}, false,
			engine.CodeUnavailable, "podman machine podman-machine-default is not running", "podman machine start podman-machine-default"},
		{"nothing listens", destination{URI: fmt.Sprintf("ssh://root@127.0.0.1:%d/run/podman/podman.sock", closed), Identity: srv.ClientKey, Origin: "connection.uri"}, false,
			engine.CodeUnavailable, "nothing answers at root@127.0.0.1:", "sshd"},
		{"a host key other than the one known", destination{URI: srv.URI(sock), Identity: srv.ClientKey, Origin: "connection.uri"}, true,
			engine.CodeUnavailable, "is not the one ~/.ssh/known_hosts records", "ssh-keygen -R"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			known := filepath.Join(os.Getenv("HOME"), ".ssh", "known_hosts")
			require.NoError(t, os.MkdirAll(filepath.Dir(known), 0o700))
			content := ""
			if tc.knownBad {
				pub, _, err := ed25519.GenerateKey(rand.Reader)
				require.NoError(t, err)
				sp, err := ssh.NewPublicKey(pub)
				require.NoError(t, err)
				content = fmt.Sprintf("[127.0.0.1]:%d %s", srv.Port, ssh.MarshalAuthorizedKey(sp))
			}
			require.NoError(t, os.WriteFile(known, []byte(content), 0o600))
			_, err := e.connectTo(ctx, tc.dest, engine.Discard)
			ee := engine.AsError(err)
			require.NotNil(t, ee)
			assert.Equal(t, tc.code, ee.Code, "%v", err)
			assert.Contains(t, ee.Message, tc.message)
			assert.Contains(t, ee.Fix, tc.fix)
			if tc.dest.Origin == "connection.uri" && tc.code == engine.CodeUnavailable {
				assert.Equal(t, "connection.uri", ee.Field)
			}
		})
	}

	// doctor says the same in its podman check, naming the host.
	require.NoError(t, os.WriteFile(filepath.Join(os.Getenv("HOME"), ".ssh", "known_hosts"), nil, 0o600))
	o := engine.DoctorOptions{Common: engine.Common{Connection: engine.Connection{URI: srv.URI(sock), Identity: otherKey}, Timeout: time.Minute}}
	require.NoError(t, o.Validate())
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Doctor(ctx, o, s) })
	require.NoError(t, err, "an unreachable Podman is a failing check, not an error")
	assert.GreaterOrEqual(t, res.Doctor.Fail, 1)
	podman := checksOf(events)["podman"]
	assert.Equal(t, engine.CheckFail, podman.Status)
	assert.Contains(t, podman.Found, fmt.Sprintf("root@127.0.0.1:%d refused the ssh key", srv.Port))
	assert.Contains(t, podman.Fix, "authorized_keys")
}
