// Package doctor predicts a failed checkpoint or restore before it happens. It checks the host
// (kernel, architecture, SELinux, Yama, seccomp), the container engine (Podman, its OCI runtime,
// cgroups, rootless Podman's user namespace, network and cgroups, the storage driver, container
// rlimits, capabilities) and, given an image, the image (its criu really
// dumping and restoring a process with a TCP socket on this kernel; the kernel and CPU recorded
// at checkpoint time). Every check is a real probe; each emits one engine.Check: ok, warn, fail
// or skip, what was found and the exact fix.
//
// Doctor reaches the machine through Host and the container engine through Runtime. Probes that
// must look from inside a container run the plugin binary itself there (package probe).
package doctor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probebin"
)

// Doctor runs the checks.
type Doctor struct {
	Host    Host
	Runtime Runtime
	// Embedded returns the probe the plugin carries for a Podman host of an architecture (Go
	// spelling), or nil (probebin.Embedded).
	Embedded func(arch string) []byte
	// ProbeBinary is the fallback probe, read through Host: a static Linux executable that runs
	// probe.Main when its first argument is probe.Command, the plugin binary itself
	// (os.Executable()).
	ProbeBinary string
}

// New returns a Doctor for this machine that reaches the engine through rt and runs the probe
// the plugin carries for the engine's architecture, else this very binary (its main must call
// probe.RunIfAsked). When the engine cannot be reached, pass a Runtime whose Info returns that
// error: the host checks still run.
func New(rt Runtime) *Doctor {
	exe, _ := os.Executable() // empty on error: the probe checks then say why they skip
	return &Doctor{Host: LocalHost{}, Runtime: rt, Embedded: probebin.Embedded, ProbeBinary: exe}
}

// check is one row of the table: an id and the function that decides it.
type check struct {
	id  string
	run func(ctx context.Context, s *state) engine.Check
}

// checks, in the order they are printed.
var checks = []check{
	{"kernel.version", checkKernel},
	{"host.arch", checkArch},
	{"podman", checkPodman},
	{"oci.runtime", checkOCIRuntime},
	{"cgroups", checkCgroups},
	{"rootless.userns", checkUserNS},
	{"rootless.network", checkRootlessNetwork},
	{"rootless.cgroups", checkRootlessCgroups},
	{"storage.driver", checkStorage},
	{"container.rlimits", checkRlimits},
	{"container.caps", checkCaps},
	{"selinux", checkSELinux},
	{"yama.ptrace_scope", checkYama},
	{"seccomp", checkSeccomp},
	{"image.found", checkImageFound},
	{"image.arch", checkImageArch},
	{"criu.version", checkCRIUVersion},
	{"criu.check", checkCRIUCheck},
	{"criu.dump", checkCRIUDump},
	{"criu.restore", checkCRIURestore},
	{"image.kernel", checkImageKernel},
	{"image.cpu", checkImageCPU},
	{"image.memory", checkImageMemory},
}

// probeTimeout bounds each throwaway container.
const probeTimeout = 3 * time.Minute

// Run runs every check, streams one Check event per check and returns the tally. It returns an
// error only when ctx ends; failing checks are findings, not errors.
func (d *Doctor) Run(ctx context.Context, opts engine.DoctorOptions, sink engine.Sink) (*engine.Result, error) {
	start := time.Now()
	s := &state{d: d, opts: opts, sink: sink}
	sum := &engine.DoctorSummary{}
	for _, c := range checks {
		if err := ctx.Err(); err != nil {
			return nil, engine.AsError(err)
		}
		res := c.run(ctx, s)
		if err := ctx.Err(); err != nil {
			return nil, engine.AsError(err)
		}
		res.ID = c.id
		if res.Status == engine.CheckOK {
			res.Fix = ""
		}
		sum.Add(res.Status)
		sink.Check(res)
	}
	return &engine.Result{Operation: engine.OpDoctor, Image: opts.Image, Doctor: sum, Duration: time.Since(start)}, nil
}

// Verdict helpers.
func ok(found string) engine.Check { return engine.Check{Status: engine.CheckOK, Found: found} }
func warn(found, fix string) engine.Check {
	return engine.Check{Status: engine.CheckWarn, Found: found, Fix: fix}
}
func fail(found, fix string) engine.Check {
	return engine.Check{Status: engine.CheckFail, Found: found, Fix: fix}
}
func skip(why string) engine.Check { return engine.Check{Status: engine.CheckSkip, Found: why} }

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// probeResult is one probe container's outcome.
type probeResult struct {
	report   *probe.Report
	startErr error  // the container could not be created or started
	err      error  // it ran but gave no report
	output   string // its output
}
