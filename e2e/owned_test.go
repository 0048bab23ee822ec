package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// What the tests count as left behind is scoped to what they made: the tool labels every
// container, temporary image and lock volume with its owner (internal/owner: the plugin
// process, pid and start time), and a pluginWatch records every process that runs this test
// binary's own plugin build. Another user's run on the same Podman store (its plugin is
// another binary) does not change the counts; a leak of ours still does.

// pluginWatch records the processes that run one executable, from when it is started on.
type pluginWatch struct {
	path string
	mu   sync.Mutex
	seen map[[2]uint64]bool // pid, start time
}

var (
	watchesMu sync.Mutex
	watches   = map[string]*pluginWatch{}
)

// watchPlugins starts (once per path) recording the processes that run the plugin at path. It
// looks every 10ms: a plugin lives far longer before it makes anything (go-plugin's handshake
// alone takes tens of milliseconds).
func watchPlugins(path string) *pluginWatch {
	watchesMu.Lock()
	defer watchesMu.Unlock()
	if w, ok := watches[path]; ok {
		return w
	}
	w := &pluginWatch{path: path, seen: map[[2]uint64]bool{}}
	watches[path] = w
	go func() {
		for {
			w.scan()
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return w
}

func (w *pluginWatch) scan() {
	for _, pid := range processes(w.path) {
		w.add(pid)
	}
}

func (w *pluginWatch) add(pid int) {
	if start, err := owner.StartTime(pid); err == nil {
		w.mu.Lock()
		w.seen[[2]uint64{uint64(pid), start}] = true
		w.mu.Unlock()
	}
}

// owns reports whether an owner label value names one of the watched processes.
func (w *pluginWatch) owns(label string) bool {
	o, ok := owner.Parse(label)
	if !ok {
		return false
	}
	w.scan() // a plugin that runs right now
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen[[2]uint64{uint64(o.PID), o.Start}]
}

// ownerFormat prints an object's name, a tab and its owner label.
const ownerFormat = "\t{{index .Labels \"" + owner.Label + "\"}}"

// leftovers lists what the watched plugins made and left in Podman: containers named lcp-*,
// temporary images and lock volumes whose owner label names one of them.
func (w *pluginWatch) leftovers(t *testing.T) []string {
	t.Helper()
	lines := append(podmanLines(t, "ps", "-a", "--filter", "name=^lcp-", "--format", "container {{.Names}}"+ownerFormat),
		podmanLines(t, "images", "--filter", "reference=localhost/lcp-tmp-*", "--format", "image {{.Repository}}:{{.Tag}}"+ownerFormat)...)
	lines = append(lines, podmanLines(t, "volume", "ls", "--filter", "name=lcp-lock-", "--format", "volume {{.Name}}"+ownerFormat)...)
	return w.ours(lines)
}

// ours keeps the lines ("kind name<TAB>owner label") whose owner is a watched process, without
// the label.
func (w *pluginWatch) ours(lines []string) []string {
	var out []string
	for _, l := range lines {
		what, label, _ := strings.Cut(l, "\t")
		if w.owns(label) {
			out = append(out, what)
		}
	}
	slices.Sort(out)
	return out
}

// A leak of ours counts, another run's object does not: a volume labeled with the owner of a
// process of this test's "plugin" (a copy of sleep, so its executable is ours alone), one labeled
// with a process of someone else's, and one without a label, all named like lock volumes.
func TestLeftoversAreOurs(t *testing.T) {
	testenv.LookPath(t, "podman", "run hack/setup-host.sh")
	sleepBin, err := exec.LookPath("sleep")
	require.NoError(t, err)
	data, err := os.ReadFile(sleepBin)
	require.NoError(t, err)
	fake := filepath.Join(t.TempDir(), "liberty-checkpoint-plugin")
	require.NoError(t, os.WriteFile(fake, data, 0o755))
	w := watchPlugins(fake)
	before := w.leftovers(t)

	plugin := exec.Command(fake, "60")
	require.NoError(t, plugin.Start())
	t.Cleanup(func() { _ = plugin.Process.Kill(); _ = plugin.Wait() })
	require.True(t, waitFor(5*time.Second, func() bool { return slices.Contains(processes(fake), plugin.Process.Pid) }))
	w.scan() // as the watch does every 10ms
	start, err := owner.StartTime(plugin.Process.Pid)
	require.NoError(t, err)
	ours := owner.Owner{Op: "leak", PID: plugin.Process.Pid, Start: start, Boot: "b", Machine: "m"}
	theirs := owner.Self("another-run") // this test process: not a plugin of ours

	id := randomID()
	names := map[string]string{"lcp-lock-test-ours-" + id: ours.LabelValue(), "lcp-lock-test-theirs-" + id: theirs.LabelValue(),
		"lcp-lock-test-unlabeled-" + id: ""}
	for name, label := range names {
		args := []string{"volume", "create"}
		if label != "" {
			args = append(args, "--label", owner.Label+"="+label)
		}
		out, err := exec.Command("podman", append(args, name)...).CombinedOutput()
		require.NoError(t, err, "%s", out)
		t.Cleanup(func() { _ = exec.Command("podman", "volume", "rm", "-f", name).Run() })
	}
	_ = plugin.Process.Kill() // gone, as a killed plugin is: its objects still count
	_ = plugin.Wait()

	after := w.leftovers(t)
	assert.Equal(t, append(slices.Clone(before), fmt.Sprintf("volume lcp-lock-test-ours-%s", id)), after,
		"the leaked volume of our plugin counts; another run's and an unlabeled one do not")
}
