package doctor

import (
	"fmt"
	"strings"
)

// problem is a known CRIU failure: what it means and how to fix it.
type problem struct {
	found, fix string
}

const newerCRIU = "criu >= 4.2 (Debian forky)"

// knownCRIUProblems maps a line CRIU writes to what it means. Measured on Linux 6.18: Debian
// bookworm's criu 3.17 fails on the vDSO before doing anything; trixie's criu 4.1 cannot dump
// an INET socket because the kernel refuses SO_PASSCRED (1:16) on it.
var knownCRIUProblems = []struct {
	marker  string
	explain func(criu, kernel string) problem
}{
	{"Unexpected rt vDSO area bounds", func(criu, kernel string) problem {
		return problem{
			found: fmt.Sprintf("criu %s cannot read the vDSO of Linux %s (\"Unexpected rt vDSO area bounds\")", criu, kernel),
			fix: fmt.Sprintf("criu %s is too old for this kernel: it needs %s on this kernel; rebuild the image with a newer criu (beta-image/local/rootfs.sh makes a forky rootfs)",
				majorMinor(criu), newerCRIU),
		}
	}},
	{"Can't get 1:16 opt", func(criu, kernel string) problem {
		return problem{
			found: fmt.Sprintf("criu %s asks for SO_PASSCRED on a TCP socket and Linux %s refuses it (\"sockets: Can't get 1:16 opt: Operation not supported\")", criu, kernel),
			fix:   fmt.Sprintf("criu %s cannot dump a process with TCP sockets on this kernel: it needs %s; rebuild the image with a newer criu", majorMinor(criu), newerCRIU),
		}
	}},
	{"Unable to restore capabilities", func(criu, kernel string) problem {
		return problem{
			found: "the dumped process held capabilities the restoring criu does not have (\"Unable to restore capabilities\")",
			fix:   "start the JVM without capabilities (setpriv --inh-caps=-all --ambient-caps=-all) so that only criu holds them, through file capabilities",
		}
	}},
	{"CRIU needs to have the CAP_SYS_ADMIN or the CAP_CHECKPOINT_RESTORE", func(criu, kernel string) problem {
		return problem{
			found: "criu lacks the capabilities it needs (\"CRIU needs to have the CAP_SYS_ADMIN or the CAP_CHECKPOINT_RESTORE capability\")",
			fix:   "give the container CHECKPOINT_RESTORE and SETPCAP (and SYS_PTRACE to checkpoint), and run criu with --unprivileged",
		}
	}},
	{"Unable to seize", func(criu, kernel string) problem {
		return problem{
			found: "criu may not ptrace the process (\"Unable to seize\")",
			fix:   "allow ptrace: kernel.yama.ptrace_scope 1 or lower, seccomp=unconfined, and CAP_SYS_PTRACE when checkpointing",
		}
	}},
}

// diagnose recognises a known CRIU failure in its output or log.
func diagnose(text, criuVersion, kernel string) *problem {
	if criuVersion == "" {
		criuVersion = "(unknown version)"
	}
	for _, k := range knownCRIUProblems {
		if strings.Contains(text, k.marker) {
			p := k.explain(criuVersion, kernel)
			return &p
		}
	}
	return nil
}

// firstError is the first CRIU "Error (" line, without its timestamp, or the first line.
func firstError(lines []string) string {
	for _, l := range lines {
		if i := strings.Index(l, "Error ("); i >= 0 {
			return strings.TrimSpace(l[i:])
		}
	}
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			return t
		}
	}
	return "no output"
}
