// Package probe is the in-container half of doctor. The plugin binary is static, so doctor copies
// it into a throwaway container and runs it as `liberty-checkpoint-plugin probe <mode>`:
//
//	probe caps   report the capabilities, seccomp mode and rlimits the container really got,
//	             and what the container sees of its host (see Host)
//	probe host   report only what the container sees of its host: kernel, CPU flags, Yama
//	probe criu   run `criu check`, then dump and restore a child process holding a listening
//	             TCP socket with the image's own criu, and connect to it before and after
//
// Each mode prints one line, Marker followed by a JSON Report, on stdout and exits 0; a non-zero
// exit means the probe itself could not run. The image needs no shell or tools besides criu.
// The plugin's main calls RunIfAsked first, before go-plugin's Serve.
package probe

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
)

const (
	// Command is the first argument that turns the plugin binary into the probe.
	Command = "probe"
	// Marker starts the report line.
	Marker = "LCP-PROBE "
	// Dir is where doctor copies the probe in a container; the probe works under Dir/work.
	Dir = "/.lcp-doctor"
	// Path is the probe binary inside the container.
	Path = Dir + "/probe"
)

// Report is what one probe run found: Caps and Host (caps), Host (host), or CRIU (criu).
type Report struct {
	Caps *Caps `json:"caps,omitempty"`
	CRIU *CRIU `json:"criu,omitempty"`
	Host *Host `json:"host,omitempty"`
}

// Host is what a container sees of the machine it runs on: containers share its kernel, so the
// kernel's release, its sysctls and /proc/cpuinfo are the Podman host's. Doctor and commit read
// a remote Podman host through it.
type Host struct {
	Kernel  string `json:"kernel"`  // uname -r
	Machine string `json:"machine"` // uname -m
	// CapLastCap is /proc/sys/kernel/cap_last_cap (40 and up: CAP_CHECKPOINT_RESTORE); -1 unknown.
	CapLastCap int `json:"capLastCap"`
	// PtraceScope is /proc/sys/kernel/yama/ptrace_scope; empty when Yama is not active.
	PtraceScope string   `json:"ptraceScope,omitempty"`
	CPUFlags    []string `json:"cpuFlags,omitempty"` // of the first CPU in /proc/cpuinfo
}

// Caps is the process state a container started with.
type Caps struct {
	UID        int    `json:"uid"`
	CapEff     string `json:"capEff"` // hex masks as in /proc/self/status
	CapPrm     string `json:"capPrm"`
	CapBnd     string `json:"capBnd"`
	NoNewPrivs string `json:"noNewPrivs"`
	Seccomp    string `json:"seccomp"` // 0 none, 1 strict, 2 filter
	// Soft and hard limits.
	Nofile [2]uint64 `json:"nofile"`
	Nproc  [2]uint64 `json:"nproc"`
}

// Step is one command the criu probe ran.
type Step struct {
	Command string   `json:"command"`
	Exit    int      `json:"exit"`              // -1: did not run (see Error)
	Output  []string `json:"output,omitempty"`  // its stdout and stderr, last lines
	Log     []string `json:"log,omitempty"`     // the last lines of its -o log and every Error line
	Error   string   `json:"error,omitempty"`   // why it could not run
	Skipped string   `json:"skipped,omitempty"` // why it was not run

	unknownOption bool
}

// OK reports whether the step ran and exited 0.
func (s *Step) OK() bool { return s != nil && s.Skipped == "" && s.Error == "" && s.Exit == 0 }

// CRIU is what the criu probe found.
type CRIU struct {
	Path    string `json:"path,omitempty"`    // the criu binary, empty when none was found
	Version string `json:"version,omitempty"` // e.g. 4.2.1
	// Unprivileged is whether criu accepted --unprivileged (criu >= 3.18 or so); without it criu
	// wants CAP_SYS_ADMIN, which doctor does not grant.
	Unprivileged bool  `json:"unprivileged"`
	Check        *Step `json:"check,omitempty"`
	Dump         *Step `json:"dump,omitempty"`
	Restore      *Step `json:"restore,omitempty"`
	// ServedBefore/ServedAfter: the child answered on its TCP port before the dump / after the
	// restore.
	ServedBefore bool   `json:"servedBefore"`
	ServedAfter  bool   `json:"servedAfter"`
	Error        string `json:"error,omitempty"` // a problem outside the criu commands
}

// RunIfAsked runs the probe and exits when the process was started as `<binary> probe ...`;
// otherwise it returns at once.
func RunIfAsked() {
	if len(os.Args) > 1 && os.Args[1] == Command {
		os.Exit(Main(os.Args[2:]))
	}
}

// Main runs the probe with args (the words after Command) and returns the exit code.
func Main(args []string) int { return run(args, os.Stdout, os.Stderr) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: probe caps | host | criu [--criu PATH] | listen DIR")
		return 2
	}
	var rep Report
	switch args[0] {
	case "caps":
		c, err := readCaps()
		if err != nil {
			fmt.Fprintln(stderr, "probe caps:", err)
			return 1
		}
		rep.Caps, rep.Host = c, readHost()
	case "host":
		rep.Host = readHost()
	case "criu":
		criu := ""
		if len(args) == 3 && args[1] == "--criu" {
			criu = args[2]
		}
		rep.CRIU = probeCRIU(criu)
	case "listen":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: probe listen DIR")
			return 2
		}
		if err := listen(args[1]); err != nil {
			fmt.Fprintln(stderr, "probe listen:", err)
			return 1
		}
		return 0
	default:
		fmt.Fprintf(stderr, "probe: unknown mode %q (caps, host, criu, listen)\n", args[0])
		return 2
	}
	b, err := json.Marshal(rep)
	if err != nil {
		fmt.Fprintln(stderr, "probe:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s%s\n", Marker, b)
	return 0
}

// Parse finds the report line in a container's output.
func Parse(output string) (*Report, error) {
	for _, line := range strings.Split(output, "\n") {
		if i := strings.Index(line, Marker); i >= 0 {
			var r Report
			if err := json.Unmarshal([]byte(strings.TrimSpace(line[i+len(Marker):])), &r); err != nil {
				return nil, fmt.Errorf("probe report: %w", err)
			}
			return &r, nil
		}
	}
	return nil, fmt.Errorf("no probe report in the container output")
}

func readCaps() (*Caps, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	c := &Caps{UID: os.Getuid()}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "CapEff":
			c.CapEff = v
		case "CapPrm":
			c.CapPrm = v
		case "CapBnd":
			c.CapBnd = v
		case "NoNewPrivs":
			c.NoNewPrivs = v
		case "Seccomp":
			c.Seccomp = v
		}
	}
	if soft, hard, err := hostinfo.Rlimit("nofile"); err == nil {
		c.Nofile = [2]uint64{soft, hard}
	}
	if soft, hard, err := hostinfo.Rlimit("nproc"); err == nil {
		c.Nproc = [2]uint64{soft, hard}
	}
	return c, nil
}

// readHost reads what the container sees of its host. Missing pieces stay empty.
func readHost() *Host {
	h := &Host{CapLastCap: -1}
	h.Kernel, h.Machine, _ = hostinfo.Uname()
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			h.CapLastCap = n
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); err == nil {
		h.PtraceScope = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		h.CPUFlags = hostinfo.CPUFlags(b)
	}
	return h
}
