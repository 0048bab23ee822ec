package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Text prints progress lines, log lines indented under their step, and a final summary.
type Text struct {
	mu      sync.Mutex
	w       io.Writer
	Verbose bool
}

func (t *Text) printf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, format, args...)
}

func (t *Text) Start(string) {}

var sourceMark = map[engine.Source]string{
	engine.SourceBuild: "build", engine.SourceContainer: "container", engine.SourceFile: "file",
}

func (t *Text) Event(ev engine.Event) {
	switch {
	case ev.Log != nil:
		l := ev.Log
		if l.Level == engine.LevelDebug && !t.Verbose {
			return
		}
		prefix := "      "
		if m, ok := sourceMark[l.Source]; ok {
			prefix = fmt.Sprintf("      %-9s| ", m)
		}
		if l.Level == engine.LevelWarn {
			prefix += "warning: "
		}
		t.printf("%s%s\n", prefix, l.Line)
	case ev.Progress != nil:
		p := ev.Progress
		if p.State == engine.StepStarted {
			t.printf("[%d/%d] %s...\n", p.Step, p.Total, p.Name)
			return
		}
		detail := ""
		if p.Detail != "" {
			detail = " (" + p.Detail + ")"
		}
		t.printf("[%d/%d] %s done in %s%s\n", p.Step, p.Total, p.Name, humanize.Duration(p.Duration), detail)
	case ev.Check != nil:
		c := ev.Check
		t.printf("%-4s  %-24s %s\n", c.Status, c.ID, c.Found)
		if c.Fix != "" && c.Status != engine.CheckOK {
			t.printf("      %-24s fix: %s\n", "", c.Fix)
		}
	}
}

func (t *Text) Result(r *engine.Result) {
	var b strings.Builder
	switch r.Operation {
	case engine.OpRestore:
		ro := r.Restore
		if ro == nil {
			break
		}
		verdict := "restored from checkpoint"
		if ro.Verdict == engine.ColdStart {
			verdict = "FELL BACK TO A COLD START (the checkpoint was not used)"
		}
		fmt.Fprintf(&b, "%s: %s, ready in %s\n", r.Image, verdict, humanize.Duration(ro.Ready))
		if ro.URL != "" {
			fmt.Fprintf(&b, "  %s answered HTTP %d\n", ro.URL, ro.HTTPStatus)
		}
		if ro.Evidence != "" {
			fmt.Fprintf(&b, "  evidence: %s\n", ro.Evidence)
		}
		if p := ro.Process; p != nil {
			fmt.Fprintf(&b, "  server process: pid %d, capabilities %s, no_new_privs %t, seccomp mode %d\n", p.PID, p.CapEff, p.NoNewPrivs, p.Seccomp)
		}
		ports := make([]int, 0, len(ro.Published))
		for p := range ro.Published {
			ports = append(ports, int(p))
		}
		sort.Ints(ports)
		for _, p := range ports {
			fmt.Fprintf(&b, "  port %d -> %s\n", p, ro.Published[uint32(p)])
		}
		if r.ContainerName != "" {
			fmt.Fprintf(&b, "  left running as %s (podman rm -f %s to stop it)\n", r.ContainerName, r.ContainerName)
		}
	case engine.OpDoctor:
		if d := r.Doctor; d != nil {
			fmt.Fprintf(&b, "%d ok, %d warn, %d fail, %d skipped\n", d.OK, d.Warn, d.Fail, d.Skip)
		}
	case engine.OpKube:
		renderKube(&b, r)
	case engine.OpPrune:
		p := r.Prune
		if p == nil {
			break
		}
		fmt.Fprintf(&b, "removed %d container(s), %d temporary image name(s), %d lock(s), %d temporary directory(ies), %d helper process(es)",
			len(p.Containers), len(p.Images), len(p.Volumes), len(p.Directories), p.Processes)
		if p.InUse > 0 {
			fmt.Fprintf(&b, "; left %d in use by running operations", p.InUse)
		}
		b.WriteString("\n")
	case engine.OpCheckpoint:
		fmt.Fprintf(&b, "checkpointed %s at %s into container %s", r.Image, r.Phase, orID(r.ContainerName, r.ContainerID))
		if r.CheckpointSize > 0 {
			fmt.Fprintf(&b, " (checkpoint %s)", humanize.Bytes(r.CheckpointSize))
		}
		fmt.Fprintf(&b, "\n  next: liberty-checkpoint commit --container %s --image <name>\n", orID(r.ContainerName, r.ContainerID))
	default:
		fmt.Fprintf(&b, "%s %s", r.Operation, r.Image)
		if r.ImageID != "" {
			fmt.Fprintf(&b, " (%s", humanize.ShortID(r.ImageID))
			if r.ImageSize > 0 {
				fmt.Fprintf(&b, ", %s", humanize.Bytes(r.ImageSize))
			}
			b.WriteString(")")
		}
		if r.Phase != "" {
			fmt.Fprintf(&b, ", phase %s", r.Phase)
		}
		b.WriteString("\n")
		if r.ImageDigest != "" {
			fmt.Fprintf(&b, "  pushed to %s@%s\n", r.PushedTo, r.ImageDigest)
		}
	}
	if len(r.Timings) > 1 {
		parts := make([]string, len(r.Timings))
		for i, tm := range r.Timings {
			parts[i] = tm.Name + " " + humanize.Duration(tm.Duration)
		}
		fmt.Fprintf(&b, "  %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, "done in %s\n", humanize.Duration(r.Duration))
	t.printf("%s", b.String())
}

func (t *Text) Error(err error, _ int) {
	e := engine.AsError(err)
	var b strings.Builder
	// Settings are named as the command line spells them (--config-directory), not as the API
	// does (config_dir).
	fmt.Fprintf(&b, "Error: %s\n", settings.Spell(e.Detail(), settings.FlagOf))
	if e.Field != "" {
		where := e.Field
		if s, ok := settings.ByField(e.Field); ok {
			where = s.Flag
		}
		fmt.Fprintf(&b, "  setting: %s\n", where)
	}
	if e.Fix != "" {
		fmt.Fprintf(&b, "  fix: %s\n", settings.Spell(e.Fix, settings.FlagOf))
	}
	if len(e.LogTail) > 0 {
		b.WriteString("  last log lines:\n")
		for _, l := range e.LogTail {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	t.printf("%s", b.String())
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return humanize.ShortID(id)
}

// renderKube says what kube wrote, which Pod Security Standards level admits the pod and why, and
// how to apply it.
func renderKube(b *strings.Builder, r *engine.Result) {
	k := r.Kube
	if k == nil {
		fmt.Fprintf(b, "kube %s\n", r.Image)
		return
	}
	fmt.Fprintf(b, "wrote the Kubernetes objects for %s (memory request and limit %s)\n", r.Image, humanize.Bytes(k.MemoryBytes))
	for _, f := range k.Files {
		fmt.Fprintf(b, "  %s\n", f)
	}
	fmt.Fprintf(b, "  Pod Security Standards: only the %q level admits the pod; label its namespace pod-security.kubernetes.io/enforce=%s\n",
		k.PodSecurityLevel, k.PodSecurityLevel)
	for _, why := range k.PodSecurityReasons {
		fmt.Fprintf(b, "    %s\n", why)
	}
	if len(k.Files) > 1 {
		fmt.Fprintf(b, "  copy %s to /var/lib/kubelet/seccomp/ on every node, then kubectl apply -f %s\n", k.Files[1], k.Files[0])
	}
}
