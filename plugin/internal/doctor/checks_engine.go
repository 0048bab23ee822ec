package doctor

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
)

const (
	podmanFix  = "install Podman 4 or newer with runc (apt-get install podman runc, or hack/setup-host.sh), start its service (systemctl start podman.socket), or name a running one with --connection or CONTAINER_HOST"
	useRuncFix = `use runc: install runc 1.1.3 or newer and set runtime = "runc" under [engine] in ` + DropIn + " (hack/setup-host.sh does both)"
)

var (
	minRunc   = version{1, 1, 3}
	minPodman = version{4, 0, 0}
)

// checkPodman: the engine answers, and speaks the v4 API.
func checkPodman(ctx context.Context, s *state) engine.Check {
	info, err := s.engine(ctx)
	if err != nil {
		fix := podmanFix
		if e := engine.AsError(err); e.Fix != "" {
			fix = e.Fix
		}
		return fail("cannot reach Podman: "+oneLine(engine.AsError(err).Detail()), fix)
	}
	mode := "rootful"
	if info.Rootless {
		mode = "rootless (the capability and criu probes below run rootless too)"
	}
	found := fmt.Sprintf("Podman %s (API %s), %s", info.Version, info.APIVersion, mode)
	if info.Kernel != "" {
		found += fmt.Sprintf(", on Linux %s (%s)", info.Kernel, hostinfo.UnameMachine(info.Arch))
	}
	if info.Service != "" {
		found += ", at " + info.Service
	}
	if !s.local(ctx) {
		found += "; that is another machine: its kernel, CPU, Yama and container limits are read in probe containers there"
	}
	if v, parsed := parseVersion(info.Version); parsed && v.less(minPodman) {
		return fail(found+": liberty-checkpoint talks to Podman's v4 API", "upgrade Podman to 4.0 or newer")
	}
	return ok(found)
}

// checkOCIRuntime: runc must know CAP_CHECKPOINT_RESTORE (1.1.3); crun is judged with cgroups.
func checkOCIRuntime(ctx context.Context, s *state) engine.Check {
	info, err := s.engine(ctx)
	if err != nil {
		return skip("Podman is not reachable (see podman)")
	}
	v, raw, parsed := runtimeVersion(info.OCIRuntimeVersion)
	switch info.OCIRuntime {
	case "runc":
		if !parsed {
			return warn(fmt.Sprintf("runc, version unknown (%q)", oneLine(info.OCIRuntimeVersion)), "make sure runc is 1.1.3 or newer (runc --version)")
		}
		if v.less(minRunc) {
			return fail(fmt.Sprintf("runc %s does not know CAP_CHECKPOINT_RESTORE (runc 1.1.3 and newer do)", raw), "upgrade runc to 1.1.3 or newer (Debian 12 ships 1.1.5)")
		}
		return ok("runc " + raw)
	case "crun":
		if !parsed {
			return ok("crun")
		}
		return ok("crun " + raw)
	}
	return warn(fmt.Sprintf("OCI runtime %q is not one liberty-checkpoint is tested with", info.OCIRuntime), useRuncFix)
}

// checkCgroups: crun refuses systemd's hybrid cgroup layout.
func checkCgroups(ctx context.Context, s *state) engine.Check {
	info, err := s.engine(ctx)
	if err != nil {
		return skip("Podman is not reachable (see podman)")
	}
	layout := "cgroup " + info.CgroupVersion
	hybrid := false
	if s.local(ctx) && info.CgroupVersion == "v1" {
		if mi, err := s.d.Host.ReadFile("/proc/self/mountinfo"); err == nil {
			var unified string
			if hybrid, unified = cgroupHybrid(mi); hybrid {
				layout += " hybrid (cgroup2 also on " + unified + ")"
			}
		}
	}
	found := layout + ", manager " + info.CgroupManager + ", runtime " + info.OCIRuntime
	if info.OCIRuntime == "crun" {
		if hybrid {
			return fail(found+": crun refuses hybrid cgroups (\"cgroups in hybrid mode not supported\")", useRuncFix)
		}
		if r := s.capsProbe(ctx); r.startErr != nil && strings.Contains(r.startErr.Error(), "hybrid mode") {
			return fail(found+": crun refuses to start containers here: "+oneLine(r.startErr.Error()), useRuncFix)
		}
	}
	return ok(found)
}

var rlimitTypeRE = regexp.MustCompile("rlimit(?: type (\\d+)|\\s*`?(RLIMIT_[A-Z]+))")

// rlimitNames names setrlimit resource numbers (asm-generic/resource.h).
var rlimitNames = map[int]string{0: "RLIMIT_CPU", 1: "RLIMIT_FSIZE", 2: "RLIMIT_DATA", 3: "RLIMIT_STACK", 4: "RLIMIT_CORE",
	5: "RLIMIT_RSS", 6: "RLIMIT_NPROC", 7: "RLIMIT_NOFILE", 8: "RLIMIT_MEMLOCK", 9: "RLIMIT_AS"}

// rlimitStartError reads the limit a failed container start could not set, if that was why.
func rlimitStartError(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	m := rlimitTypeRE.FindStringSubmatch(err.Error())
	if m == nil {
		return "", false
	}
	if m[2] != "" {
		return m[2], true
	}
	n, _ := strconv.Atoi(m[1])
	if name, known := rlimitNames[n]; known {
		return name, true
	}
	return "rlimit " + m[1], true
}

// checkRlimits: proven by starting a container. Rootful Podman asks for nofile and nproc
// 1048576 unless containers.conf sets default_ulimits; a host whose hard limits are lower, and
// which cannot raise them (no CAP_SYS_RESOURCE), cannot start any container.
func checkRlimits(ctx context.Context, s *state) engine.Check {
	if why := s.probeUsable(ctx); why != "" {
		return skip(why)
	}
	r := s.capsProbe(ctx)
	local := s.local(ctx)
	var conf ulimitSetting
	hard := map[string]uint64{}
	if local {
		conf = defaultUlimits(s.d.Host, s.info.Rootless)
		for _, res := range []string{"nofile", "nproc"} {
			if h, err := s.d.Host.HardLimit(res); err == nil {
				hard[res] = h
			}
		}
	}
	describeConf := func() string {
		if !local {
			return ""
		}
		if conf.source == "" {
			if s.info.Rootless {
				return "; containers.conf sets no default_ulimits (rootless Podman then uses its own limits)"
			}
			return fmt.Sprintf("; containers.conf sets no default_ulimits, so Podman asks for nofile and nproc %d", podmanDefaultRlimit)
		}
		return fmt.Sprintf("; default_ulimits %s from %s", strings.Join(conf.values, ", "), conf.source)
	}
	describeHard := func() string {
		var parts []string
		for _, res := range []string{"nofile", "nproc"} {
			if h, known := hard[res]; known {
				parts = append(parts, fmt.Sprintf("%s %d", res, h))
			}
		}
		if len(parts) == 0 {
			return ""
		}
		return "; hard limits of this process: " + strings.Join(parts, ", ")
	}
	if name, isRlimit := rlimitStartError(r.startErr); isRlimit {
		why := ""
		if local {
			if st, err := s.d.Host.ReadFile("/proc/self/status"); err == nil {
				if eff, found := statusField(st, "CapEff"); found {
					if has, err := hasCap(eff, capSysResource); err == nil && !has {
						why = " and Podman cannot raise them (no CAP_SYS_RESOURCE)"
					}
				}
			}
		}
		return fail(fmt.Sprintf("containers cannot start: the OCI runtime cannot set %s (%s)%s%s%s",
			name, runtimeMessage(r.startErr), describeConf(), describeHard(), why), s.rlimitFix(hard))
	}
	if r.report == nil || r.report.Caps == nil {
		return skip("the probe container did not run (see container.caps)")
	}
	c := r.report.Caps
	return ok(fmt.Sprintf("a container starts with nofile %d/%d, nproc %d/%d (soft/hard)%s%s",
		c.Nofile[0], c.Nofile[1], c.Nproc[0], c.Nproc[1], describeConf(), describeHard()))
}

// runtimeMessage is the OCI runtime's part of a failed container start: "runc: error setting
// rlimit type 7: operation not permitted" rather than the whole chain with the container id.
func runtimeMessage(err error) string {
	msg := oneLine(err.Error())
	runtime := ""
	if i := strings.Index(msg, "runc: "); i >= 0 {
		runtime = "runc: "
	} else if i := strings.Index(msg, "crun: "); i >= 0 {
		runtime = "crun: "
	}
	if i := strings.LastIndex(msg, "error during container init: "); i >= 0 {
		return runtime + strings.TrimSuffix(msg[i+len("error during container init: "):], ": OCI permission denied")
	}
	return msg
}

func (s *state) rlimitFix(hard map[string]uint64) string {
	val := func(res string) uint64 {
		if h, known := hard[res]; known && h < 4096 {
			return h
		}
		return 4096
	}
	file := DropIn
	if s.info != nil && s.info.Rootless {
		file = "~/.config/containers/containers.conf.d/50-liberty-checkpoint.conf"
	}
	return fmt.Sprintf(`set default_ulimits = ["nofile=%d:%d", "nproc=%d:%d"] under [containers] in %s (hack/setup-host.sh writes it)`,
		val("nofile"), val("nofile"), val("nproc"), val("nproc"), file)
}

// checkCaps: a container really gets CHECKPOINT_RESTORE, SETPCAP and SYS_PTRACE.
func checkCaps(ctx context.Context, s *state) engine.Check {
	if why := s.probeUsable(ctx); why != "" {
		return skip(why)
	}
	r := s.capsProbe(ctx)
	if r.startErr != nil {
		msg := r.startErr.Error()
		switch {
		case strings.Contains(msg, "unknown capability") || strings.Contains(msg, "invalid capability"):
			return fail("the OCI runtime does not know CAP_CHECKPOINT_RESTORE: "+oneLine(msg), "upgrade runc to 1.1.3 or newer, or "+useRuncFix)
		case strings.Contains(msg, "hybrid mode"):
			return skip("no container could start (see cgroups)")
		}
		if _, isRlimit := rlimitStartError(r.startErr); isRlimit {
			return skip("no container could start (see container.rlimits)")
		}
		return probeProblem(r)
	}
	if r.report == nil || r.report.Caps == nil {
		return probeProblem(r)
	}
	c := r.report.Caps
	var lacking []string
	for _, bit := range []int{capCheckpointRestore, capSetpcap, capSysPtrace} {
		has, err := hasCap(c.CapEff, bit)
		if err != nil {
			return probeProblem(&probeResult{err: err, output: r.output})
		}
		if !has {
			lacking = append(lacking, capNames[bit])
		}
	}
	if len(lacking) > 0 {
		fix := "make sure nothing strips added capabilities (containers.conf, an OCI hook, a policy); upgrade runc to 1.1.3 or newer"
		if slices.Contains(lacking, "cap_checkpoint_restore") && checkKernel(ctx, s).Status == engine.CheckFail {
			fix = kernelFix
		}
		return fail(fmt.Sprintf("a container given CHECKPOINT_RESTORE, SETPCAP and SYS_PTRACE lacks %s (CapEff %s)", strings.Join(lacking, ", "), c.CapEff), fix)
	}
	return ok(fmt.Sprintf("a container gets cap_checkpoint_restore, cap_setpcap and cap_sys_ptrace (CapEff %s)", c.CapEff))
}

// checkSeccomp: CRIU needs syscalls the default profile blocks, so checkpoint and restore
// containers run with seccomp=unconfined (or a profile that allows them); the probe proves the
// engine honours that.
func checkSeccomp(ctx context.Context, s *state) engine.Check {
	if why := s.probeUsable(ctx); why != "" {
		return skip(why)
	}
	r := s.capsProbe(ctx)
	if r.report == nil || r.report.Caps == nil {
		return skip("the probe container did not run (see container.caps)")
	}
	def := "no seccomp profile by default"
	if s.info.Seccomp {
		def = "default profile " + s.info.SeccompProfile
		if s.info.SeccompProfile == "" {
			def = "the built-in default profile"
		}
	}
	if mode := r.report.Caps.Seccomp; mode != "0" && mode != "" {
		return fail(fmt.Sprintf("a container asked for seccomp=unconfined still runs under a seccomp filter (mode %s; %s)", mode, def),
			"let containers run with --security-opt seccomp=unconfined (check seccomp_profile in containers.conf and any policy that forces one), or pass a seccomp_profile that allows CRIU's syscalls")
	}
	return ok(fmt.Sprintf("seccomp=unconfined is honoured (%s; checkpoint runs unconfined, restore under the default profile, unless seccomp_profile names one)", def))
}
