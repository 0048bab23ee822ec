// Package hostmatch compares what an InstantOn image recorded about the host that checkpointed
// it (its labels: architecture, kernel, CPU flags, memory) with the host about to restore it, and
// says which difference matters and why. restore runs it before it creates a container, doctor
// --image reports it check by check.
package hostmatch

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/memfit"
)

// Severity is how much a difference matters.
type Severity int

const (
	// Same: nothing in the way.
	Same Severity = iota
	// Unknown: the image or the host does not say; nothing compared.
	Unknown
	// Risk: the restore may fail; Liberty then starts the server cold (unless recovery is
	// disabled).
	Risk
	// Blocking: the restore cannot work here.
	Blocking
)

// Finding is one comparison: its doctor check id, what was found, and the fix.
type Finding struct {
	ID       string
	Severity Severity
	Found    string
	Fix      string
}

// Host is what the restoring host offers.
type Host struct {
	Arch     string   // uname -m spelling
	Kernel   string   // uname -r
	CPUFlags []string // nil: unknown (Podman runs elsewhere)
	// Memory is the restore container's memory limit in bytes; 0: none.
	Memory int64
}

// Compare runs every comparison on an image's labels.
func Compare(labels map[string]string, h Host) []Finding {
	return []Finding{Arch(labels, h.Arch), Kernel(labels, h.Kernel), CPU(labels, h.CPUFlags), Memory(labels, h.Memory)}
}

// Arch: a checkpoint holds machine code and registers of the architecture it was taken on.
func Arch(labels map[string]string, here string) Finding {
	f := Finding{ID: "image.arch"}
	rec := labels[engine.LabelArch]
	switch {
	case rec == "" || here == "":
		f.Severity, f.Found = Unknown, "no "+engine.LabelArch+" label"
	case rec != here:
		f.Severity = Blocking
		f.Found = fmt.Sprintf("the image was checkpointed on %s, this machine is %s: a checkpoint restores only on the architecture it was taken on", rec, here)
		f.Fix = "restore on " + rec + ", or checkpoint the image again on " + here
	default:
		f.Found = "checkpointed on " + rec + ", as this machine"
	}
	return f
}

// Kernel: restoring on an older kernel than the one that checkpointed may fail (the checkpoint
// may use what the older kernel lacks); on a newer one the image's criu must know that kernel.
func Kernel(labels map[string]string, here string) Finding {
	f := Finding{ID: "image.kernel"}
	rec := labels[engine.LabelKernel]
	if rec == "" {
		f.Severity, f.Found = Unknown, "no "+engine.LabelKernel+" label: not an image liberty-checkpoint checkpointed"
		return f
	}
	rv, ok1 := parseVersion(rec)
	hv, ok2 := parseVersion(here)
	switch {
	case !ok1 || !ok2:
		f.Severity, f.Found = Risk, fmt.Sprintf("cannot compare the checkpoint's kernel %q with this one, %q", rec, here)
	case less(hv, rv):
		f.Severity = Risk
		f.Found = fmt.Sprintf("checkpointed on Linux %s, restoring on the older Linux %s: the checkpoint may use kernel features this one lacks", rec, here)
		f.Fix = fmt.Sprintf("restore on Linux %s or newer, or checkpoint on the oldest kernel you restore on", join(rv))
	case less(rv, hv) && (hv[0] != rv[0] || hv[1] != rv[1]):
		f.Found = fmt.Sprintf("checkpointed on Linux %s, restoring on the newer Linux %s (the image's criu%s must know this kernel: doctor --image tries it)",
			rec, here, criu(labels))
	default:
		f.Found = fmt.Sprintf("checkpointed on Linux %s, restoring on Linux %s", rec, here)
	}
	return f
}

func criu(labels map[string]string) string {
	if v := labels[engine.LabelCRIUVersion]; v != "" {
		return " " + v
	}
	return ""
}

// CPU: the JVM compiled code for the CPU features it found before the checkpoint. Liberty
// restores with criu --cpu-cap=none, so criu does not refuse a CPU without them: the restore
// succeeds and the server dies (SIGILL) when it runs such code, with no cold-start fallback.
func CPU(labels map[string]string, flags []string) Finding {
	f := Finding{ID: "image.cpu"}
	rec := labels[engine.LabelCPUFlags]
	switch {
	case rec == "":
		f.Severity, f.Found = Unknown, "no "+engine.LabelCPUFlags+" label: not an image liberty-checkpoint checkpointed"
		return f
	case flags == nil:
		f.Severity, f.Found = Unknown, "this host's CPU flags are unknown (Podman runs on another machine)"
		return f
	}
	have := map[string]bool{}
	for _, fl := range flags {
		have[fl] = true
	}
	if lack := Missing(rec, have); len(lack) > 0 {
		f.Severity = Blocking
		f.Found = fmt.Sprintf("this CPU lacks %d of the features the checkpointing CPU had: %s; the restored JVM runs code compiled for them "+
			"and dies of SIGILL when it reaches it (criu restores with --cpu-cap=none, so nothing stops it before)", len(lack), strings.Join(lack, " "))
		f.Fix = "restore on a CPU with these features, or checkpoint on the oldest CPU model you restore on"
		return f
	}
	f.Found = fmt.Sprintf("this CPU has all %d features recorded at checkpoint time", len(strings.Fields(rec)))
	return f
}

// Missing returns the flags of want (space-separated) that have lacks, sorted, each once.
func Missing(want string, have map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(want) {
		if !have[f] && !seen[f] {
			out = append(out, f)
			seen[f] = true
		}
	}
	sort.Strings(out)
	return out
}

// Memory: the restore's limit against the memory the checkpointed server held, by memfit's rule
// (the one kube applies too): below the RSS it is OOM-killed at once, below what the heap may grow
// to later.
func Memory(labels map[string]string, limit int64) Finding {
	v := memfit.Judge(memfit.FromLabels(labels), limit, "")
	f := Finding{ID: "image.memory", Found: v.Found, Fix: v.Fix}
	switch v.Level {
	case memfit.Unknown:
		f.Severity = Unknown
	case memfit.Risk:
		f.Severity = Risk
	case memfit.TooSmall:
		f.Severity = Blocking
	}
	return f
}

var versionRE = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\.(\d+))?`)

// parseVersion reads the leading numbers of a kernel release: "6.18.44-fc-v657" is 6.18.44.
func parseVersion(s string) ([]int, bool) {
	m := versionRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, false
	}
	v := make([]int, 3)
	for i, p := range m[1:] {
		v[i], _ = strconv.Atoi(p)
	}
	return v, true
}

func less(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func join(v []int) string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }
