package betaimage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// The local flavor end to end, with the podman CLI, the way the engine will drive it: build the
// base image (rootfs.sh + context.sh + podman build), the sample app image, checkpoint it with
// WLP_CHECKPOINT, commit, then restore with least privilege, fall back without
// CHECKPOINT_RESTORE, refuse with CRIU_RESTORE_DISABLE_RECOVERY, and time cold start against
// restore to the first HTTP 200. Needs podman, mvn and network access to Maven Central (or the
// cache in ~/.cache/liberty-checkpoint); a missing tool skips the test, except under CI=1.
// LCP_BENCH_RUNS (default 3) sets how many timed runs of each kind.

// sampleGreeting is the first line of the sample's answer (sample/.../HelloServlet.java).
const sampleGreeting = "Hello from the liberty-checkpoint sample"

func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		testenv.LookPath(t, tool, "run hack/setup-host.sh")
	}
}

type e2e struct {
	t          *testing.T
	id         string
	containers []string
	images     []string
}

// cmd runs a command with a timeout and returns its combined output.
func (e *e2e) cmd(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	return out.String(), err
}

func (e *e2e) must(timeout time.Duration, name string, args ...string) string {
	e.t.Helper()
	out, err := e.cmd(timeout, name, args...)
	require.NoError(e.t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return out
}

func (e *e2e) image(kind string) string {
	ref := fmt.Sprintf("localhost/lcp-image-test-%s:%s", kind, e.id)
	e.images = append(e.images, ref)
	return ref
}

func (e *e2e) container(kind string) string {
	name := fmt.Sprintf("lcp-image-test-%s-%s", kind, e.id)
	e.containers = append(e.containers, name)
	return name
}

// newE2E returns an e2e with a random id that cleans up after t.
func newE2E(t *testing.T) *e2e {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	e := &e2e{t: t, id: hex.EncodeToString(b)}
	t.Cleanup(e.cleanup)
	return e
}

func (e *e2e) cleanup() {
	for _, c := range e.containers {
		_, _ = e.cmd(30*time.Second, "podman", "rm", "-f", "-t", "0", c)
	}
	for i := len(e.images) - 1; i >= 0; i-- {
		_, _ = e.cmd(30*time.Second, "podman", "rmi", "-f", e.images[i])
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

var uptimeRE = regexp.MustCompile(`jvm uptime (\d+) ms`)

// served is one timed run: time from `podman run` to the first HTTP 200 carrying the greeting,
// the JVM's uptime as the app reports it, and the container's log.
type served struct {
	elapsed  time.Duration
	uptimeMS int
	logs     string
}

// serve starts image with the given podman run options and waits for the sample's answer.
func (e *e2e) serve(kind, image string, opts ...string) served {
	e.t.Helper()
	name := e.container(kind)
	port := freePort(e.t)
	args := append([]string{"run", "-d", "--name", name, "-p", fmt.Sprintf("127.0.0.1:%d:9080", port)}, opts...)
	args = append(args, image)
	url := fmt.Sprintf("http://127.0.0.1:%d/sample/hello", port)
	client := &http.Client{Timeout: 2 * time.Second}

	start := time.Now()
	e.must(time.Minute, "podman", args...)
	var body string
	for deadline := start.Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		resp, err := client.Get(url)
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && strings.HasPrefix(string(b), sampleGreeting) {
			body = string(b)
			break
		}
	}
	elapsed := time.Since(start)
	time.Sleep(300 * time.Millisecond) // let the log catch up
	logs, _ := e.cmd(30*time.Second, "podman", "logs", name)
	require.NotEmpty(e.t, body, "no HTTP 200 from %s within 90s; logs:\n%s", url, logs)
	m := uptimeRE.FindStringSubmatch(body)
	require.NotNil(e.t, m, body)
	up, _ := strconv.Atoi(m[1])

	stopOut, err := e.cmd(time.Minute, "podman", "stop", "-t", "20", name)
	require.NoError(e.t, err, stopOut)
	code := strings.TrimSpace(e.must(30*time.Second, "podman", "inspect", "--format", "{{.State.ExitCode}}", name))
	logs, _ = e.cmd(30*time.Second, "podman", "logs", name)
	assert.Contains(e.t, []string{"0", "143"}, code, "the server stops cleanly on podman stop; logs:\n%s", logs)
	e.must(30*time.Second, "podman", "rm", name)
	return served{elapsed: elapsed, uptimeMS: up, logs: logs}
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func TestLocalFlavorProtocol(t *testing.T) {
	requireTools(t, "podman", "mvn", "curl", "bash")
	testenv.SkipIfShort(t, "the local-flavor end-to-end test (it builds images, about a minute)")
	e := newE2E(t)
	runs := 3
	if v, err := strconv.Atoi(os.Getenv("LCP_BENCH_RUNS")); err == nil && v > 0 {
		runs = v
	}
	tmp := t.TempDir()

	// The base image, built the way `make base-local` builds it.
	// rootfs.sh prints the image reference as its last line; its progress (on stderr, which
	// must merges in) shows only when it has to debootstrap, as on a fresh machine.
	rootfsOut := strings.Split(strings.TrimSpace(e.must(10*time.Minute, "bash", "local/rootfs.sh", "liberty")), "\n")
	rootfs := strings.TrimSpace(rootfsOut[len(rootfsOut)-1])
	t.Logf("rootfs image %s", rootfs)
	ctxDir := filepath.Join(tmp, "base-context")
	e.must(10*time.Minute, "bash", "local/context.sh", ctxDir)
	base := e.image("base")
	e.must(10*time.Minute, "podman", "build", "-q", "--layers=false", "--build-arg", "ROOTFS_IMAGE="+rootfs, "-t", base, ctxDir)
	labels := e.must(time.Minute, "podman", "image", "inspect", "--format", `{{index .Labels "org.opencontainers.image.description"}}`, base)
	assert.Contains(t, labels, "local flavor: HotSpot + criu dump, not the UBI/OpenJ9 image")
	caps := e.must(time.Minute, "podman", "run", "--rm", "--entrypoint", "getcap", base, "/opt/criu/checkpoint/criu", "/opt/criu/restore/criu")
	assert.Contains(t, caps, "/opt/criu/checkpoint/criu cap_setpcap,cap_sys_ptrace,cap_checkpoint_restore=eip")
	assert.Contains(t, caps, "/opt/criu/restore/criu cap_setpcap,cap_checkpoint_restore=eip")

	// The sample's app image (a copy of sample/, so the tree stays clean).
	sample := filepath.Join(tmp, "sample")
	e.must(time.Minute, "cp", "-r", "../sample", sample)
	_ = os.RemoveAll(filepath.Join(sample, "target"))
	e.must(10*time.Minute, "mvn", "-q", "-f", filepath.Join(sample, "pom.xml"), "package")
	app := e.image("app")
	e.must(10*time.Minute, "podman", "build", "-q", "--layers=false", "--build-arg", "BASE_IMAGE="+base, "-t", app, sample)

	// Checkpoint: exits 0 with the checkpoint files.
	ckpt := e.container("checkpoint")
	start := time.Now()
	out, err := e.cmd(10*time.Minute, "podman", "run", "--name", ckpt, "-e", "WLP_CHECKPOINT=afterAppStart",
		"--cap-add=CHECKPOINT_RESTORE,SYS_PTRACE,SETPCAP", "--security-opt", "seccomp=unconfined", app)
	require.NoError(t, err, "checkpoint run:\n%s", out)
	t.Logf("checkpoint run took %s", time.Since(start).Round(time.Millisecond))
	assert.Contains(t, out, "CWWKF0011I")
	assert.Contains(t, out, `CWWKC0451I: A server checkpoint "afterAppStart" was requested.`)
	assert.Contains(t, out, "checkpoint of the server saved in /output/workarea/checkpoint/image")
	assert.Regexp(t, `liberty-checkpoint: compacted: RSS \d+ kB -> \d+ kB \(full GC with MaxHeapFreeRatio=10, malloc_trim; MinHeapFreeRatio=40 MaxHeapFreeRatio=70 again\)`, out,
		"the agent compacted the real JVM before the dump")

	// Commit without WLP_CHECKPOINT (else the image would checkpoint again), then drop the container.
	instanton := e.image("instanton")
	e.must(5*time.Minute, "podman", "commit", "-q", "--change", "ENV WLP_CHECKPOINT=", ckpt, instanton)
	e.must(time.Minute, "podman", "rm", ckpt)
	env := e.must(time.Minute, "podman", "image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", instanton)
	assert.Regexp(t, `(?m)^WLP_CHECKPOINT=$`, env)
	files := e.must(time.Minute, "podman", "run", "--rm", "--entrypoint", "ls", instanton, "/output/workarea/checkpoint/image", "/logs/checkpoint")
	assert.Contains(t, files, "core-")
	assert.Contains(t, files, "pages-")
	assert.Contains(t, files, "checkpoint.log")

	// Restore with least privilege: CHECKPOINT_RESTORE and SETPCAP only.
	var restores, colds []time.Duration
	for i := 0; i < runs; i++ {
		r := e.serve("restore", instanton, "--cap-add=CHECKPOINT_RESTORE,SETPCAP", "--security-opt", "seccomp=unconfined")
		require.Contains(t, r.logs, "CWWKC0452I: The Liberty server process resumed operation from a checkpoint in")
		require.NotContains(t, r.logs, "CWWKE0961I")
		assert.Greater(t, int64(r.uptimeMS), r.elapsed.Milliseconds(), "the JVM is older than the container: restored, not started")
		restores = append(restores, r.elapsed)
	}
	// Cold start of the same app image, same options.
	for i := 0; i < runs; i++ {
		r := e.serve("cold", app, "--security-opt", "seccomp=unconfined")
		require.Contains(t, r.logs, "CWWKF0011I")
		colds = append(colds, r.elapsed)
	}

	// No CHECKPOINT_RESTORE: the fallback line and a cold start, never a false success.
	fb := e.serve("fallback", instanton, "--cap-add=SETPCAP", "--security-opt", "seccomp=unconfined")
	assert.Contains(t, fb.logs, "CWWKE0961I: Restoring the checkpoint server process failed.")
	assert.Contains(t, fb.logs, "--cap-add=CHECKPOINT_RESTORE --cap-add=SETPCAP", "says what is missing")
	assert.NotContains(t, fb.logs, "CWWKC0452I")
	assert.Contains(t, fb.logs, "CWWKF0011I")
	assert.Less(t, int64(fb.uptimeMS), fb.elapsed.Milliseconds(), "a fresh JVM")

	// CRIU_RESTORE_DISABLE_RECOVERY=true: no fallback, a failing exit.
	norec := e.container("norecovery")
	out, err = e.cmd(2*time.Minute, "podman", "run", "--name", norec, "-e", "CRIU_RESTORE_DISABLE_RECOVERY=true",
		"--security-opt", "seccomp=unconfined", instanton)
	assert.Error(t, err, "the run must fail:\n%s", out)
	assert.Contains(t, out, "CWWKE0964E")
	assert.NotContains(t, out, "CWWKF0011I")
	assert.NotContains(t, out, "CWWKC0452I")

	size := func(ref string) string {
		return strings.TrimSpace(e.must(time.Minute, "podman", "image", "inspect", "--format", "{{.Size}}", ref))
	}
	ckptSize := e.must(time.Minute, "podman", "run", "--rm", "--entrypoint", "du", instanton, "-sh", "/output/workarea/checkpoint/image")
	t.Logf("first HTTP 200 after podman run (%d runs): restore median %s %v; cold start median %s %v; fallback %s",
		runs, median(restores).Round(time.Millisecond), restores, median(colds).Round(time.Millisecond), colds, fb.elapsed.Round(time.Millisecond))
	t.Logf("image sizes (bytes): base %s, app %s, app+checkpoint %s; checkpoint files %s",
		size(base), size(app), size(instanton), strings.Fields(ckptSize)[0])
	assert.Less(t, median(restores), median(colds), "restore is faster than a cold start")
}
