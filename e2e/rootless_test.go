package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// rootlessUser is the ordinary account hack/setup-host.sh prepares for rootless Podman.
const rootlessUser = "lcp-rootless"

// rootless is the rootless user as the tests run commands as it: runuser with a clean login-like
// environment, so nothing of root's (CONTAINER_HOST, XDG_*) leaks in and Podman uses the user's
// own storage and its default socket $XDG_RUNTIME_DIR/podman/podman.sock.
type rootless struct {
	runAs
	name string
}

func rootlessSetup(t *testing.T) rootless {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.Skip(t, "the rootless tests switch to the rootless user with runuser: run them as root")
	}
	u, err := user.Lookup(rootlessUser)
	if err != nil {
		testenv.Missing(t, "the rootless user "+rootlessUser, "run hack/setup-host.sh (make setup) as root")
	}
	testenv.LookPath(t, "runuser", "install util-linux")
	runtimeDir := "/run/user/" + u.Uid
	if _, err := os.Stat(runtimeDir); err != nil {
		testenv.Missing(t, runtimeDir, "run hack/setup-host.sh (make setup) as root")
	}
	return rootless{name: u.Username, runAs: runAs{as: []string{"runuser", "-u", u.Username, "--",
		"env", "-i", "HOME=" + u.HomeDir, "USER=" + u.Username, "XDG_RUNTIME_DIR=" + runtimeDir,
		"PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG=C.UTF-8"}}}
}

// shareBase puts root's local base image into the user's storage (podman save | podman load)
// unless the user already has that very image: much faster than building it again.
func (r rootless) shareBase(t *testing.T) {
	t.Helper()
	rootID := podmanLines(t, "image", "inspect", "--format", "{{.Id}}", baseImage)
	if out, err := r.command(context.Background(), "podman", "image", "inspect", "--format", "{{.Id}}", baseImage).Output(); err == nil && strings.TrimSpace(string(out)) == rootID[0] {
		t.Logf("the rootless user's storage has %s (%.12s) already", baseImage, rootID[0])
		return
	}
	start := time.Now()
	load := strings.Join(append(quoteAll(r.as), "podman", "load", "-q"), " ")
	cmd := exec.Command("bash", "-o", "pipefail", "-c", "podman save --format oci-archive "+baseImage+" | "+load)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "podman save | podman load as %s:\n%s", r.name, out)
	t.Logf("shared %s with %s: podman save | podman load in %v", baseImage, r.name, time.Since(start).Round(time.Millisecond))
	// podman load names an OCI archive's image after its reference; make sure it is the same one.
	require.Equal(t, rootID, r.podman(t, "image", "inspect", "--format", "{{.Id}}", baseImage))
}

func quoteAll(args []string) []string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return q
}

// workdir copies the CLI with its plugin, the WAR and the sample's server configuration to a
// directory the rootless user may read (the test binaries' directory is root's, mode 0700).
func (r *rootless) workdir(t *testing.T, cli, war string) string {
	t.Helper()
	// Not t.TempDir(): its parent directory is root's alone (mode 0700).
	dir, err := os.MkdirTemp("", "rootless-e2e-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	copyFile := func(src, dst string, mode os.FileMode) {
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, b, mode))
		require.NoError(t, os.Chmod(dst, mode))
	}
	copyFile(cli, filepath.Join(dir, "liberty-checkpoint"), 0o755)
	copyFile(filepath.Join(filepath.Dir(cli), "liberty-checkpoint-plugin"), filepath.Join(dir, "liberty-checkpoint-plugin"), 0o755)
	copyFile(war, filepath.Join(dir, "sample.war"), 0o644)
	conf := filepath.Join(testenv.RepoRoot(t), "sample/src/main/liberty/config")
	entries, err := os.ReadDir(conf)
	require.NoError(t, err)
	for _, e := range entries {
		if !e.IsDir() {
			copyFile(filepath.Join(conf, e.Name()), filepath.Join(dir, "config", e.Name()), 0o644)
		}
	}
	r.dir = dir
	return filepath.Join(dir, "liberty-checkpoint")
}

var jvmUptime = regexp.MustCompile(`jvm uptime (\d+) ms`)

// The whole chain as an ordinary user with rootless Podman: checkpoint-image of the sample on the
// local base (shared from root's storage), restore with least privilege through rootless
// networking, HTTP 200 from a JVM older than the restore, doctor's rootless checks, nothing left.
func TestRootlessEndToEnd(t *testing.T) {
	r := rootlessSetup(t)
	cli, war := sampleSetup(t)
	r.shareBase(t)
	cli = r.workdir(t, cli, war)
	// The sample on a free port rather than 9080: its restore in the host's network (2b) listens on
	// the host's own port. (The port is fixed at checkpoint time: a restored JVM keeps the
	// checkpoint run's environment and configuration.)
	port := freePort(t)
	xml := filepath.Join(r.dir, "config", "server.xml")
	b, err := os.ReadFile(xml)
	require.NoError(t, err)
	require.Contains(t, string(b), `httpPort="9080"`)
	require.NoError(t, os.WriteFile(xml, []byte(strings.Replace(string(b), `httpPort="9080"`, `httpPort="`+port+`"`, 1)), 0o644))
	before := r.leftovers(t)
	image := "localhost/lcp-e2e-rootless:" + randomID()
	t.Cleanup(func() { _ = r.command(context.Background(), "podman", "rmi", "-f", image).Run() })

	// 1. The InstantOn image, built and checkpointed by the user (with no Podman service running,
	// the tool starts a transient one as the user). The checkpoint run is in the host's network,
	// as where slirp4netns cannot run; its restores below are in either network.
	start := time.Now()
	events, code := r.cliEvents(t, cli, "checkpoint-image", "--base-image", baseImage,
		"--app-archive", "sample.war", "--config-directory", "config", "--image", image, "--phase", "afterAppStart",
		"--network", "host")
	require.Equal(t, 0, code)
	t.Logf("rootless checkpoint-image: %v", time.Since(start).Round(time.Millisecond))
	result := events[len(events)-1].GetResult()
	require.NotNil(t, result)
	assert.Equal(t, []string{"containerize", "checkpoint", "commit"}, doneSteps(events))
	assert.Greater(t, result.GetCheckpointSizeBytes(), int64(1<<20))
	require.Equal(t, []string{image}, r.podman(t, "images", "--format", "{{.Repository}}:{{.Tag}}", "--filter", "reference="+image),
		"the image is in the user's own storage")

	// 2. Restore through rootless networking (the port published on the loopback), and a JVM
	// older than the restore command: it started in the checkpoint run.
	body, restoreStart := r.restoreSampleOn(t, cli, image, port)
	m := jvmUptime.FindStringSubmatch(body)
	require.NotNil(t, m, "the sample reports its JVM's uptime: %s", body)
	uptime, _ := strconv.ParseInt(m[1], 10, 64)
	assert.Greater(t, uptime, time.Since(restoreStart).Milliseconds(), "a cold-started JVM cannot be older than its container")

	// 2b. Restore in the host's network, asked for: nothing published, the server on the host's
	// own (free) port on the loopback, found there by the readiness probe.
	r.restoreHostNetwork(t, cli, image, port)

	// 3. doctor as the user: the rootless checks pass on this machine's setup.
	events, code = r.cliEvents(t, cli, "doctor", "--image", image)
	checks := map[string]*pb.Check{}
	for _, ev := range events {
		if c := ev.GetCheck(); c != nil {
			checks[c.GetId()] = c
			t.Logf("doctor %-18s %-12s %s", c.GetId(), c.GetStatus(), c.GetFound())
		}
	}
	assert.Equal(t, 0, code, "doctor finds nothing failing")
	for _, id := range []string{"rootless.userns", "rootless.network", "storage.driver", "criu.dump", "criu.restore"} {
		require.Contains(t, checks, id)
		assert.Equal(t, pb.Check_STATUS_OK, checks[id].GetStatus(), "%s: %s", id, checks[id].GetFound())
	}
	assert.Contains(t, checks["rootless.userns"].GetFound(), "rootless: a user namespace of")
	assert.Contains(t, checks["storage.driver"].GetFound(), "overlay (the kernel's own)")
	assert.Contains(t, checks, "rootless.cgroups")

	// 4. Nothing of the tool's is left in the user's storage.
	assert.Equal(t, before, r.leftovers(t))
}

// freePort is a TCP port free on the loopback just now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// restoreHostNetwork restores image, whose server listens on port, as the rootless user with
// --network host: no port is published (the container has no port mapping and shares the host's
// network namespace), the server answers on the host's port itself, and it restored. A port that
// something on the host answers on already is refused first.
func (r rootless) restoreHostNetwork(t *testing.T, cli, image, port string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	events, code := r.cliEvents(t, cli, "restore", "--image", image, "--network", "host", "--publish", port, "--ready-url", "/sample/hello")
	require.Equal(t, 1, code)
	failure := events[len(events)-1].GetError()
	require.NotNil(t, failure)
	assert.Equal(t, "ports[0]", failure.GetField())
	assert.Contains(t, failure.GetMessage(), "answers there already")
	require.NoError(t, l.Close())

	events, code = r.cliEvents(t, cli, "restore", "--image", image, "--network", "host", "--publish", port, "--ready-url", "/sample/hello",
		"--keep-running", "--disable-recovery")
	require.Equal(t, 0, code)
	result := events[len(events)-1].GetResult()
	name := result.GetContainerName()
	require.NotEmpty(t, name)
	t.Cleanup(func() { _ = r.command(context.Background(), "podman", "rm", "-f", name).Run() })
	restore := result.GetRestore()
	assert.Equal(t, pb.RestoreOutcome_VERDICT_RESTORED, restore.GetVerdict(), restore.GetEvidence())
	assert.EqualValues(t, 200, restore.GetHttpStatus())
	assert.Equal(t, "http://127.0.0.1:"+port+"/sample/hello", restore.GetUrl())
	t.Logf("restore in the host's network: ready in %v ms on %s", restore.GetReadyMs(), restore.GetUrl())
	var said bool
	for _, ev := range events {
		if m := ev.GetLog().GetLine(); strings.Contains(m, "network host") && strings.Contains(m, "nothing is published") {
			said = true
		}
	}
	assert.True(t, said, "the restore says that nothing is published")
	inspect := r.podman(t, "inspect", "--format", "{{.HostConfig.NetworkMode}} {{len .HostConfig.PortBindings}} {{.HostConfig.Privileged}} {{.EffectiveCaps}}", name)
	require.Len(t, inspect, 1)
	assert.Equal(t, "host 0 false [CAP_CHECKPOINT_RESTORE CAP_SETPCAP]", inspect[0])
	body := httpGet(t, restore.GetUrl())
	assert.Contains(t, body, sampleGreeting)
	p := restore.GetServerProcess()
	require.NotNil(t, p)
	assert.Less(t, p.GetStartedMs(), p.GetContainerCreatedMs(), "the restored JVM is older than its container")
	r.podman(t, "rm", "-f", name)
}
