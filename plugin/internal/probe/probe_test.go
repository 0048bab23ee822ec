//go:build linux

package probe

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
)

// The test binary is the probe too: the criu mode starts `<self> probe listen DIR`.
func TestMain(m *testing.M) {
	RunIfAsked()
	os.Exit(m.Run())
}

func TestCapsReportsThisProcess(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"caps"}, &out, &errb), errb.String())
	assert.True(t, strings.HasPrefix(out.String(), Marker))
	rep, err := Parse("container noise\n" + out.String())
	require.NoError(t, err)
	require.NotNil(t, rep.Caps)
	assert.Nil(t, rep.CRIU)
	assert.Regexp(t, `^[0-9a-f]{16}$`, rep.Caps.CapEff)
	assert.Equal(t, os.Getuid(), rep.Caps.UID)
	assert.NotZero(t, rep.Caps.Nofile[1])
	assert.NotEmpty(t, rep.Caps.Seccomp)
}

func TestListenerAnswersOnLoopback(t *testing.T) {
	work := t.TempDir()
	child, port, err := startListener(work)
	require.NoError(t, err)
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	assert.True(t, answers(port, 3*time.Second))
	assert.True(t, answers(port, 3*time.Second), "it keeps serving")
	_ = child.Process.Kill()
	_ = child.Wait()
	assert.False(t, answers(port, 200*time.Millisecond), "a dead listener does not answer")
}

func TestCRIUMissing(t *testing.T) {
	r := probeCRIU("/nonexistent/criu")
	assert.Empty(t, r.Path)
	assert.Contains(t, r.Error, "/nonexistent/criu")
	assert.Nil(t, r.Dump)
}

func TestUsageAndParseErrors(t *testing.T) {
	var out, errb bytes.Buffer
	assert.Equal(t, 2, run(nil, &out, &errb))
	assert.Equal(t, 2, run([]string{"bogus"}, &out, &errb))
	assert.Contains(t, errb.String(), `unknown mode "bogus"`)
	assert.Equal(t, 2, run([]string{"listen"}, &out, &errb))
	assert.Empty(t, out.String())
	_, err := Parse("no report here")
	assert.ErrorContains(t, err, "no probe report")
	_, err = Parse(Marker + "{broken")
	assert.ErrorContains(t, err, "probe report")
}

func TestLogExcerptKeepsErrorsAndTail(t *testing.T) {
	log := "(0.1) a\n(0.2) Error (x.c:1): first\n(0.3) b\n(0.4) c\n(0.5) d\n(0.6) e\n(0.7) Error (y.c:2): last\n"
	got := logExcerpt(log)
	assert.Equal(t, []string{"(0.2) Error (x.c:1): first", "(0.7) Error (y.c:2): last", "(0.3) b", "(0.4) c", "(0.5) d", "(0.6) e"}, got)
	assert.Equal(t, []string{"b", "c"}, tail("a\nb\nc\n", 2))
	assert.Nil(t, tail("", 2))
}

// Without --criu the probe runs the image's restore copy, which the image names in
// CRIU_RESTORE_PATH, as a restore does.
func TestCRIUProbeUsesTheRestoreCopy(t *testing.T) {
	t.Setenv("CRIU_RESTORE_PATH", "/no/such/restore/criu")
	r := probeCRIU("")
	assert.Contains(t, r.Error, "/no/such/restore/criu")
	assert.Empty(t, r.Path)
}

// Outside a container the host is this machine: the probe reads what doctor and commit read of a
// remote Podman host from inside a container there.
func TestHostReportsThisKernelAndCPU(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"host"}, &out, &errb), errb.String())
	rep, err := Parse(out.String())
	require.NoError(t, err)
	require.NotNil(t, rep.Host)
	assert.Nil(t, rep.Caps)
	release, machine, err := hostinfo.Uname()
	require.NoError(t, err)
	assert.Equal(t, release, rep.Host.Kernel)
	assert.Equal(t, machine, rep.Host.Machine)
	assert.GreaterOrEqual(t, rep.Host.CapLastCap, 36, "every kernel since 3.16 has cap_last_cap >= 36")
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	require.NoError(t, err)
	assert.Equal(t, hostinfo.CPUFlags(cpuinfo), rep.Host.CPUFlags)

	out.Reset()
	require.Equal(t, 0, run([]string{"caps"}, &out, &errb), errb.String())
	rep, err = Parse(out.String())
	require.NoError(t, err)
	assert.NotNil(t, rep.Caps)
	assert.Equal(t, release, rep.Host.Kernel, "caps reports the host too")
}
