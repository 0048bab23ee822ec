package podman

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/podmanservice"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testregistry"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// testRegistry is Debian's docker-registry on a free loopback port with TLS and htpasswd
// (internal/testregistry, which the Maven and Gradle real chains start too).
type testRegistry struct{ *testregistry.Registry }

func (r *testRegistry) creds() engine.Registry {
	return engine.Registry{Creds: r.Creds(), CertDir: r.CertDir}
}

func startRegistry(t *testing.T) *testRegistry {
	t.Helper()
	bin := testenv.LookPath(t, "docker-registry", "run hack/setup-host.sh (it installs Debian's docker-registry package)")
	return &testRegistry{testregistry.Start(t, bin)}
}

// podmanService runs `podman system service` with extra global flags (another store) and the
// test CA trusted (SSL_CERT_FILE: as an administrator's /etc/containers/certs.d/<host>/ca.crt
// would, without touching the machine's configuration), and returns its URI.
func podmanService(t *testing.T, caFile string, global ...string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "lcp-push-svc-")
	require.NoError(t, err)
	logf, err := os.Create(filepath.Join(dir, "service.log"))
	require.NoError(t, err)
	svc, err := podmanservice.Start(context.Background(), podmanservice.Options{
		Socket: filepath.Join(dir, "podman.sock"), Global: global,
		Env: append(localEnv(), "SSL_CERT_FILE="+caFile), Stderr: logf})
	t.Cleanup(func() {
		if svc != nil {
			svc.Stop(15 * time.Second)
		}
		logf.Close()
		os.RemoveAll(dir)
	})
	require.NoError(t, err, "podman %s system service", strings.Join(global, " "))
	return svc.URI()
}

// secondHost is another Podman store on this machine (its own --root, --runroot and --tmpdir,
// and its own service): a host that holds none of the first one's images.
type secondHost struct {
	uri    string
	global []string
}

func newSecondHost(t *testing.T, caFile string) *secondHost {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "lcp-second-host-")
	require.NoError(t, err)
	h := &secondHost{global: []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "runroot"),
		"--tmpdir", filepath.Join(dir, "tmp")}}
	t.Cleanup(func() {
		// Its own store only: every image and container in it is the test's.
		if out, err := h.cli("rm", "-a", "-f", "-t", "0").CombinedOutput(); err != nil {
			t.Logf("second host: podman rm: %v: %s", err, out)
		}
		if out, err := h.cli("rmi", "-a", "-f").CombinedOutput(); err != nil {
			t.Logf("second host: podman rmi: %v: %s", err, out)
		}
		unmountUnder(dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("second host: removing its store: %v", err)
		}
	})
	h.uri = podmanService(t, caFile, h.global...)
	return h
}

func (h *secondHost) cli(args ...string) *exec.Cmd { return cli(append(h.global, args...)...) }

func (h *secondHost) engine() *Engine {
	e := New("test")
	e.DefaultSockets = []string{h.uri}
	return e
}

// unmountUnder unmounts what is still mounted below dir (overlay layers of the store).
func unmountUnder(dir string) {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return
	}
	lines := strings.Split(string(data), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if f := strings.Fields(lines[i]); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			_ = syscall.Unmount(f[1], syscall.MNT_DETACH)
		}
	}
}

// TestPushAndRestoreOnAnotherHost pushes the shared InstantOn image to a real registry with TLS
// and authentication, restores it on a second Podman store that pulls it from there, checks the
// digest, and covers the registry failures and a host mismatch caught before any container runs.
func TestPushAndRestoreOnAnotherHost(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	reg := startRegistry(t)
	ctx := context.Background()
	trusting := New("test")
	trusting.DefaultSockets = []string{podmanService(t, reg.CAFile)}
	dest := reg.Addr + "/lcp/sample:1"

	pushOpts := func(dest string, r engine.Registry) engine.PushOptions {
		o := engine.PushOptions{Image: sharedImage, Destination: dest, Registry: r}
		require.NoError(t, o.Validate())
		return o
	}
	imagesBefore := podmanCLI(t, "images", "-q", "--no-trunc")

	var digest string
	t.Run("push", func(t *testing.T) {
		res, events, err := record(func(s engine.Sink) (*engine.Result, error) {
			return trusting.Push(ctx, pushOpts(dest, reg.creds()), s)
		})
		require.NoError(t, err, logLines(events))
		enginetest.CheckEventContract(t, events)
		assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, res.ImageDigest)
		assert.Equal(t, dest, res.PushedTo)
		assert.NotContains(t, logLines(events), reg.Password, "the password never reaches an event")
		digest = res.ImageDigest
		t.Logf("pushed %s (%s) in %s: %s", sharedImage, res.ImageID, res.Timings[0].Duration, res.ImageDigest)
		got, err := registryDigest(ctx, dest, reg.creds())
		require.NoError(t, err)
		assert.Equal(t, digest, got, "the registry serves the digest push reported")
	})
	require.NotEmpty(t, digest, "the push must work for the rest")
	assert.Equal(t, imagesBefore, podmanCLI(t, "images", "-q", "--no-trunc"), "push creates no local image")

	t.Run("wrong password", func(t *testing.T) {
		r := engine.Registry{Creds: reg.User + ":not-the-password"}
		_, events, err := record(func(s engine.Sink) (*engine.Result, error) {
			return trusting.Push(ctx, pushOpts(reg.Addr+"/lcp/denied:1", r), s)
		})
		e := requireFailure(t, err, engine.CodeUnauthenticated, "registry.creds")
		assert.Contains(t, e.Fix, "podman login")
		assert.NotContains(t, e.Error()+logLines(events), "not-the-password")
		_, err = registryDigest(ctx, reg.Addr+"/lcp/denied:1", reg.creds())
		assert.Error(t, err, "a refused push leaves no tag in the registry")
	})
	t.Run("unknown host", func(t *testing.T) {
		_, err := trusting.Push(ctx, pushOpts("lcp-no-such-registry.invalid/lcp/sample:1", reg.creds()), engine.Discard)
		e := requireFailure(t, err, engine.CodeNotFound, "destination")
		assert.Contains(t, e.Message, "does not resolve")
	})
	t.Run("untrusted CA", func(t *testing.T) {
		// The tests' own service does not trust the test CA, and no certDir says it.
		r := reg.creds()
		r.CertDir = ""
		_, err := te.engine().Push(ctx, pushOpts(dest, r), engine.Discard)
		e := requireFailure(t, err, engine.CodeFailedPrecondition, "registry.cert_dir")
		assert.Contains(t, e.Message, "is not trusted")
		assert.Contains(t, e.Fix, "certDir (--cert-dir)")
		assert.Contains(t, e.Fix, "/etc/containers/certs.d/"+reg.Addr)
	})
	t.Run("cert-dir governs Podman's push", func(t *testing.T) {
		// The same service, with --tls-verify=true and --cert-dir: Podman's own connection to the
		// registry trusts the CA for this push, and nothing of it stays in certs.d.
		r := reg.creds()
		verify := true
		r.TLSVerify = &verify
		res, err := te.engine().Push(ctx, pushOpts(reg.Addr+"/lcp/certdir:1", r), engine.Discard)
		require.NoError(t, err)
		assert.Equal(t, digest, res.ImageDigest)
		for _, d := range certsDirs() {
			assert.NoDirExists(t, filepath.Join(d, reg.Addr), "the lent certificates are taken back")
		}
	})
	t.Run("checkpoint-image push step keeps the image on failure", func(t *testing.T) {
		tagged := reg.Addr + "/lcp/chain:1"
		podmanCLI(t, "tag", sharedImage, tagged)
		t.Cleanup(func() { removeImageCLI(tagged) })
		o := engine.CheckpointImageOptions{Image: tagged, Push: true, Registry: engine.Registry{Creds: reg.User + ":wrong"}}
		pushStep := func() (*engine.Result, error) {
			return trusting.call(ctx, engine.OpCheckpointImage, o.Connection, time.Minute, engine.Discard, func(ctx context.Context, c *conn) (*engine.Result, error) {
				return pushBuilt(ctx, c, engine.Discard, o, &engine.Result{Image: tagged})
			})
		}
		_, err := pushStep()
		e := engine.AsError(err)
		require.NotNil(t, e)
		assert.Equal(t, engine.CodeUnauthenticated, e.Code, e.Error())
		assert.Contains(t, e.Message, "is built and kept")
		assert.NoError(t, cli("image", "exists", tagged).Run(), "the built image stays")
		o.Registry = reg.creds()
		res, err := pushStep()
		require.NoError(t, err)
		assert.Equal(t, digest, res.ImageDigest, "the same image pushed to another repository has the same manifest")
	})

	second := newSecondHost(t, reg.CAFile)
	t.Run("restore on another host", func(t *testing.T) {
		require.Error(t, second.cli("image", "exists", dest).Run(), "the second host starts without the image")
		o := engine.RestoreOptions{Image: dest, Ports: []engine.Port{{ContainerPort: 9080}}, DisableRecovery: true,
			Registry: reg.creds()}
		require.NoError(t, o.Validate())
		res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return second.engine().Restore(ctx, o, s) })
		require.NoError(t, err, logLines(events))
		require.NotNil(t, res.Restore)
		assert.Equal(t, engine.Restored, res.Restore.Verdict, res.Restore.Evidence)
		assert.Equal(t, 200, res.Restore.HTTPStatus)
		assert.NotContains(t, logLines(events), reg.Password)
		out, err := second.cli("image", "inspect", "--format", "{{.Digest}}", dest).Output()
		require.NoError(t, err)
		assert.Equal(t, digest, strings.TrimSpace(string(out)), "the second host pulled what was pushed")
		t.Logf("restored on the second host in %d ms", res.Restore.Ready.Milliseconds())
	})
	t.Run("missing repository", func(t *testing.T) {
		o := engine.RestoreOptions{Image: reg.Addr + "/lcp/nope:1", Registry: reg.creds()}
		require.NoError(t, o.Validate())
		_, err := second.engine().Restore(ctx, o, engine.Discard)
		e := requireFailure(t, err, engine.CodeNotFound, "image")
		assert.Contains(t, e.Message, "no such repository or tag")
	})
	t.Run("host mismatch caught before any container", func(t *testing.T) {
		// A copy of the image as if checkpointed on a CPU with a feature this one lacks and on a
		// newer kernel.
		copyRef := testImagePrefix + "-mismatch:1"
		build := cli("build", "-q", "-t", copyRef, "-f", "-", te.dir)
		build.Stdin = strings.NewReader(fmt.Sprintf("FROM %s\nLABEL %s=\"fpu lcp_fake_flag\" %s=\"99.1.0-future\"\n",
			sharedImage, engine.LabelCPUFlags, engine.LabelKernel))
		out, err := build.CombinedOutput()
		require.NoError(t, err, "%s", out)
		t.Cleanup(func() { removeImageCLI(copyRef) })

		o := engine.RestoreOptions{Image: copyRef, Ports: []engine.Port{{ContainerPort: 9080}}, DisableRecovery: true}
		require.NoError(t, o.Validate())
		_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Restore(ctx, o, s) })
		e := engine.AsError(err)
		require.NotNil(t, e, logLines(events))
		assert.Equal(t, engine.CodeFailedPrecondition, e.Code, e.Error())
		assert.Contains(t, e.Error(), "lcp_fake_flag")
		assert.Contains(t, e.Message, "checked before starting a container")
		assert.Contains(t, logLines(events), "image.kernel: checkpointed on Linux 99.1.0-future, restoring on the older Linux")
		assert.Empty(t, podmanCLI(t, "ps", "-a", "--filter", "ancestor="+copyRef, "--format", "{{.Names}}"), "no container was created")
		assert.Empty(t, createdNames(events))

		d := engine.DoctorOptions{Image: copyRef, MemoryLimit: engine.MemoryLimit{Memory: "1g"}}
		require.NoError(t, d.Validate())
		dres, devents, err := record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Doctor(ctx, d, s) })
		require.NoError(t, err)
		checks := map[string]engine.Check{}
		for _, ev := range devents {
			if ev.Check != nil {
				checks[ev.Check.ID] = *ev.Check
			}
		}
		assert.Equal(t, engine.CheckFail, checks["image.cpu"].Status, checks["image.cpu"].Found)
		assert.Contains(t, checks["image.cpu"].Found, "SIGILL")
		assert.Equal(t, engine.CheckWarn, checks["image.kernel"].Status, checks["image.kernel"].Found)
		assert.Equal(t, engine.CheckOK, checks["image.memory"].Status, checks["image.memory"].Found)
		assert.Contains(t, checks["image.memory"].Found, "memory limit 1.1 GB covers the server's memory (at checkpoint time: RSS ")
		assert.Positive(t, dres.Doctor.Fail)

		// The RSS the checkpoint run printed is on the image, and a restore limit below it is
		// refused before a container runs.
		rss, err := strconv.ParseInt(inspectImageCLI(t, copyRef).Config.Labels[engine.LabelMemoryRSS], 10, 64)
		require.NoError(t, err, "the memory label")
		assert.Greater(t, rss, int64(1<<20))
		small := engine.RestoreOptions{Image: sharedImage, DisableRecovery: true, MemoryLimit: engine.MemoryLimit{Memory: strconv.FormatInt(max(rss/2, 6<<20), 10)}}
		require.NoError(t, small.Validate())
		if small.MemoryBytes < rss {
			_, err = te.engine().Restore(ctx, small, engine.Discard)
			e := engine.AsError(err)
			require.NotNil(t, e)
			assert.Equal(t, "memory", e.Field, e.Error())
			assert.Contains(t, e.Error(), "OOM-killed")
			assert.Empty(t, podmanCLI(t, "ps", "-a", "--filter", "ancestor="+sharedImage, "--format", "{{.Names}}"), "no container was created")
		}
	})
}

// requireFailure checks that err is an engine error with code on field, and returns it.
func requireFailure(t *testing.T, err error, code engine.Code, field string) *engine.Error {
	t.Helper()
	e := engine.AsError(err)
	require.NotNil(t, e, "an error")
	assert.Equal(t, code, e.Code, e.Error())
	assert.Equal(t, field, e.Field, e.Error())
	return e
}
