package doctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostmatch"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
)

const noImage = "no image given (pass --image to check one)"

// imageSkip is why an image check cannot run, or "".
func (s *state) imageSkip(ctx context.Context) string {
	if s.opts.Image == "" {
		return noImage
	}
	if _, err := s.engine(ctx); err != nil {
		return "Podman is not reachable (see podman)"
	}
	if _, err := s.imageInfo(ctx); err != nil {
		return "the image is not there (see image.found)"
	}
	return ""
}

func checkImageFound(ctx context.Context, s *state) engine.Check {
	if s.opts.Image == "" {
		return skip(noImage)
	}
	if _, err := s.engine(ctx); err != nil {
		return skip("Podman is not reachable (see podman)")
	}
	img, err := s.imageInfo(ctx)
	if engine.CodeOf(err) == engine.CodeNotFound {
		return fail(fmt.Sprintf("image %s is not in Podman's local storage", s.opts.Image),
			"build it first (liberty-checkpoint containerize or checkpoint-image), or check the name with podman images")
	}
	if err != nil {
		return fail(fmt.Sprintf("cannot inspect image %s: %s", s.opts.Image, oneLine(engine.AsError(err).Detail())), "check the image name with podman images")
	}
	found := fmt.Sprintf("%s (%s, %s/%s)", s.opts.Image, humanize.ShortID(img.ID), img.OS, img.Arch)
	if phase := img.Labels[engine.LabelPhase]; phase != "" {
		found += ", checkpointed at " + phase
		if at := img.Labels[engine.LabelCreated]; at != "" {
			found += " on " + at
		}
	} else {
		found += ", not checkpointed by liberty-checkpoint (no " + engine.LabelPhase + " label)"
	}
	return ok(found)
}

// checkImageArch: the image must be for the engine's architecture; a checkpoint also for the
// machine recorded at checkpoint time.
func checkImageArch(ctx context.Context, s *state) engine.Check {
	if why := s.imageSkip(ctx); why != "" {
		return skip(why)
	}
	img, info := s.image, s.info
	if img.Arch != "" && img.Arch != info.Arch {
		return fail(fmt.Sprintf("the image is for %s but Podman runs %s containers", img.Arch, info.Arch),
			fmt.Sprintf("build the image for %s, or run it on a %s machine", info.Arch, img.Arch))
	}
	machine := hostinfo.UnameMachine(info.Arch)
	if s.local(ctx) {
		if _, m, err := s.uname(); err == nil {
			machine = m
		}
	}
	if f := hostmatch.Arch(img.Labels, machine); f.Severity == hostmatch.Blocking {
		return fromFinding(f)
	}
	return ok(fmt.Sprintf("%s, as Podman runs", img.Arch))
}

// criuSkip is why the criu checks cannot run, or "".
func (s *state) criuSkip(ctx context.Context) string {
	if why := s.imageSkip(ctx); why != "" {
		return why
	}
	if !s.imageUsable(ctx) {
		return "the image is for another architecture (see image.arch)"
	}
	return s.probeUsable(ctx)
}

// criuReport runs the criu probe and returns its report, or the check saying why there is none.
func (s *state) criuReport(ctx context.Context) (*probe.CRIU, *engine.Check) {
	if why := s.criuSkip(ctx); why != "" {
		c := skip(why)
		return nil, &c
	}
	r := s.criuProbe(ctx)
	if r.startErr != nil || r.report == nil || r.report.CRIU == nil {
		if r.err == nil && r.startErr == nil {
			r.err = fmt.Errorf("the probe report has no criu section")
		}
		c := probeProblem(r)
		if r.startErr != nil {
			c.Found = fmt.Sprintf("a container of %s does not start: %s", s.opts.Image, oneLine(r.startErr.Error()))
		}
		return nil, &c
	}
	c := r.report.CRIU
	if c.Path == "" {
		sk := skip("no criu in the image (see criu.version)")
		return nil, &sk
	}
	return c, nil
}

func checkCRIUVersion(ctx context.Context, s *state) engine.Check {
	if why := s.criuSkip(ctx); why != "" {
		return skip(why)
	}
	r := s.criuProbe(ctx)
	if r.report != nil && r.report.CRIU != nil && r.report.CRIU.Path == "" {
		return fail(fmt.Sprintf("no criu in %s: %s", s.opts.Image, r.report.CRIU.Error),
			"build the image FROM an InstantOn base image (Open Liberty's checkpoint images or this project's beta-image), which carry criu")
	}
	c, problem := s.criuReport(ctx)
	if problem != nil {
		return *problem
	}
	found := fmt.Sprintf("criu %s at %s", c.Version, c.Path)
	if !c.Unprivileged {
		return warn(found+" does not accept --unprivileged, so it wants CAP_SYS_ADMIN, which checkpoint and restore containers do not get",
			"use criu 4.2 or newer in the image (Debian forky's; beta-image/local/rootfs.sh builds one)")
	}
	return ok(found)
}

func checkCRIUCheck(ctx context.Context, s *state) engine.Check {
	c, problem := s.criuReport(ctx)
	if problem != nil {
		return *problem
	}
	step := c.Check
	if step.OK() {
		return ok(step.Command + ": looks good")
	}
	if p := diagnose(strings.Join(step.Output, "\n"), c.Version, s.kernel(ctx)); p != nil {
		return fail(step.Command+": "+p.found, p.fix)
	}
	if len(criuErrors(step.Output)) == 0 && strings.Contains(strings.Join(step.Output, "\n"), "ns_last_pid") {
		return ok(step.Command + " only objects to the read-only /proc/sys/kernel/ns_last_pid of a container, which criu does not need on Linux 5.5 and newer (clone3 sets the pids)")
	}
	first := firstError(step.Output)
	if c.Dump.OK() && c.Restore.OK() {
		return ok(fmt.Sprintf("%s complains (%s) but a real dump and restore work", step.Command, first))
	}
	return warn(fmt.Sprintf("%s fails: %s", step.Command, first), "see criu.dump and criu.restore for what that breaks")
}

// criuErrors are the Error lines of criu output, without the ones every container causes: criu
// check wants to write /proc/sys/kernel/ns_last_pid, which is read-only in a container.
func criuErrors(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "Error (") && !strings.Contains(l, "ns_last_pid") {
			out = append(out, l)
		}
	}
	return out
}

func checkCRIUDump(ctx context.Context, s *state) engine.Check {
	c, problem := s.criuReport(ctx)
	if problem != nil {
		return *problem
	}
	if c.Error != "" && c.Dump == nil {
		return fail("the criu probe could not set up its test process: "+c.Error, "report this as a liberty-checkpoint bug")
	}
	if c.Dump.OK() {
		return ok(fmt.Sprintf("criu %s dumped a process holding a listening TCP socket on Linux %s", c.Version, s.kernel(ctx)))
	}
	s.logStep(c.Dump)
	return stepFailure("criu dump", c.Dump, c.Version, s.kernel(ctx))
}

func checkCRIURestore(ctx context.Context, s *state) engine.Check {
	c, problem := s.criuReport(ctx)
	if problem != nil {
		return *problem
	}
	if c.Restore == nil || c.Restore.Skipped != "" {
		return skip("not tried: the dump failed (see criu.dump)")
	}
	if !c.Restore.OK() {
		s.logStep(c.Restore)
		return stepFailure("criu restore", c.Restore, c.Version, s.kernel(ctx))
	}
	if !c.ServedAfter {
		return fail("criu restore reported success but the restored process did not answer on its TCP port",
			"run a real restore (liberty-checkpoint restore) and read /logs/checkpoint/restore.log")
	}
	return ok(fmt.Sprintf("criu %s restored it and it answered on its TCP port again", c.Version))
}

// logStep streams a failed criu command's output and log, the evidence behind the verdict:
// its Error lines as warnings, the rest as debug lines.
func (s *state) logStep(st *probe.Step) {
	for _, l := range append(append([]string{}, st.Output...), st.Log...) {
		lvl := engine.LevelDebug
		if strings.Contains(l, "Error (") {
			lvl = engine.LevelWarn
		}
		s.sink.Logf(engine.SourceFile, lvl, "%s", l)
	}
}

func stepFailure(what string, st *probe.Step, criuVersion, kernel string) engine.Check {
	text := strings.Join(append(append([]string{}, st.Output...), st.Log...), "\n")
	if p := diagnose(text, criuVersion, kernel); p != nil {
		return fail(what+" fails: "+p.found, p.fix)
	}
	if st.Error != "" {
		return fail(fmt.Sprintf("%s could not run: %s", what, st.Error), "make sure the image's restore criu (CRIU_RESTORE_PATH) runs as uid 1001 with CHECKPOINT_RESTORE and SETPCAP, as a restore runs it")
	}
	return fail(fmt.Sprintf("%s fails (exit %d): %s", what, st.Exit, firstError(append(append([]string{}, st.Log...), st.Output...))),
		"read the criu log lines above; a newer criu in the image (4.2 or later) fixes most failures on new kernels")
}

// checkImageKernel: restoring on an older kernel than the one that checkpointed may fail.
func checkImageKernel(ctx context.Context, s *state) engine.Check {
	if why := s.imageSkip(ctx); why != "" {
		return skip(why)
	}
	return fromFinding(hostmatch.Kernel(s.image.Labels, s.kernel(ctx)))
}

// checkImageCPU: the JVM was checkpointed using the CPU features it found; restoring on a CPU
// without them crashes it (Liberty restores with --cpu-cap=none, so CRIU does not object).
func checkImageCPU(ctx context.Context, s *state) engine.Check {
	if why := s.imageSkip(ctx); why != "" {
		return skip(why)
	}
	if s.image.Labels[engine.LabelCPUFlags] == "" {
		return fromFinding(hostmatch.CPU(s.image.Labels, nil))
	}
	var flags []string
	if s.local(ctx) {
		info, err := s.d.Host.ReadFile("/proc/cpuinfo")
		if err != nil {
			return warn(fmt.Sprintf("cannot read /proc/cpuinfo: %v", err), "")
		}
		flags = hostinfo.CPUFlags(info)
	} else {
		h, why := s.hostFacts(ctx)
		if h == nil {
			return skip(why)
		}
		flags = h.CPUFlags // the Podman host's CPU, as a container there sees it
	}
	if len(flags) == 0 {
		return warn("no CPU flags in /proc/cpuinfo", "")
	}
	return fromFinding(hostmatch.CPU(s.image.Labels, flags))
}

// checkImageMemory: the memory the checkpointed server used, against the restore's limit.
func checkImageMemory(ctx context.Context, s *state) engine.Check {
	if why := s.imageSkip(ctx); why != "" {
		return skip(why)
	}
	return fromFinding(hostmatch.Memory(s.image.Labels, s.opts.MemoryBytes))
}

// fromFinding is a comparison of the image's labels with this host as a check.
func fromFinding(f hostmatch.Finding) engine.Check {
	switch f.Severity {
	case hostmatch.Unknown:
		return skip(f.Found)
	case hostmatch.Risk:
		return warn(f.Found, f.Fix)
	case hostmatch.Blocking:
		return fail(f.Found, f.Fix)
	}
	return ok(f.Found)
}
