package podman

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/podmanservice"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
)

// The integration tests run against the real Podman and CRIU of this machine. They need podman
// (and, the first time, root and debootstrap for beta-image/local/rootfs.sh). When podman is
// missing they skip with a message, except under CI (CI set), where they fail. go test -short
// skips them.

// testImagePrefix names every image and container the tests create themselves.
const testImagePrefix = "localhost/lcp-engine-test"

// testEnv is the shared state of the integration tests: a Podman service of their own, the test
// base image and a sample application.
type testEnv struct {
	uri       string // the tests' Podman service
	baseImage string // the test base image (lcp-testserver + CRIU)
	app       string // app.war
	serverXML string
	dir       string
	root      string
}

// buildBase makes the rootfs (beta-image/local/rootfs.sh criu; cached after the first run) and
// the test base image on it.
func (te *testEnv) buildBase() error {
	cmd := exec.Command(filepath.Join(te.root, "beta-image/local/rootfs.sh"), "criu")
	cmd.Env = localEnv()
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("beta-image/local/rootfs.sh criu: %w: %s", err, stderrOf(err))
	}
	te.baseImage, err = testBaseImage(te.uri, te.root, strings.TrimSpace(string(out)))
	return err
}

var (
	envOnce sync.Once
	env     *testEnv
	envErr  error
	service *podmanservice.Service
	svcDir  string
)

func TestMain(m *testing.M) {
	probe.RunIfAsked() // doctor copies this test binary into its probe containers
	flag.Parse()
	code := m.Run()
	if sharedMade {
		removeImageCLI(sharedImage)
		removeImageCLI(sharedApp)
	}
	if service != nil {
		service.Stop(15 * time.Second)
		os.RemoveAll(svcDir)
	}
	if env != nil {
		os.RemoveAll(env.dir)
	}
	os.Exit(code)
}

// integration returns the shared environment, setting it up on first use, or skips (fails under
// CI) when Podman is missing.
func integration(t *testing.T) *testEnv {
	t.Helper()
	testenv.SkipIfShort(t, "the Podman engine's integration tests")
	testenv.LookPath(t, "podman", "run hack/setup-host.sh")
	envOnce.Do(func() { env, envErr = setupEnv() })
	if envErr != nil {
		t.Fatalf("setting up the integration environment: %v", envErr)
	}
	// Other users of this Podman may remove images: make sure the base image is still there.
	if cli("image", "exists", env.baseImage).Run() != nil {
		t.Logf("test base image %s is gone: building it again", env.baseImage)
		if err := env.buildBase(); err != nil {
			t.Fatalf("rebuilding the test base image: %v", err)
		}
	}
	return env
}

// cli returns a podman CLI command on the local storage (never a remote service, whatever
// CONTAINER_HOST the test set for the engine).
func cli(args ...string) *exec.Cmd {
	cmd := exec.Command("podman", args...)
	cmd.Env = localEnv()
	return cmd
}

// localEnv is the environment without CONTAINER_HOST.
func localEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONTAINER_HOST=") {
			env = append(env, kv)
		}
	}
	return env
}

func repoRoot() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above %s", file)
		}
		dir = parent
	}
}

func setupEnv() (*testEnv, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "lcp-engine-test-")
	if err != nil {
		return nil, err
	}
	te := &testEnv{dir: dir}
	if err := startService(); err != nil {
		return nil, err
	}
	te.uri = "unix://" + filepath.Join(svcDir, "podman.sock")

	// The rootfs with CRIU (cached in ~/.cache/liberty-checkpoint after the first run).
	te.root = root
	if err := te.buildBase(); err != nil {
		return nil, err
	}
	te.app, te.serverXML, err = writeSampleApp(filepath.Join(dir, "sample"), 9080)
	if err != nil {
		return nil, err
	}
	return te, nil
}

// startService runs a podman system service on a private socket for the tests (its stderr in
// service.log there: read it when a test fails strangely).
func startService() error {
	var err error
	svcDir, err = os.MkdirTemp("", "lcp-engine-test-svc-")
	if err != nil {
		return err
	}
	o := podmanservice.Options{Socket: filepath.Join(svcDir, "podman.sock")}
	if f, err := os.Create(filepath.Join(svcDir, "service.log")); err == nil {
		o.Stderr = f
	}
	service, err = podmanservice.Start(context.Background(), o)
	return err
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// testBaseImage builds plugin/testimage (lcp-testserver compiled here with CGO_ENABLED=0) on the
// rootfs, tagged by the hash of its inputs so an unchanged image is built once.
func testBaseImage(uri, root, rootfs string) (string, error) {
	src := filepath.Join(root, "plugin", "testimage")
	rootfsID, err := cli("image", "inspect", "--format", "{{.Id}}", rootfs).Output()
	if err != nil {
		return "", fmt.Errorf("inspect %s: %w", rootfs, err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|", strings.TrimSpace(string(rootfsID)), runtime.Version())
	helpers := filepath.Join(root, "beta-image", "helpers")
	inputs := []string{}
	for _, f := range []string{"Containerfile", "entrypoint.sh", "configure.sh", "lcp-testserver/main.go"} {
		inputs = append(inputs, filepath.Join(src, f))
	}
	if err := filepath.WalkDir(helpers, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			inputs = append(inputs, p)
		}
		return err
	}); err != nil {
		return "", err
	}
	for _, f := range inputs {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "%s|%d|", rel, len(data))
		h.Write(data)
	}
	ref := "localhost/lcp-test-base:" + hex.EncodeToString(h.Sum(nil))[:12]
	if cli("image", "exists", ref).Run() == nil {
		return ref, nil
	}
	ctxDir, err := os.MkdirTemp("", "lcp-testimage-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(ctxDir)
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(ctxDir, "lcp-testserver"), "./plugin/testimage/lcp-testserver")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build lcp-testserver: %w: %s", err, out)
	}
	for _, f := range []string{"Containerfile", "entrypoint.sh", "configure.sh"} {
		if err := copyFile(filepath.Join(src, f), filepath.Join(ctxDir, f)); err != nil {
			return "", err
		}
	}
	// The real base image's scripts: the test image runs the same InstantOn protocol.
	if err := copyConfigDir(helpers, filepath.Join(ctxDir, "helpers")); err != nil {
		return "", err
	}
	o := engine.BuildBaseImageOptions{Common: engine.Common{Connection: engine.Connection{URI: uri}}, ContextDir: ctxDir, Containerfile: "Containerfile",
		Image: ref, BuildArgs: map[string]string{"ROOTFS": rootfs}}
	if err := o.Validate(); err != nil {
		return "", err
	}
	if _, err := New("test").BuildBaseImage(context.Background(), o, engine.Discard); err != nil {
		return "", fmt.Errorf("building the test base image: %w", err)
	}
	// Earlier versions of the test image are of no further use.
	if out, err := cli("images", "--format", "{{.Repository}}:{{.Tag}}", "localhost/lcp-test-base").Output(); err == nil {
		for _, old := range strings.Fields(string(out)) {
			if old != ref {
				removeImageCLI(old)
			}
		}
	}
	return ref, nil
}

// writeSampleApp writes app.war (index.html inside) and a server.xml listening on port.
func writeSampleApp(dir string, port int) (app, serverXML string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("index.html")
	io.WriteString(w, "<h1>hello from the sample app</h1>\n")
	if err := zw.Close(); err != nil {
		return "", "", err
	}
	app = filepath.Join(dir, "app.war")
	serverXML = filepath.Join(dir, "server.xml")
	if err := os.WriteFile(app, buf.Bytes(), 0o644); err != nil {
		return "", "", err
	}
	xml := fmt.Sprintf(`<server description="sample">
  <featureManager><feature>servlet-6.0</feature></featureManager>
  <httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="%d"/>
  <webApplication location="app.war" contextRoot="/app"/>
</server>
`, port)
	return app, serverXML, os.WriteFile(serverXML, []byte(xml), 0o644)
}

// engineFor returns an engine whose default socket is the tests' service.
func (te *testEnv) engine() *Engine {
	e := New("test")
	e.DefaultSockets = []string{te.uri}
	return e
}

func (te *testEnv) conn() engine.Connection { return engine.Connection{URI: te.uri} }

// podmanCLI runs the podman CLI (against local storage, like the service).
func podmanCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cli(args...).Output()
	if err != nil {
		t.Fatalf("podman %s: %v: %s", strings.Join(args, " "), err, stderrOf(err))
	}
	return strings.TrimSpace(string(out))
}

// removeImageCLI removes an image the tests made (a missing one is fine).
func removeImageCLI(ref string) {
	if cli("image", "exists", ref).Run() != nil {
		return
	}
	if out, err := cli("rmi", "-f", ref).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "podman rmi -f %s: %v: %s\n", ref, err, out)
	}
}

func removeContainerCLI(name string) { _ = cli("rm", "-f", "-t", "0", name).Run() }

// createdNames finds the names of containers and temporary images the engine announced in its
// events.
var createdRE = regexp.MustCompile(`(lcp-checkpoint-[0-9a-f]{12}|lcp-restore-[0-9a-f]{12}|localhost/lcp-tmp-[a-z]+-[0-9a-f]{12}(?::latest)?)`)

func createdNames(events []engine.Event) []string {
	var names []string
	for _, ev := range events {
		if ev.Log == nil {
			continue
		}
		for _, m := range createdRE.FindAllString(ev.Log.Line, -1) {
			if !slices.Contains(names, m) {
				names = append(names, m)
			}
		}
	}
	return names
}

// ours lists this test run's containers (all states, buildah's included) and images whose names
// start with one of prefixes.
func ours(t *testing.T, prefixes ...string) []string {
	t.Helper()
	var found []string
	ctrs := podmanCLI(t, "ps", "-a", "--external", "--format", "{{.Names}}")
	imgs := podmanCLI(t, "images", "--format", "{{.Repository}}:{{.Tag}}")
	for _, line := range strings.Split(ctrs+"\n"+imgs, "\n") {
		for _, p := range prefixes {
			if line != "" && strings.HasPrefix(line, p) {
				found = append(found, line)
			}
		}
	}
	slices.Sort(found)
	return found
}

// assertGone fails when any of names (containers or images) still exists.
func assertGone(t *testing.T, names []string) {
	t.Helper()
	for _, n := range names {
		if strings.HasPrefix(n, "localhost/") {
			if cli("image", "exists", n).Run() == nil {
				t.Errorf("image %s was left behind", n)
				removeImageCLI(n)
			}
			continue
		}
		if cli("container", "exists", n).Run() == nil {
			t.Errorf("container %s was left behind", n)
			removeContainerCLI(n)
		}
	}
}

// record runs an engine call with a recording sink and returns its events too.
func record(call func(engine.Sink) (*engine.Result, error)) (*engine.Result, []engine.Event, error) {
	var rec enginetest.Recorder
	res, err := call(rec.Sink())
	return res, rec.Snapshot(), err
}

// checksOf is doctor's checks among the events, by ID.
func checksOf(events []engine.Event) map[string]engine.Check {
	checks := map[string]engine.Check{}
	for _, ev := range events {
		if ev.Check != nil {
			checks[ev.Check.ID] = *ev.Check
		}
	}
	return checks
}

func logLines(events []engine.Event) string {
	var b strings.Builder
	for _, ev := range events {
		if ev.Log != nil {
			fmt.Fprintf(&b, "[%s] %s\n", ev.Log.Source, ev.Log.Line)
		}
	}
	return b.String()
}

func listenUnix(path string) (*net.UnixListener, error) {
	return net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
}
