package doctor

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
)

// The test binary doubles as the probe, as the plugin binary does: doctor copies it into the
// throwaway containers and runs it as `<binary> probe <mode>`.
func TestMain(m *testing.M) {
	probe.RunIfAsked()
	code := m.Run()
	testenv.CleanupBuilds()
	os.Exit(code)
}

// needPodman skips (or, in CI, fails) a test that needs Podman when it is missing.
func needPodman(t *testing.T) {
	t.Helper()
	testenv.LookPath(t, "podman", "run hack/setup-host.sh")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "podman", "info", "--format", "{{.Version.Version}}").CombinedOutput(); err != nil {
		t.Fatalf("podman is installed but does not answer: %v: %s", err, out)
	}
}

// needImage returns ref, building it with beta-image/local/rootfs.sh (LCP_SUITE=suite) when
// it is missing; the script caches the rootfs.
func needImage(t *testing.T, ref, suite string) string {
	t.Helper()
	if exec.Command("podman", "image", "exists", ref).Run() == nil {
		return ref
	}
	script := filepath.Join(testenv.RepoRoot(t), "beta-image", "local", "rootfs.sh")
	if os.Geteuid() != 0 {
		testenv.Missing(t, "image "+ref, fmt.Sprintf("building it needs root: sudo LCP_SUITE=%s %s criu", suite, script))
	}
	t.Logf("building %s with %s (LCP_SUITE=%s), about a minute", ref, script, suite)
	cmd := exec.Command(script, "criu")
	cmd.Env = append(os.Environ(), "LCP_SUITE="+suite)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return ref
}

var (
	selfOnce sync.Once
	selfPath string
)

// realDoctor is doctor on this machine, through the podman CLI, with this test binary as probe,
// or the binary LCP_DOCTOR_PROBE names (the real plugin: liberty-checkpoint-plugin). A test binary
// built with cgo (make test-race) cannot run in a container of another image: then the probe is
// the real plugin, built static.
func realDoctor(t *testing.T, env ...string) *Doctor {
	t.Helper()
	needPodman(t)
	selfOnce.Do(func() {
		selfPath, _ = os.Executable()
		if p := os.Getenv("LCP_DOCTOR_PROBE"); p != "" {
			selfPath, _ = filepath.Abs(p)
		} else if dynamic(selfPath) {
			selfPath = testenv.Build(t, "plugin/cmd/liberty-checkpoint-plugin", "liberty-checkpoint-plugin")
		}
	})
	return &Doctor{Host: LocalHost{}, Runtime: podmanCLI{env: env}, ProbeBinary: selfPath}
}

// dynamic reports whether the executable at path needs a dynamic loader.
func dynamic(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// runReal runs doctor and returns its checks by id, and prints them as the CLI would.
func runReal(t *testing.T, d *Doctor, image string) (map[string]engine.Check, *engine.Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var mu sync.Mutex
	got := map[string]engine.Check{}
	var order []string
	res, err := d.Run(ctx, engine.DoctorOptions{Image: image}, func(ev engine.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Check != nil {
			got[ev.Check.ID] = *ev.Check
			order = append(order, ev.Check.ID)
		}
	})
	require.NoError(t, err)
	var b strings.Builder
	for _, id := range order {
		c := got[id]
		fmt.Fprintf(&b, "%-5s %-18s %s\n", c.Status, c.ID, c.Found)
		if c.Fix != "" {
			fmt.Fprintf(&b, "      %-18s fix: %s\n", "", c.Fix)
		}
	}
	t.Logf("doctor %s (%s):\n%s", image, res.Duration.Round(time.Millisecond), b.String())
	require.Len(t, order, len(checks), "every check of the table reports")
	require.Len(t, got, len(checks), "every check reports once")
	assert.Equal(t, len(checks), res.Doctor.OK+res.Doctor.Warn+res.Doctor.Fail+res.Doctor.Skip)
	return got, res
}

// assertNoLeftovers fails if doctor left a container or image of its own behind.
func assertNoLeftovers(t *testing.T) {
	t.Helper()
	out, err := exec.Command("podman", "ps", "-a", "--filter", "name=lcp-doctor-", "--format", "{{.Names}}").Output()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "containers left behind")
	out, err = exec.Command("podman", "images", "--filter", "reference=localhost/lcp-tmp-doctor-probe", "--format", "{{.Repository}}:{{.Tag}}").Output()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)), "probe images left behind")
}

func TestRealHost(t *testing.T) {
	checks, res := runReal(t, realDoctor(t), "")
	for _, id := range []string{"kernel.version", "host.arch", "podman", "oci.runtime", "cgroups", "container.rlimits", "container.caps", "selinux", "yama.ptrace_scope", "seccomp"} {
		c, found := checks[id]
		require.True(t, found, id)
		assert.NotEqual(t, engine.CheckFail, c.Status, "%s: %s (fix: %s)", id, c.Found, c.Fix)
		assert.NotEqual(t, engine.CheckSkip, c.Status, "%s: %s", id, c.Found)
	}
	assert.Equal(t, engine.CheckOK, checks["container.caps"].Status)
	assert.Contains(t, checks["container.caps"].Found, "cap_checkpoint_restore")
	assert.Equal(t, engine.CheckOK, checks["container.rlimits"].Status)
	assert.Contains(t, checks["container.rlimits"].Found, "a container starts with nofile")
	assert.Equal(t, engine.CheckSkip, checks["criu.dump"].Status)
	assert.Equal(t, engine.CheckOK, checks["storage.driver"].Status, checks["storage.driver"].Found)
	assert.Contains(t, checks["storage.driver"].Found, "overlay")
	assert.Equal(t, engine.CheckOK, checks["rootless.userns"].Status, "rootful: %s", checks["rootless.userns"].Found)
	assert.Zero(t, res.Doctor.Fail)
	assertNoLeftovers(t)
}

// TestRealRlimitFailure proves the rlimit check on a real failure: with a containers.conf that
// sets no default_ulimits, rootful Podman asks for nofile 1048576, which this machine's hard
// limit refuses. CONTAINERS_CONF points both podman and doctor's host reading at that file.
func TestRealRlimitFailure(t *testing.T) {
	d := realDoctor(t)
	ctx := context.Background()
	info, err := d.Runtime.Info(ctx)
	require.NoError(t, err)
	hard, err := LocalHost{}.HardLimit("nofile")
	require.NoError(t, err)
	if info.Rootless || hard >= podmanDefaultRlimit {
		testenv.Skip(t, fmt.Sprintf("this machine can start containers with nofile %d (rootless %v, hard nofile %d): nothing to prove", podmanDefaultRlimit, info.Rootless, hard))
	}
	conf := filepath.Join(t.TempDir(), "containers.conf")
	require.NoError(t, os.WriteFile(conf, []byte("[engine]\nruntime = \""+info.OCIRuntime+"\"\n"), 0o644))
	t.Setenv("CONTAINERS_CONF", conf)
	checks, res := runReal(t, realDoctor(t, "CONTAINERS_CONF="+conf), "")
	c := checks["container.rlimits"]
	assert.Equal(t, engine.CheckFail, c.Status, c.Found)
	assert.Contains(t, c.Found, "containers cannot start")
	assert.Contains(t, c.Found, "RLIMIT_")
	assert.Contains(t, c.Found, "containers.conf sets no default_ulimits")
	assert.Contains(t, c.Fix, `default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]`)
	assert.Equal(t, engine.CheckSkip, checks["container.caps"].Status)
	assert.Equal(t, 1, res.Doctor.Fail)
	assertNoLeftovers(t)
}

func TestRealForkyCRIUWorks(t *testing.T) {
	d := realDoctor(t)
	image := needImage(t, "localhost/lcp-rootfs:criu", "forky")
	checks, res := runReal(t, d, image)
	for _, id := range []string{"image.found", "image.arch", "criu.version", "criu.check", "criu.dump", "criu.restore"} {
		assert.Equal(t, engine.CheckOK, checks[id].Status, "%s: %s (fix: %s)", id, checks[id].Found, checks[id].Fix)
	}
	assert.Contains(t, checks["criu.version"].Found, "criu 4.2")
	assert.Contains(t, checks["criu.dump"].Found, "listening TCP socket")
	assert.Contains(t, checks["criu.restore"].Found, "answered on its TCP port again")
	assert.Equal(t, engine.CheckSkip, checks["image.kernel"].Status, "an image liberty-checkpoint did not checkpoint has no kernel label")
	assert.Zero(t, res.Doctor.Fail)
	assertNoLeftovers(t)
}

func TestRealBookwormCRIU317FailsOnVDSO(t *testing.T) {
	d := realDoctor(t)
	image := needImage(t, "localhost/lcp-rootfs:criu-bookworm", "bookworm")
	checks, _ := runReal(t, d, image)
	dump := checks["criu.dump"]
	assert.Equal(t, engine.CheckFail, dump.Status, dump.Found)
	assert.Contains(t, dump.Found, "Unexpected rt vDSO area bounds")
	assert.Contains(t, dump.Fix, "criu 3.17 is too old for this kernel: it needs criu >= 4.2 (Debian forky) on this kernel")
	assert.Equal(t, engine.CheckFail, checks["criu.check"].Status)
	assert.Equal(t, engine.CheckSkip, checks["criu.restore"].Status)
	assert.Equal(t, engine.CheckWarn, checks["criu.version"].Status, "criu 3.17 has no --unprivileged")
	assertNoLeftovers(t)
}

func TestRealTrixieCRIU41FailsOnPasscred(t *testing.T) {
	d := realDoctor(t)
	image := needImage(t, "localhost/lcp-rootfs:criu-trixie", "trixie")
	checks, _ := runReal(t, d, image)
	dump := checks["criu.dump"]
	assert.Equal(t, engine.CheckFail, dump.Status, dump.Found)
	assert.Contains(t, dump.Found, "Can't get 1:16 opt: Operation not supported")
	assert.Contains(t, dump.Fix, "criu 4.1 cannot dump a process with TCP sockets on this kernel")
	assert.Equal(t, engine.CheckSkip, checks["criu.restore"].Status)
	assertNoLeftovers(t)
}

// TestRealCheckpointLabels reads the labels of a real image: one that says it was checkpointed on
// a newer kernel and a CPU with a feature this one lacks.
func TestRealCheckpointLabels(t *testing.T) {
	d := realDoctor(t)
	ref := "localhost/lcp-doctor-labels:" + randomSuffix()
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	require.NoError(t, err)
	var flags []string
	for _, f := range hostinfo.CPUFlags(cpuinfo) {
		flags = append(flags, f)
	}
	_, machine, err := LocalHost{}.Uname()
	require.NoError(t, err)
	changes := []string{
		"LABEL " + engine.LabelKernel + "=99.1.0-future",
		"LABEL " + engine.LabelCPUFlags + "=" + strings.Join(append(flags, "lcp_fake_flag"), " "),
		"LABEL " + engine.LabelArch + "=" + machine,
		"LABEL " + engine.LabelPhase + "=afterAppStart",
	}
	args := []string{"import", "--quiet"}
	for _, c := range changes {
		args = append(args, "--change", c)
	}
	// An image needs one file at least; the probe binary is at hand.
	tarball := filepath.Join(t.TempDir(), "rootfs.tar")
	out, err := exec.Command("tar", "-C", filepath.Dir(selfPath), "-cf", tarball, filepath.Base(selfPath)).CombinedOutput()
	require.NoError(t, err, "%s", out)
	out, err = exec.Command("podman", append(args, tarball, ref)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { _ = exec.Command("podman", "rmi", "--force", ref).Run() })

	checks, _ := runReal(t, d, ref)
	k := checks["image.kernel"]
	assert.Equal(t, engine.CheckWarn, k.Status, k.Found)
	assert.Contains(t, k.Found, "checkpointed on Linux 99.1.0-future, restoring on the older Linux")
	c := checks["image.cpu"]
	assert.Equal(t, engine.CheckFail, c.Status, "a CPU without a recorded feature cannot run the restored JIT code: %s", c.Found)
	assert.Contains(t, c.Found, "lacks 1 of the features the checkpointing CPU had: lcp_fake_flag")
	assert.Equal(t, engine.CheckOK, checks["image.arch"].Status)
	assert.Equal(t, engine.CheckFail, checks["criu.version"].Status, "the image has no criu")
	assert.Contains(t, checks["image.found"].Found, "checkpointed at afterAppStart")
}
