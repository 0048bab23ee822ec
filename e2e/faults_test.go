package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// The fault tests: the real CLI and plugin on real Podman with the local Open Liberty base,
// killed and signalled in the middle of each operation. After every fault they count what is
// left (containers, temporary images, lock volumes, temporary directories, processes): 0, once
// the tool has had its say (the CLI itself, the plugin cleaning up after its dead host, or the
// next run / prune). They share one Podman service, one set of binaries and the apps built
// once (liberty()); README.md's "Reliability" table lists what each case guarantees.

// lib is what the fault tests share.
type lib struct {
	cli, plugin string
	root        string
	uri         string // the tests' own Podman service
	war         string // sample/target/sample.war
	sampleCfg   string // sample/src/main/liberty/config
	failingWar  string // e2e/testdata/failing-app/target/failing.war
	failingCfg  string
	appImage    string // the sample's application image
	instantOn   string // the sample's InstantOn image
}

var (
	libOnce sync.Once
	libEnv  *lib
	libErr  error
	svc     *exec.Cmd
	svcDir  string
)

func liberty(t *testing.T) *lib {
	t.Helper()
	testenv.SkipIfShort(t, "the fault tests (they run Liberty on Podman)")
	testenv.LookPath(t, "podman", "run hack/setup-host.sh")
	testenv.LookPath(t, "mvn", "install Maven (the machine's JDK comes with it here)")
	libOnce.Do(func() {
		libErr = fmt.Errorf("setting up the fault tests failed in an earlier test")
		libEnv, libErr = setupLib(t)
	})
	require.NoError(t, libErr)
	require.NotNil(t, libEnv, "setting up the fault tests failed in an earlier test")
	return libEnv
}

func setupLib(t *testing.T) (*lib, error) {
	root := testenv.RepoRoot(t)
	l := &lib{root: root,
		plugin:     testenv.Build(t, "plugin/cmd/liberty-checkpoint-plugin", "liberty-checkpoint-plugin"),
		cli:        testenv.Build(t, "host/cmd/liberty-checkpoint", "liberty-checkpoint"),
		war:        filepath.Join(root, "sample/target/sample.war"),
		sampleCfg:  filepath.Join(root, "sample/src/main/liberty/config"),
		failingWar: filepath.Join(root, "e2e/testdata/failing-app/target/failing.war"),
		failingCfg: filepath.Join(root, "e2e/testdata/failing-app/src/main/liberty/config"),
	}
	watchPlugins(l.plugin) // from the first run on: what its plugins make counts as ours
	tool(t, 30*time.Minute, []string{"LCP_CLI=" + l.cli}, "beta-image/local/build.sh", baseImage)
	tool(t, 10*time.Minute, nil, "mvn", "-B", "-q", "-f", "sample/pom.xml", "package")
	tool(t, 10*time.Minute, nil, "mvn", "-B", "-q", "-f", "e2e/testdata/failing-app/pom.xml", "package")

	dir, err := os.MkdirTemp("", "lcp-e2e-svc-")
	if err != nil {
		return nil, err
	}
	svcDir = dir
	sock := filepath.Join(dir, "podman.sock")
	svc = exec.Command("podman", "system", "service", "--time=0", "unix://"+sock)
	svc.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := svc.Start(); err != nil {
		return nil, err
	}
	if !waitFor(30*time.Second, func() bool { _, err := os.Stat(sock); return err == nil }) {
		return nil, fmt.Errorf("podman system service did not create %s", sock)
	}
	l.uri = "unix://" + sock

	id := randomID()
	l.appImage = "localhost/lcp-e2e-faults:" + id + "-app"
	l.instantOn = "localhost/lcp-e2e-faults:" + id
	tmp := shortTemp(t)
	r := l.run(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", l.war, "--config-directory", l.sampleCfg,
		"--image", l.instantOn, "--keep-app-image")
	if r.code != 0 {
		return nil, fmt.Errorf("the shared InstantOn image: %v\n%s", r.last(), r.stderr)
	}
	return l, nil
}

// cleanupLib removes the shared images and stops the tests' Podman service (TestMain).
func cleanupLib() {
	if libEnv != nil {
		_ = exec.Command("podman", "rmi", "-f", libEnv.instantOn, libEnv.appImage).Run()
	}
	if svc != nil {
		_ = svc.Process.Signal(syscall.SIGTERM)
		_ = svc.Wait()
	}
	if svcDir != "" {
		_ = os.RemoveAll(svcDir)
	}
}

// proc is a running CLI with --output json whose events are read as they come.
type proc struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	events []*pb.Event
	stderr bytes.Buffer
	read   chan struct{} // closed when stdout is at its end
	code   int
}

// start runs the CLI with TMPDIR=tmp (so its temporary directories are countable) on the tests'
// Podman service (unless args name one).
func (l *lib) start(t *testing.T, tmp string, args ...string) *proc {
	t.Helper()
	args = append(args, "--output", "json")
	if !slices.Contains(args, "--podman-url") && !slices.Contains(args, "--transient") {
		args = append(args, "--podman-url", l.uri)
	}
	args = slices.DeleteFunc(args, func(a string) bool { return a == "--transient" })
	p := &proc{cmd: exec.Command(l.cli, args...), read: make(chan struct{})}
	p.cmd.Dir = l.root
	p.cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	go func() {
		defer close(p.read)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			ev := &pb.Event{}
			if (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(sc.Bytes(), ev) == nil {
				p.mu.Lock()
				p.events = append(p.events, ev)
				p.mu.Unlock()
			}
		}
	}()
	return p
}

type result struct {
	code   int
	events []*pb.Event
	stderr string
}

func (r result) last() *pb.Event {
	if len(r.events) == 0 {
		return nil
	}
	return r.events[len(r.events)-1]
}

// lines are the log lines of a run, for failure messages.
func (r result) lines() string {
	var b strings.Builder
	for _, ev := range r.events {
		if l := ev.GetLog(); l != nil {
			b.WriteString(l.GetSource().String() + " | " + l.GetLine() + "\n")
		}
	}
	return b.String()
}

// err is the error event that ends a failed run; res the result of a successful one.
func (r result) err() *pb.Failure { return r.last().GetError() }
func (r result) res() *pb.Result  { return r.last().GetResult() }

// wait waits for the CLI to exit.
func (p *proc) wait(t *testing.T, timeout time.Duration) result {
	t.Helper()
	done := make(chan error, 1)
	go func() { <-p.read; done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee)
			p.code = ee.ExitCode()
		}
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		t.Fatalf("the CLI did not exit within %s", timeout)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return result{code: p.code, events: append([]*pb.Event(nil), p.events...), stderr: p.stderr.String()}
}

// until waits for an event that pred accepts.
func (p *proc) until(t *testing.T, what string, timeout time.Duration, pred func(*pb.Event) bool) {
	t.Helper()
	ok := waitFor(timeout, func() bool {
		select {
		case <-p.read: // the CLI has ended: what did not come will not
			return true
		default:
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, ev := range p.events {
			if pred(ev) {
				return true
			}
		}
		return false
	})
	p.mu.Lock()
	found := slices.ContainsFunc(p.events, pred)
	p.mu.Unlock()
	ok = ok && found
	if !ok {
		p.mu.Lock()
		defer p.mu.Unlock()
		t.Fatalf("no %s within %s; events: %v\nstderr: %s", what, timeout, p.events, p.stderr.String())
	}
}

// shortTemp is a temporary directory with a short path: the CLI's TMPDIR, where the plugin's
// socket lives (a Unix socket's path may not exceed 107 bytes; t.TempDir's are long).
func shortTemp(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "lcp-e2e-t")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// run runs the CLI to its end.
func (l *lib) run(t *testing.T, tmp string, args ...string) result {
	t.Helper()
	return l.start(t, tmp, args...).wait(t, 15*time.Minute)
}

// pluginPID is the plugin process the CLI started.
func (l *lib) pluginPID(t *testing.T, p *proc) int {
	t.Helper()
	var pid int
	waitFor(5*time.Second, func() bool {
		for _, c := range processes(l.plugin) {
			if ppid(c) == p.cmd.Process.Pid {
				pid = c
				return true
			}
		}
		return false
	})
	require.NotZero(t, pid, "the CLI's plugin process")
	return pid
}

// processes lists the pids running the executable at path.
func processes(path string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == path && !zombie(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func ppid(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	n, _ := strconv.Atoi(f[1])
	return n
}

func zombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(data)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])[0] == "Z"
}

func waitFor(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// left counts what the tool has left: the containers, temporary images and lock volumes this
// test binary's plugins made (pluginWatch), anything in tmp (the CLI's TMPDIR), and plugin or
// Podman processes working in tmp.
func (l *lib) left(t *testing.T, tmp string) []string {
	t.Helper()
	out := watchPlugins(l.plugin).leftovers(t)
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		out = append(out, "dir "+e.Name())
	}
	for _, pid := range processes(l.plugin) {
		out = append(out, fmt.Sprintf("process %d (plugin)", pid))
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if data, err := os.ReadFile(p); err == nil && strings.Contains(string(data), tmp) {
			out = append(out, "process "+p+": "+strings.ReplaceAll(string(data), "\x00", " "))
		}
	}
	slices.Sort(out)
	return out
}

func isLog(source pb.Log_Source) func(*pb.Event) bool {
	return func(ev *pb.Event) bool { return ev.GetLog() != nil && ev.GetLog().GetSource() == source }
}

func stepStarted(name string) func(*pb.Event) bool {
	return func(ev *pb.Event) bool {
		p := ev.GetProgress()
		return p != nil && p.GetName() == name && p.GetState() == pb.Progress_STATE_STARTED
	}
}

// The fault matrix: SIGINT and SIGKILL to the CLI, SIGKILL to the plugin, in the middle of
// containerize (the build), checkpoint (the server starting), commit, and restore (waiting for
// readiness). Afterwards nothing is left: at once after SIGINT (the CLI waits for the clean-up)
// and after a killed plugin (the CLI starts a new one that prunes); after a killed CLI once the
// plugin, which dies with its host, has cleaned up and removed the dead host's socket directory
// (no prune needed; a prune afterwards finds nothing more).
func TestFaultsLeaveNothing(t *testing.T) {
	l := liberty(t)
	ckTmp := shortTemp(t)
	// The checkpoint container the commit faults work on: it survives a failed commit (commit
	// removes it only once the image is made), so one serves all three.
	ck := l.run(t, ckTmp, "checkpoint", "--image", l.appImage)
	require.Equal(t, 0, ck.code, "%v\n%s", ck.last(), ck.stderr)
	container := ck.res().GetContainerName()
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", container).Run() })
	commitTarget := "localhost/lcp-e2e-faults-commit:" + randomID()
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", commitTarget).Run() })

	ops := []struct {
		name    string
		args    []string
		trigger func(*pb.Event) bool
	}{
		{"containerize", []string{"containerize", "--base-image", baseImage, "--app-archive", l.war, "--config-directory", l.sampleCfg,
			"--image", "localhost/lcp-e2e-faults-never:1"}, isLog(pb.Log_SOURCE_BUILD)},
		{"checkpoint", []string{"checkpoint", "--image", l.appImage}, isLog(pb.Log_SOURCE_CONTAINER)},
		{"commit", []string{"commit", "--container", container, "--image", commitTarget}, stepStarted("commit")},
		{"restore", []string{"restore", "--image", l.instantOn, "--ready-log", "NEVER-PRINTED", "--timeout", "5m"}, stepStarted("ready")},
	}
	faults := []string{"SIGINT to the CLI", "SIGKILL to the CLI", "SIGKILL to the plugin"}
	for _, op := range ops {
		for _, fault := range faults {
			t.Run(op.name+"/"+fault, func(t *testing.T) {
				tmp := shortTemp(t)
				before := l.left(t, tmp)
				p := l.start(t, tmp, op.args...)
				p.until(t, "the moment to strike", 5*time.Minute, op.trigger)
				plugin := l.pluginPID(t, p)
				struck := time.Now()
				switch fault {
				case "SIGINT to the CLI":
					require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
					r := p.wait(t, 3*time.Minute)
					t.Logf("the CLI exited %s after SIGINT, its clean-up done", time.Since(struck).Round(time.Millisecond))
					assert.Equal(t, 130, r.code, "%v", r.last())
					assert.Equal(t, "Canceled", r.err().GetCode())
				case "SIGKILL to the CLI":
					require.NoError(t, p.cmd.Process.Kill())
					_ = p.wait(t, time.Minute)
					assert.True(t, waitFor(3*time.Minute, func() bool { return zombie(plugin) }),
						"the plugin (pid %d) exits after its host was killed, once it has cleaned up", plugin)
					t.Logf("the orphaned plugin exited %s after its host's SIGKILL, its clean-up done", time.Since(struck).Round(time.Millisecond))
					assert.Equal(t, before, l.left(t, tmp), "the orphaned plugin removed what it made and its dead host's socket directory, without a prune")
					pr := l.run(t, tmp, "prune")
					require.Equal(t, 0, pr.code, "%v", pr.last())
				case "SIGKILL to the plugin":
					require.NoError(t, syscall.Kill(plugin, syscall.SIGKILL))
					r := p.wait(t, 3*time.Minute)
					t.Logf("the CLI exited %s after its plugin's SIGKILL, a new plugin's prune done", time.Since(struck).Round(time.Millisecond))
					assert.Equal(t, 1, r.code)
					assert.Contains(t, r.err().GetMessage(), fmt.Sprintf("the plugin process (pid %d) died", plugin))
					assert.Contains(t, r.err().GetFix(), "what the dead plugin left is removed")
				}
				if op.name == "commit" {
					assert.NoError(t, exec.Command("podman", "container", "exists", container).Run(), "the checkpoint container survives a failed commit")
				}
				assert.Equal(t, before, l.left(t, tmp), "left behind after %s during %s", fault, op.name)
			})
		}
	}

	// The checkpoint container is still good: a commit that runs to its end uses it up.
	r := l.run(t, ckTmp, "commit", "--container", container, "--image", commitTarget)
	require.Equal(t, 0, r.code, "%v", r.last())
	assert.Error(t, exec.Command("podman", "container", "exists", container).Run())
}

// A second Ctrl-C quits at once; the plugin finishes the clean-up on its own and exits. Here on a
// transient Podman service (no --podman-url), which must go too.
func TestDoubleInterruptLeavesNothing(t *testing.T) {
	l := liberty(t)
	tmp := shortTemp(t)
	before := l.left(t, tmp)
	image := "localhost/lcp-e2e-faults-double:" + randomID()
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })
	p := l.start(t, tmp, "checkpoint-image", "--transient", "--base-image", baseImage, "--app-archive", l.war,
		"--config-directory", l.sampleCfg, "--image", image)
	p.until(t, "the server starting", 5*time.Minute, isLog(pb.Log_SOURCE_CONTAINER))
	plugin := l.pluginPID(t, p)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	r := p.wait(t, 30*time.Second)
	assert.Equal(t, 130, r.code)
	assert.Contains(t, r.stderr, "the plugin finishes the clean-up by itself")
	assert.True(t, waitFor(3*time.Minute, func() bool { return zombie(plugin) }), "the plugin exits once it has cleaned up")
	assert.Equal(t, before, l.left(t, tmp), "the plugin removed what it made, its transient Podman service and the socket directory of the host that quit, without a prune")
	pr := l.run(t, tmp, "prune", "--transient")
	require.Equal(t, 0, pr.code, "%v", pr.last())
	assert.Equal(t, before, l.left(t, tmp))
	assert.Error(t, exec.Command("podman", "image", "exists", image).Run())
}

// The Podman service stops in the middle of a commit: the commit fails saying so, what it could
// not clean up is removed by prune once Podman is back, and the checkpoint container is still
// good for another commit.
func TestPodmanStoppedDuringCommit(t *testing.T) {
	l := liberty(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "podman.sock")
	uri := "unix://" + sock
	startService := func() *exec.Cmd {
		s := exec.Command("podman", "system", "service", "--time=0", uri)
		s.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		require.NoError(t, s.Start())
		require.True(t, waitFor(30*time.Second, func() bool { _, err := os.Stat(sock); return err == nil }))
		return s
	}
	service := startService()
	t.Cleanup(func() { _ = service.Process.Kill(); _ = service.Wait() })

	tmp := shortTemp(t)
	ck := l.run(t, tmp, "checkpoint", "--image", l.appImage, "--podman-url", uri)
	require.Equal(t, 0, ck.code, "%v", ck.last())
	container := ck.res().GetContainerName()
	t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", container).Run() })
	target := "localhost/lcp-e2e-faults-stopped:" + randomID()
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", target).Run() })

	before := l.left(t, tmp)
	p := l.start(t, tmp, "commit", "--container", container, "--image", target, "--podman-url", uri)
	p.until(t, "the commit", 2*time.Minute, stepStarted("commit"))
	require.NoError(t, service.Process.Kill())
	_ = service.Wait()
	_ = os.Remove(sock)
	r := p.wait(t, 3*time.Minute)
	assert.Equal(t, 1, r.code, "%v", r.last())
	assert.Equal(t, "Unavailable", r.err().GetCode(), "%v", r.last())
	t.Logf("commit with Podman gone: %v", r.last())

	service = startService()
	pr := l.run(t, tmp, "prune", "--podman-url", uri)
	require.Equal(t, 0, pr.code, "%v", pr.last())
	assert.Equal(t, before, l.left(t, tmp), "prune removed what the cut-off commit left")
	r = l.run(t, tmp, "commit", "--container", container, "--image", target, "--podman-url", uri)
	require.Equal(t, 0, r.code, "the checkpoint container is still good: %v", r.last())
}

// Applications that cannot start, and configurations the base cannot serve, fail fast naming
// the cause and the setting (defects 3 and 7), and leave nothing.
func TestBrokenApplicationsFailFast(t *testing.T) {
	l := liberty(t)
	tmp := shortTemp(t)
	dir := t.TempDir()
	image := "localhost/lcp-e2e-faults-broken:" + randomID()
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })
	before := l.left(t, tmp)

	t.Run("start-up throws", func(t *testing.T) {
		p := l.start(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", l.failingWar,
			"--config-directory", l.failingCfg, "--image", image)
		p.until(t, "the failure", 5*time.Minute, func(ev *pb.Event) bool {
			return strings.Contains(ev.GetLog().GetLine(), "SRVE0283E")
		})
		failedAt := time.Now()
		r := p.wait(t, 2*time.Minute)
		t.Logf("the CLI failed %s after Liberty's SRVE0283E line, its clean-up done", time.Since(failedAt).Round(time.Millisecond))
		assert.Less(t, time.Since(failedAt), 15*time.Second, "it fails within seconds of the failure line")
		require.Equal(t, 1, r.code, "an application that did not start is no checkpoint: %v", r.last())
		e := r.err()
		assert.Equal(t, "FailedPrecondition", e.GetCode())
		assert.Equal(t, "app_archive", e.GetField())
		assert.Contains(t, e.GetMessage(), "SRVE0283E")
		assert.Contains(t, e.GetMessage(), "refuses to start")
		tail := strings.Join(e.GetLogTail(), "\n")
		assert.Contains(t, tail, "CWWKZ0012I: The application failing was not started")
	})

	t.Run("empty war", func(t *testing.T) {
		empty := filepath.Join(dir, "sample.war")
		require.NoError(t, os.WriteFile(empty, nil, 0o644))
		r := l.run(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", empty,
			"--config-directory", l.sampleCfg, "--image", image)
		require.Equal(t, 2, r.code, "%v", r.last())
		assert.Equal(t, "app_archive", r.err().GetField())
		assert.Contains(t, r.err().GetMessage(), "is not a zip archive (it is empty)")

		// The same archive through a Containerfile of the user's, which the tool does not read:
		// Liberty's own messages (CWWKM0101E, CWWKZ0021E) stop the checkpoint.
		own := filepath.Join(dir, "own")
		require.NoError(t, os.MkdirAll(own, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(own, "sample.war"), nil, 0o644))
		xml, _ := os.ReadFile(filepath.Join(l.sampleCfg, "server.xml"))
		require.NoError(t, os.WriteFile(filepath.Join(own, "server.xml"), xml, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(own, "Containerfile"), []byte("FROM "+baseImage+"\n"+
			"COPY --chown=1001:0 server.xml /config/\nCOPY --chown=1001:0 sample.war /config/apps/\nRUN configure.sh\n"), 0o644))
		r = l.run(t, tmp, "checkpoint-image", "--containerfile", filepath.Join(own, "Containerfile"), "--image", image)
		require.Equal(t, 1, r.code, "%v", r.last())
		assert.Contains(t, r.err().GetMessage(), "CWWKM0101E")
	})

	t.Run("feature the base lacks", func(t *testing.T) {
		// mpOpenAPI: a feature of Open Liberty that the local base does not install (its default list is
		// beta-image/local/context.sh's LIBERTY_FEATURES).
		cfg := filepath.Join(dir, "health")
		require.NoError(t, os.MkdirAll(cfg, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(cfg, "server.xml"), []byte(`<server>
  <featureManager><feature>servlet-6.0</feature><feature>mpOpenAPI-3.1</feature></featureManager>
  <webApplication location="sample.war" contextRoot="/sample"/>
</server>`), 0o644))
		r := l.run(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", l.war, "--config-directory", cfg, "--image", image)
		require.Equal(t, 1, r.code, "%v", r.last())
		e := r.err()
		assert.Equal(t, "server_xml", e.GetField(), "not the base image's name: %v", e)
		assert.Contains(t, e.GetMessage(), "mpOpenAPI-3.1")
		assert.Contains(t, e.GetFix(), "make base-local")

		// The same build onto a name that exists already: the name keeps its image, and the
		// tool does not claim to have removed it (defect 8).
		existing := "localhost/lcp-e2e-faults-existing:" + randomID()
		require.NoError(t, exec.Command("podman", "tag", l.appImage, existing).Run())
		t.Cleanup(func() { _ = exec.Command("podman", "rmi", existing).Run() })
		r = l.run(t, tmp, "containerize", "--base-image", baseImage, "--app-archive", l.war, "--config-directory", cfg, "--image", existing)
		require.Equal(t, 1, r.code, "%v", r.last())
		out, err := exec.Command("podman", "image", "inspect", "--format", "{{.Id}}", existing, l.appImage).Output()
		require.NoError(t, err, "the existing image keeps its name")
		ids := strings.Fields(string(out))
		require.Len(t, ids, 2)
		assert.Equal(t, ids[1], ids[0], "and its image")
		for _, ev := range r.events {
			assert.NotContains(t, ev.GetLog().GetLine(), "removed image "+existing, "no claim to have removed what is still there")
		}
	})

	t.Run("archive name does not match server.xml", func(t *testing.T) {
		other := filepath.Join(dir, "app.war")
		data, err := os.ReadFile(l.war)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(other, data, 0o644))
		r := l.run(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", other, "--config-directory", l.sampleCfg, "--image", image)
		require.Equal(t, 2, r.code, "%v", r.last())
		assert.Equal(t, "app_archive", r.err().GetField())
		assert.Contains(t, r.err().GetMessage(), `server.xml deploys "sample.war", but the application archive is app.war`)
	})
	assert.Equal(t, before, l.left(t, tmp))
	assert.Error(t, exec.Command("podman", "image", "exists", image).Run(), "no image was made")
}

// Defect 1 on the command line: the output may not be the base image, however it is spelled.
// A private name of the base stands in for it (the shared base is never put at risk).
func TestBaseImageIsNeverOverwritten(t *testing.T) {
	l := liberty(t)
	tmp := shortTemp(t)
	base := "localhost/lcp-e2e-base:" + randomID()
	require.NoError(t, exec.Command("podman", "tag", baseImage, base).Run())
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", base).Run() })
	id := func(ref string) string {
		out, _ := exec.Command("podman", "image", "inspect", "--format", "{{.Id}}", ref).Output()
		return strings.TrimSpace(string(out))
	}
	want := id(base)
	for _, op := range []string{"containerize", "checkpoint-image"} {
		r := l.run(t, tmp, op, "--base-image", base, "--app-archive", l.war, "--config-directory", l.sampleCfg,
			"--image", strings.TrimPrefix(base, "localhost/"))
		assert.Equal(t, 2, r.code, "%s: %v", op, r.last())
		assert.Equal(t, "image", r.err().GetField())
		assert.Contains(t, r.err().GetMessage(), "move the base image's tag")
		assert.Equal(t, want, id(base), "%s left the base image's name alone", op)
	}
}

// Defect 2 on the command line: an archive name is never a Containerfile instruction; a name
// with a space works.
func TestArchiveNames(t *testing.T) {
	l := liberty(t)
	tmp := shortTemp(t)
	dir := t.TempDir()
	data, err := os.ReadFile(l.war)
	require.NoError(t, err)
	image := "localhost/lcp-e2e-faults-names:" + randomID()
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })

	evil := filepath.Join(dir, "' .\nRUN id > pwned.txt\n#.war")
	require.NoError(t, os.WriteFile(evil, data, 0o644))
	r := l.run(t, tmp, "containerize", "--base-image", baseImage, "--app-archive", evil, "--config-directory", l.sampleCfg, "--image", image)
	assert.Equal(t, 2, r.code, "%v", r.last())
	assert.Equal(t, "app_archive", r.err().GetField())
	assert.Error(t, exec.Command("podman", "image", "exists", image).Run())

	spaced := filepath.Join(dir, "my app.war")
	require.NoError(t, os.WriteFile(spaced, data, 0o644))
	cfg := filepath.Join(dir, "config")
	require.NoError(t, os.MkdirAll(cfg, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "server.xml"), []byte(`<server>
  <featureManager><feature>servlet-6.0</feature></featureManager>
  <httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="9080" httpsPort="-1"/>
  <webApplication location="my app.war" contextRoot="/myapp"/>
</server>`), 0o644))
	r = l.run(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", spaced, "--config-directory", cfg, "--image", image)
	require.Equal(t, 0, r.code, "a space in the name works: %v\n%s", r.last(), r.stderr)
	var started bool
	for _, ev := range r.events {
		started = started || strings.Contains(ev.GetLog().GetLine(), "CWWKZ0001I: Application my app started")
	}
	assert.True(t, started, "Liberty started the application \"my app\" before the checkpoint")
}

// Defect 6 on the command line: a Podman URL the user gives is used, or the command fails
// saying so; it is never replaced by a transient service.
func TestNamedPodmanIsNeverReplaced(t *testing.T) {
	l := liberty(t)
	tmp := shortTemp(t)
	r := l.run(t, tmp, "restore", "--image", l.instantOn, "--podman-url", "unix:///nonexistent.sock")
	assert.Equal(t, 1, r.code, "%v", r.last())
	assert.Equal(t, "Unavailable", r.err().GetCode())
	assert.Equal(t, "connection.uri", r.err().GetField())
	assert.Equal(t, "--podman-url", r.err().GetFlag())
	for _, ev := range r.events {
		assert.NotContains(t, ev.GetLog().GetLine(), "transient", "no transient service replaces the named one")
	}
}

// Four pipelines of different applications at once, then two restores of one image at once,
// then two pipelines writing one tag at once. Defined results: the four all succeed; both
// restores restore and answer; of the two writers of one tag one succeeds and the other fails at
// once naming it (a lock), so no half-made or orphaned image is left.
func TestConcurrentPipelines(t *testing.T) {
	l := liberty(t)
	tmp := shortTemp(t)
	dir := t.TempDir()
	before := l.left(t, tmp)
	data, err := os.ReadFile(l.war)
	require.NoError(t, err)
	id := randomID()
	var images []string
	var wg sync.WaitGroup
	results := make([]result, 4)
	for i := range 4 {
		name := fmt.Sprintf("app%d", i+1)
		cfg := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(cfg, 0o755))
		war := filepath.Join(cfg, name+".war")
		require.NoError(t, os.WriteFile(war, data, 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(cfg, "server.xml"), []byte(fmt.Sprintf(`<server>
  <featureManager><feature>servlet-6.0</feature></featureManager>
  <httpEndpoint id="defaultHttpEndpoint" host="*" httpPort="9080" httpsPort="-1"/>
  <webApplication location="%s.war" contextRoot="/%s"/>
</server>`, name, name)), 0o644))
		image := fmt.Sprintf("localhost/lcp-e2e-par-%s:%s", name, id)
		images = append(images, image)
		t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", image).Run() })
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = l.run(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", war, "--config-directory", cfg, "--image", image)
		}()
	}
	wg.Wait()
	for i, r := range results {
		assert.Equal(t, 0, r.code, "pipeline %d: %v", i+1, r.last())
	}

	// Two restores of one image at once: both restore and answer, each on its own port.
	restores := make([]result, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			restores[i] = l.run(t, tmp, "restore", "--image", images[0], "--publish", "127.0.0.1::9080", "--ready-url", "/app1/hello",
				"--keep-running", "--disable-recovery")
		}()
	}
	wg.Wait()
	var urls []string
	for i, r := range restores {
		require.Equal(t, 0, r.code, "restore %d: %v\n%s", i+1, r.last(), r.lines())
		res := r.res()
		name := res.GetContainerName()
		t.Cleanup(func() { _ = exec.Command("podman", "rm", "-f", name).Run() })
		ro := res.GetRestore()
		assert.Equal(t, pb.RestoreOutcome_VERDICT_RESTORED, ro.GetVerdict())
		urls = append(urls, ro.GetUrl())
		resp, err := http.Get(ro.GetUrl())
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 200, resp.StatusCode)
		assert.Contains(t, string(body), sampleGreeting)
		require.NoError(t, exec.Command("podman", "rm", "-f", name).Run())
	}
	assert.NotEqual(t, urls[0], urls[1])

	// Two pipelines writing one tag.
	same := "localhost/lcp-e2e-par-same:" + id
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "-f", same).Run() })
	writers := make([]result, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			writers[i] = l.run(t, tmp, "checkpoint-image", "--base-image", baseImage, "--app-archive", l.war,
				"--config-directory", l.sampleCfg, "--image", same)
		}()
	}
	wg.Wait()
	codes := []int{writers[0].code, writers[1].code}
	slices.Sort(codes)
	assert.Equal(t, []int{0, 1}, codes, "one writer wins, the other is refused: %v / %v", writers[0].last(), writers[1].last())
	for _, w := range writers {
		if w.code == 1 {
			assert.Equal(t, "FailedPrecondition", w.err().GetCode())
			assert.Contains(t, w.err().GetMessage(), "is writing the image "+same)
		}
	}
	assert.NoError(t, exec.Command("podman", "image", "exists", same).Run())
	assert.Equal(t, before, l.left(t, tmp))
}
