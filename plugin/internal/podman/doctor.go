package podman

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/containers/podman/v4/libpod/define"
	"github.com/containers/podman/v4/pkg/bindings/system"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Doctor checks the Podman side of checkpoint and restore: the service, its OCI runtime and
// cgroups, the host's kernel and architecture, and, given an image, that it exists and (for an
// InstantOn image) was checkpointed on a matching kernel and CPU. Each finding is an
// engine.Check with the fix; failing checks are findings, not errors.
func (e *Engine) Doctor(ctx context.Context, o engine.DoctorOptions, sink engine.Sink) (*engine.Result, error) {
	start := time.Now()
	tctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	d := &doctor{sink: sink, sum: &engine.DoctorSummary{}}
	c, err := e.connect(tctx, o.Connection, sink)
	if err != nil {
		if tctx.Err() != nil {
			return nil, classify(ctx, tctx, engine.OpDoctor, o.Timeout, err)
		}
		te := engine.AsError(err)
		d.add(engine.Check{ID: "podman.service", Status: engine.CheckFail, Found: te.Detail(), Fix: te.Fix})
		return d.result(o.Image, start), nil
	}
	defer c.close(sink)
	if err := d.run(c.ctx, c, o.Image); err != nil {
		return nil, classify(ctx, tctx, engine.OpDoctor, o.Timeout, err)
	}
	return d.result(o.Image, start), nil
}

type doctor struct {
	sink engine.Sink
	sum  *engine.DoctorSummary
}

func (d *doctor) add(c engine.Check) {
	d.sink.Check(c)
	d.sum.Add(c.Status)
}

func (d *doctor) result(image string, start time.Time) *engine.Result {
	return &engine.Result{Operation: engine.OpDoctor, Image: image, Doctor: d.sum, Duration: time.Since(start)}
}

func (d *doctor) run(ctx context.Context, c *conn, image string) error {
	info, err := system.Info(ctx, nil)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d.add(engine.Check{ID: "podman.service", Status: engine.CheckFail, Found: "podman info failed: " + err.Error(),
			Fix: "check the Podman service's log; podman info on the Podman host shows the same"})
		return nil
	}
	d.add(serviceCheck(ctx, c, info))
	d.add(runtimeCheck(info))
	d.add(cgroupCheck(info))
	d.add(kernelCheck(info.Host.Kernel))
	d.add(engine.Check{ID: "host.arch", Status: engine.CheckOK,
		Found: fmt.Sprintf("%s (%s %s)", unameArch(info.Host.Arch), info.Host.Distribution.Distribution, info.Host.Distribution.Version)})
	if image != "" {
		for _, ch := range imageChecks(ctx, c, info, image) {
			d.add(ch)
		}
	}
	return nil
}

func serviceCheck(ctx context.Context, c *conn, info *define.Info) engine.Check {
	version := "unknown"
	if v, err := system.Version(ctx, nil); err == nil && v.Server != nil {
		version = v.Server.Version
	}
	mode := "rootful"
	if info.Host.Security.Rootless {
		mode = "rootless"
	}
	found := fmt.Sprintf("Podman %s, %s, at %s", version, mode, c.uri)
	if c.transient != nil {
		found += " (a transient service this call started: no service was running)"
	}
	ch := engine.Check{ID: "podman.service", Status: engine.CheckOK, Found: found}
	if major, _, ok := majorMinor(version); ok && major < 4 {
		ch.Status = engine.CheckWarn
		ch.Fix = "upgrade to Podman 4 or later; the engine is tested with Podman 4.3"
	}
	return ch
}

// runtimeCheck: CRIU restore needs runc >= 1.1.3 or crun; crun fails on cgroup v1 / hybrid
// hosts ("cgroups in hybrid mode not supported"), runc works there.
func runtimeCheck(info *define.Info) engine.Check {
	const useRunc = `set runtime = "runc" under [engine] in /etc/containers/containers.conf (or a containers.conf.d drop-in; hack/setup-host.sh writes one) and install runc`
	rt := info.Host.OCIRuntime
	if rt == nil {
		return engine.Check{ID: "podman.runtime", Status: engine.CheckWarn, Found: "Podman did not report its OCI runtime", Fix: useRunc}
	}
	firstLine, _, _ := strings.Cut(strings.TrimSpace(rt.Version), "\n")
	found := fmt.Sprintf("%s (%s) on cgroup %s", rt.Name, firstLine, info.Host.CgroupsVersion)
	ch := engine.Check{ID: "podman.runtime", Status: engine.CheckOK, Found: found}
	switch {
	case rt.Name == "crun" && info.Host.CgroupsVersion != "v2":
		ch.Status, ch.Fix = engine.CheckFail, "crun cannot run containers on cgroup v1/hybrid hosts: use runc: "+useRunc
	case rt.Name == "runc":
		if v := versionIn(firstLine); v != "" && versionLess(v, "1.1.3") {
			ch.Status, ch.Fix = engine.CheckFail, "runc "+v+" is older than 1.1.3, the first that passes CAP_CHECKPOINT_RESTORE: upgrade runc"
		}
	case rt.Name != "crun":
		ch.Status, ch.Fix = engine.CheckWarn, "the engine is tested with runc and crun; if checkpoints fail, "+useRunc
	}
	return ch
}

func cgroupCheck(info *define.Info) engine.Check {
	found := fmt.Sprintf("cgroup %s, manager %s", info.Host.CgroupsVersion, info.Host.CgroupManager)
	if info.Host.CgroupsVersion != "v2" && info.Host.Security.Rootless {
		return engine.Check{ID: "podman.cgroups", Status: engine.CheckWarn, Found: found + ", rootless",
			Fix: "rootless Podman on cgroup v1 cannot limit resources; use rootful Podman or a cgroup v2 host"}
	}
	return engine.Check{ID: "podman.cgroups", Status: engine.CheckOK, Found: found}
}

// kernelCheck: CAP_CHECKPOINT_RESTORE, which lets CRIU run without full privileges, came with
// Linux 5.9.
func kernelCheck(kernel string) engine.Check {
	ch := engine.Check{ID: "host.kernel", Status: engine.CheckOK, Found: "Linux " + kernel + " (>= 5.9: CAP_CHECKPOINT_RESTORE available)"}
	major, minor, ok := majorMinor(kernel)
	switch {
	case !ok:
		ch.Status, ch.Found, ch.Fix = engine.CheckWarn, "Linux "+kernel+" (cannot tell the version)", "use Linux 5.9 or later"
	case major < 5 || (major == 5 && minor < 9):
		ch.Status, ch.Found = engine.CheckFail, "Linux "+kernel+" (older than 5.9: no CAP_CHECKPOINT_RESTORE)"
		ch.Fix = "run on Linux 5.9 or later; older kernels need privileged containers, which this tool does not use"
	}
	return ch
}

// imageChecks: the image exists; for an InstantOn image, this host matches the one that
// checkpointed it.
func imageChecks(ctx context.Context, c *conn, info *define.Info, image string) []engine.Check {
	img, err := inspectImage(ctx, image, "image", "")
	if err != nil {
		return []engine.Check{{ID: "image.exists", Status: engine.CheckFail, Found: engine.AsError(err).Detail(),
			Fix: "check the name (podman images lists them), or build the image first"}}
	}
	checks := []engine.Check{{ID: "image.exists", Status: engine.CheckOK, Found: fmt.Sprintf("%s (%s, %s)", image, shortID(img.ID), humanBytes(img.Size))}}
	phase := img.Labels[engine.LabelPhase]
	if phase == "" {
		return checks
	}
	kernel := img.Labels[engine.LabelKernel]
	kc := engine.Check{ID: "image.kernel", Status: engine.CheckOK, Found: fmt.Sprintf("checkpointed (%s) on Linux %s; this host runs %s", phase, kernel, info.Host.Kernel)}
	if kernel != "" && kernel != info.Host.Kernel {
		kc.Status, kc.Fix = engine.CheckWarn, "a restore on another kernel usually works but is not guaranteed; if it falls back to a cold start, checkpoint on this host"
	}
	checks = append(checks, kc)
	arch := img.Labels[engine.LabelArch]
	if arch != "" && arch != unameArch(info.Host.Arch) {
		checks = append(checks, engine.Check{ID: "image.arch", Status: engine.CheckFail,
			Found: fmt.Sprintf("checkpointed on %s; this host is %s", arch, unameArch(info.Host.Arch)), Fix: "restore on a " + arch + " host, or checkpoint on this one"})
	}
	if want := img.Labels[engine.LabelCPUFlags]; want != "" && c.local {
		if have, err := cpuFlags("/proc/cpuinfo"); err == nil {
			if missing := missingFlags(want, have); len(missing) > 0 {
				checks = append(checks, engine.Check{ID: "image.cpu", Status: engine.CheckWarn,
					Found: "this CPU lacks flags the checkpointing CPU had: " + strings.Join(missing, " "),
					Fix:   "a restored JVM may use instructions this CPU does not have; checkpoint on this kind of machine"})
			} else {
				checks = append(checks, engine.Check{ID: "image.cpu", Status: engine.CheckOK, Found: "this CPU has every flag of the checkpointing CPU"})
			}
		}
	}
	return checks
}

func missingFlags(want, have string) []string {
	h := map[string]bool{}
	for _, f := range strings.Fields(have) {
		h[f] = true
	}
	var missing []string
	for _, f := range strings.Fields(want) {
		if !h[f] {
			missing = append(missing, f)
		}
	}
	return missing
}

var versionRE = regexp.MustCompile(`\d+\.\d+(?:\.\d+)?`)

func versionIn(s string) string { return versionRE.FindString(s) }

func majorMinor(v string) (major, minor int, ok bool) {
	m := regexp.MustCompile(`^v?(\d+)\.(\d+)`).FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, 0, false
	}
	major, _ = strconv.Atoi(m[1])
	minor, _ = strconv.Atoi(m[2])
	return major, minor, true
}

// versionLess compares dotted numeric versions.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
