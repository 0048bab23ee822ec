package owner

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLabelRoundTrip(t *testing.T) {
	o := Self("abc123")
	assert.Equal(t, os.Getpid(), o.PID)
	assert.NotZero(t, o.Start)
	got, ok := FromLabels(o.Labels())
	require.True(t, ok)
	assert.Equal(t, o, got)
	_, ok = FromLabels(map[string]string{"other": "x"})
	assert.False(t, ok)
	_, ok = Parse("op=x pid=notanumber")
	assert.False(t, ok)
}

func TestStatus(t *testing.T) {
	me := Self("op")
	st, why := me.Status()
	assert.Equal(t, Alive, st, why)

	// A process that has ended.
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	pid := cmd.Process.Pid
	start, err := StartTime(pid)
	require.NoError(t, err)
	require.NoError(t, cmd.Wait())
	dead := me
	dead.PID, dead.Start = pid, start
	st, why = dead.Status()
	assert.Equal(t, Gone, st, why)

	// A process that has ended but is not yet reaped (a killed host whose parent has not waited
	// for it): gone, though its pid still has a stat file.
	z := exec.Command("true")
	require.NoError(t, z.Start())
	t.Cleanup(func() { _ = z.Wait() })
	zstart, err := StartTime(z.Process.Pid)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return zombie(z.Process.Pid) }, 5*time.Second, 10*time.Millisecond)
	unreaped := me
	unreaped.PID, unreaped.Start = z.Process.Pid, zstart
	st, why = unreaped.Status()
	assert.Equal(t, Gone, st, why)
	assert.Contains(t, why, "not yet reaped")

	// A pid that now belongs to another process (another start time).
	reused := me
	reused.Start = me.Start + 1
	st, why = reused.Status()
	assert.Equal(t, Gone, st)
	assert.Contains(t, why, "another process")

	// Another boot of this machine, and another machine.
	old := me
	old.Boot = "0000"
	st, _ = old.Status()
	assert.Equal(t, Gone, st)
	far := me
	far.Machine = "elsewhere"
	st, _ = far.Status()
	assert.Equal(t, Elsewhere, st, "another machine's processes cannot be judged from here")
}

func TestLeftoversAndRemove(t *testing.T) {
	tmp := t.TempDir()
	live, err := MkdirTemp(tmp, "lcp-x-", Self("live"))
	require.NoError(t, err)

	// A gone owner that started a helper process which still runs.
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	done := make(chan struct{})
	go func() { _, _ = cmd.Process.Wait(); close(done) }()
	gone := Self("gone")
	gone.Start++
	deadDir, err := MkdirTemp(tmp, "lcp-x-", gone)
	require.NoError(t, err)
	require.NoError(t, AddProcess(deadDir, cmd.Process.Pid))
	require.NoError(t, os.WriteFile(filepath.Join(deadDir, "podman.sock"), nil, 0o600))

	// Not ours: no owner record, or another prefix.
	require.NoError(t, os.Mkdir(filepath.Join(tmp, "lcp-x-norecord"), 0o700))
	other, err := MkdirTemp(tmp, "other-", gone)
	require.NoError(t, err)

	l := Leftovers(tmp, "lcp-x-")
	require.Len(t, l, 1)
	assert.Equal(t, deadDir, l[0].Dir)
	ended, err := l[0].Remove(2 * time.Second)
	require.NoError(t, err)
	assert.Equal(t, 1, ended)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the helper process of a gone owner still runs")
	}
	assert.NoDirExists(t, deadDir)
	assert.DirExists(t, live)
	assert.DirExists(t, other)
	assert.DirExists(t, filepath.Join(tmp, "lcp-x-norecord"))
}
