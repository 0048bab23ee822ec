package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
)

const kernelFix = "run on Linux 5.9 or newer, the first with CAP_CHECKPOINT_RESTORE (for example RHEL 9, Ubuntu 22.04, Debian 12)"

// checkKernel: CAP_CHECKPOINT_RESTORE (Linux 5.9, or a distribution backport, which
// /proc/sys/kernel/cap_last_cap reveals).
func checkKernel(ctx context.Context, s *state) engine.Check {
	release := s.kernel(ctx)
	if release == "" {
		if !s.local(ctx) {
			return skip(s.notLocal(ctx))
		}
		_, _, err := s.uname()
		return warn(fmt.Sprintf("cannot tell the kernel version: %v", err), kernelFix)
	}
	v, parsed := parseVersion(release)
	capLast := -1
	if s.local(ctx) {
		if b, err := s.d.Host.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
			if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				capLast = n
			}
		}
	} else if h, _ := s.hostFacts(ctx); h != nil {
		capLast = h.CapLastCap // the Podman host's, read in a probe container there
	}
	old := !parsed || v.less(version{5, 9})
	switch {
	case capLast >= capCheckpointRestore && old:
		return ok(fmt.Sprintf("Linux %s has CAP_CHECKPOINT_RESTORE backported (cap_last_cap %d)", release, capLast))
	case capLast >= capCheckpointRestore:
		return ok(fmt.Sprintf("Linux %s has CAP_CHECKPOINT_RESTORE (cap_last_cap %d)", release, capLast))
	case capLast >= 0:
		return fail(fmt.Sprintf("Linux %s has no CAP_CHECKPOINT_RESTORE (cap_last_cap %d; it is capability 40, new in 5.9)", release, capLast), kernelFix)
	case !parsed:
		return warn(fmt.Sprintf("cannot read the version of kernel %q", release), kernelFix)
	case old:
		return fail(fmt.Sprintf("Linux %s is older than 5.9 and has no CAP_CHECKPOINT_RESTORE", release), kernelFix)
	}
	return ok(fmt.Sprintf("Linux %s (5.9 or newer: CAP_CHECKPOINT_RESTORE)", release))
}

// checkArch: the UBI-based InstantOn images exist where IBM Semeru's UBI images have criu.
func checkArch(ctx context.Context, s *state) engine.Check {
	var machine string
	if info, err := s.engine(ctx); err == nil && info.Arch != "" && !s.local(ctx) {
		machine = hostinfo.UnameMachine(info.Arch)
	} else if !s.local(ctx) {
		return skip(s.notLocal(ctx))
	} else {
		_, m, err := s.uname()
		if err != nil {
			return warn(fmt.Sprintf("cannot tell the architecture: %v", err), "")
		}
		machine = m
	}
	switch machine {
	case "x86_64", "aarch64", "ppc64le", "s390x":
		return ok(machine + ": IBM Semeru's UBI images (OpenJ9 with CRIU) and dumb-init exist for it")
	}
	return fail(machine+": no OpenJ9 JDK with CRIU support exists for this architecture",
		"checkpoint and restore on x86-64, aarch64, ppc64le or s390x")
}

// checkSELinux: an enforcing policy stops CRIU in a container from using netlink unless the
// virt_sandbox_use_netlink boolean is on.
func checkSELinux(ctx context.Context, s *state) engine.Check {
	if !s.local(ctx) {
		info, err := s.engine(ctx)
		switch {
		case err != nil:
			return skip(s.notLocal(ctx))
		case !info.SELinux:
			return ok("SELinux is not enabled on the Podman host (podman info)")
		}
		return warn("SELinux is enabled on the Podman host (podman info); whether its virt_sandbox_use_netlink boolean is on cannot be read through Podman",
			"if a checkpoint fails with netlink or socket errors, run setsebool -P virt_sandbox_use_netlink 1 on the Podman host "+
				"(podman machine: podman machine ssh sudo setsebool -P virt_sandbox_use_netlink 1); doctor --image proves it either way with a real criu dump there")
	}
	enforce, err := s.d.Host.ReadFile("/sys/fs/selinux/enforce")
	if errors.Is(err, fs.ErrNotExist) {
		return ok("SELinux is not enabled")
	}
	if err != nil {
		return warn(fmt.Sprintf("cannot read /sys/fs/selinux/enforce: %v", err), "")
	}
	if strings.TrimSpace(string(enforce)) != "1" {
		return ok("SELinux is permissive")
	}
	b, err := s.d.Host.ReadFile("/sys/fs/selinux/booleans/virt_sandbox_use_netlink")
	if err != nil {
		return warn("SELinux is enforcing and the policy has no virt_sandbox_use_netlink boolean",
			"if a checkpoint fails with netlink or socket errors, allow containers netlink sockets in your SELinux policy")
	}
	if f := strings.Fields(string(b)); len(f) > 0 && f[0] == "1" {
		return ok("SELinux is enforcing; virt_sandbox_use_netlink is on")
	}
	return fail("SELinux is enforcing and virt_sandbox_use_netlink is off: CRIU in a container cannot use the netlink sockets it needs",
		"setsebool -P virt_sandbox_use_netlink 1")
}

// checkYama: CRIU ptraces the processes it dumps and restores.
func checkYama(ctx context.Context, s *state) engine.Check {
	var scope string
	if s.local(ctx) {
		b, err := s.d.Host.ReadFile("/proc/sys/kernel/yama/ptrace_scope")
		if errors.Is(err, fs.ErrNotExist) {
			return ok("Yama is not active")
		}
		if err != nil {
			return warn(fmt.Sprintf("cannot read /proc/sys/kernel/yama/ptrace_scope: %v", err), "")
		}
		scope = strings.TrimSpace(string(b))
	} else {
		h, why := s.hostFacts(ctx)
		if h == nil {
			return skip(why)
		}
		if h.PtraceScope == "" {
			return ok("Yama is not active on the Podman host")
		}
		scope = h.PtraceScope
	}
	const persist = "sysctl -w kernel.yama.ptrace_scope=1, and keep it with kernel.yama.ptrace_scope = 1 in /etc/sysctl.d/10-ptrace.conf"
	switch scope {
	case "0":
		return ok("ptrace_scope 0 (classic ptrace permissions)")
	case "1":
		return ok("ptrace_scope 1 (a process may ptrace its descendants, as CRIU does)")
	case "2":
		return fail("ptrace_scope 2 (admin only): CRIU needs CAP_SYS_PTRACE for every dump and restore, and restore runs without it", persist)
	case "3":
		return fail("ptrace_scope 3 (no ptrace at all): CRIU cannot dump or restore anything",
			"set kernel.yama.ptrace_scope = 1 in /etc/sysctl.d/10-ptrace.conf and reboot (3 cannot be lowered while the system runs)")
	default:
		return warn(fmt.Sprintf("unknown ptrace_scope %q", scope), persist)
	}
}
