package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testssh"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// remoteTool runs the CLI as a remote client would: in a mount namespace where this machine's
// Podman is out of reach (an empty /run hides every default socket, the test's own Podman
// socket is hidden too, and the podman binary is /dev/null, so no transient service can start),
// with CONTAINER_HOST unset and a home of its own. Only the sshd on 127.0.0.1 leads to Podman.
type remoteTool struct {
	cli, home, hide string
	env             []string
}

func (r remoteTool) run(t *testing.T, extraEnv []string, args ...string) ([]*pb.Event, int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	script := `set -e
mount -t tmpfs lcp-no-podman /run
mount -t tmpfs lcp-no-podman "$LCP_HIDE"
mount --bind /dev/null "$(command -v podman)"
exec "$@"`
	cmd := exec.CommandContext(ctx, "unshare", append([]string{"--mount", "--propagation", "private", "--", "sh", "-c", script, "sh", r.cli},
		append(args, "--output", "json")...)...)
	cmd.Dir = testenv.RepoRoot(t)
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINER_SSHKEY", "CONTAINERS_CONF", "PODMAN_CONNECTIONS_CONF",
			"SSH_AUTH_SOCK", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "HOME":
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(append(cmd.Env, "HOME="+r.home, "LCP_HIDE="+r.hide), append(r.env, extraEnv...)...)
	return runEvents(t, cmd)
}

// remoteLeftovers is what the tool could leave on the Podman host: its containers, its
// temporary, probe and doctor images, and files it copies there.
func remoteLeftovers(t *testing.T) []string {
	l := append(leftovers(t), podmanLines(t, "images", "--filter", "reference=localhost/lcp-*-probe*", "--format", "image {{.Repository}}:{{.Tag}}")...)
	files, _ := filepath.Glob("/tmp/lcp-file-*")
	for _, f := range files {
		l = append(l, "file "+f)
	}
	return l
}

// sshSessions are the processes sshd runs for its clients (its own children).
func sshSessions(t *testing.T, srv *testssh.Server) []string {
	pid, err := os.ReadFile(filepath.Join(srv.Dir, "sshd.pid"))
	require.NoError(t, err)
	out, _ := exec.Command("pgrep", "-a", "-P", strings.TrimSpace(string(pid))).Output()
	return strings.Fields(strings.TrimSpace(string(out)))
}

// The whole chain against a Podman reached only over ssh (issue 18): checkpoint-image of the
// sample, a restore with its readiness check, the restored verdict, doctor, and nothing left on
// the Podman host. Each command finds the service another of Podman's ways: --podman-url with
// --identity, podman system connection's default (podman-connections.json), and
// CONTAINER_CONNECTION naming a connection of containers.conf.
func TestSampleOverSSH(t *testing.T) {
	cli, war := sampleSetup(t)
	testenv.LookPath(t, "unshare", "install util-linux")
	srv := testssh.Start(t)
	sock := testssh.PodmanService(t)
	uri := srv.URI(sock)
	home := t.TempDir()
	tool := remoteTool{cli: cli, home: home, hide: filepath.Dir(sock)}
	before := remoteLeftovers(t)
	id := randomID()
	image := "localhost/lcp-e2e-remote:" + id
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })

	// 1. checkpoint-image, told where: --podman-url and --identity.
	events, code, logs := tool.run(t, nil, "checkpoint-image", "--podman-url", uri, "--identity", srv.ClientKey,
		"--base-image", baseImage, "--app-archive", war, "--config-directory", "sample/src/main/liberty/config", "--image", image)
	require.Equal(t, 0, code)
	result := events[len(events)-1].GetResult()
	require.NotNil(t, result)
	assert.Equal(t, []string{"containerize", "checkpoint", "commit"}, doneSteps(events))
	assert.Greater(t, result.GetCheckpointSizeBytes(), int64(1<<20))
	assert.Contains(t, logs, "Podman at "+uri+" (connection.uri), over ssh")
	assert.NotContains(t, logs, "transient")
	assert.Contains(t, logs, "read the CPU flags of the Podman host "+uri, "the CPU flags come from a probe container on the Podman host")
	labels := imageLabels(t, image)
	assert.NotEmpty(t, labels[engine.LabelKernel])
	assert.NotEmpty(t, labels[engine.LabelCPUFlags])
	known, err := os.ReadFile(filepath.Join(home, ".ssh", "known_hosts"))
	require.NoError(t, err, "podman's client records the host key on first use")
	assert.Contains(t, string(known), fmt.Sprintf("[127.0.0.1]:%d", srv.Port))

	// 2. restore, through podman system connection's default (podman 5's file), with Podman's
	// default seccomp profile (copied to the Podman host for the call): restored, and the
	// readiness probe reached the host's 127.0.0.1 through the ssh connection.
	conns := filepath.Join(home, ".config", "containers", "podman-connections.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(conns), 0o700))
	require.NoError(t, os.WriteFile(conns, []byte(fmt.Sprintf(`{"Connection":{"Default":"lab","Connections":{"lab":{"URI":%q,"Identity":%q}}}}`,
		uri, srv.ClientKey)), 0o600))
	events, code, logs = tool.run(t, nil, "restore", "--image", image, "--publish", "127.0.0.1::9080", "--ready-url", "/sample/hello",
		"--disable-recovery", "--seccomp-profile", "/usr/share/containers/seccomp.json")
	require.Equal(t, 0, code)
	restore := events[len(events)-1].GetResult().GetRestore()
	assert.Equal(t, pb.RestoreOutcome_VERDICT_RESTORED, restore.GetVerdict())
	assert.Contains(t, restore.GetEvidence(), engine.MsgRestored)
	assert.EqualValues(t, 200, restore.GetHttpStatus())
	assert.Contains(t, logs, "(the default connection lab ("+conns+")), over ssh")
	assert.Contains(t, logs, "probing it from there, through the ssh connection")
	u, err := url.Parse(restore.GetUrl())
	require.NoError(t, err)
	port, _ := strconv.Atoi(u.Port())
	assert.True(t, srv.ForwardedTCP("127.0.0.1", port), "the readiness probe went through sshd to %s", restore.GetUrl())
	t.Logf("restore over ssh: ready in %d ms", restore.GetReadyMs())

	// 3. doctor --image, through CONTAINER_CONNECTION and a connection of containers.conf: it
	// checks the Podman host (in probe containers there) and says which.
	conf := filepath.Join(home, "containers.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf("[engine]\n[engine.service_destinations.lab4]\nuri = %q\nidentity = %q\n", uri, srv.ClientKey)), 0o600))
	events, code, _ = tool.run(t, []string{"CONTAINERS_CONF=" + conf, "CONTAINER_CONNECTION=lab4"}, "doctor", "--image", image)
	checks := map[string]*pb.Check{}
	for _, ev := range events {
		if c := ev.GetCheck(); c != nil {
			checks[c.GetId()] = c
		}
	}
	for id, c := range checks {
		assert.NotEqual(t, pb.Check_STATUS_FAIL, c.GetStatus(), "%s: %s (fix: %s)", id, c.GetFound(), c.GetFix())
	}
	assert.Equal(t, 0, code)
	assert.Contains(t, checks["podman"].GetFound(), uri+" (CONTAINER_CONNECTION=lab4)")
	assert.Contains(t, checks["podman"].GetFound(), "another machine")
	assert.Contains(t, checks["kernel.version"].GetFound(), "cap_last_cap", "read in a probe container on the Podman host")
	assert.Equal(t, pb.Check_STATUS_OK, checks["image.cpu"].GetStatus(), checks["image.cpu"].GetFound())
	assert.Equal(t, pb.Check_STATUS_OK, checks["criu.restore"].GetStatus(), checks["criu.restore"].GetFound())

	// 4. Nothing left on the Podman host, no ssh session open, and the restored sample answered
	// (it was removed after the readiness check: the restore did not keep it running).
	assert.Equal(t, before, remoteLeftovers(t))
	require.Eventually(t, func() bool { return len(sshSessions(t, srv)) == 0 }, 10*time.Second, 100*time.Millisecond,
		"sshd sessions left: %v", sshSessions(t, srv))
	resp, err := http.Get(restore.GetUrl())
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	assert.Error(t, err, "the restored container is gone")
}
