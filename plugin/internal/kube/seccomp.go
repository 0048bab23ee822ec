package kube

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/containers/common/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// RestoreCapabilities are the capabilities a restore needs, as Open Liberty documents them and
// as the Podman engine's restore runs get them: criu holds them through file capabilities, the
// JVM none.
var RestoreCapabilities = []string{"CHECKPOINT_RESTORE", "SETPCAP"}

// ExtraSyscalls are the syscalls the profile allows beyond the runtime default, with the reason.
// Measured (README "Kubernetes", "The seccomp profile"): a restore under the default profile,
// with the default action switched to SCMP_ACT_LOG so that every syscall the default would have
// refused is logged by the kernel instead, logged none that criu or the restored server needed;
// restores under Podman's default profile succeed as well. So the list is empty; a syscall
// added here must name the measurement that showed criu needs it.
var ExtraSyscalls = map[string]string{}

// SeccompProfile returns the Localhost seccomp profile of a restore container: the runtime
// default of containers/common (Podman's and CRI-O's default, the one Podman applies to a
// restore run) resolved for arch (a GOARCH: amd64, arm64, ...) and the restore capabilities, plus
// ExtraSyscalls. The conditions of the default profile (includes and excludes by capability and
// architecture) are resolved here, so the file is in the OCI runtime-spec form that every runtime
// reads as it is: containerd loads a Localhost profile without resolving them, and with them left
// in it would allow or refuse syscalls by capabilities the container does not have.
func SeccompProfile(arch string) ([]byte, error) {
	def, err := runtimeDefault()
	if err != nil {
		return nil, err
	}
	p, err := seccompProfile(arch, RestoreCapabilities, def)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// runtimeDefaultJSON is containers/common's seccomp.DefaultProfile() of the pinned module, written
// by make gen (./gendefault): containers/common builds DefaultProfile on Linux only, and kube runs
// on macOS and Windows hosts too.
//
//go:embed runtime-default.json
var runtimeDefaultJSON []byte

func runtimeDefault() (*seccomp.Seccomp, error) {
	var def seccomp.Seccomp
	if err := json.Unmarshal(runtimeDefaultJSON, &def); err != nil {
		return nil, fmt.Errorf("the embedded runtime default seccomp profile: %w", err)
	}
	return &def, nil
}

// seccompProfile resolves def for arch and caps (names without CAP_) as containers/common's own
// conversion does for a container with exactly those capabilities in its bounding set.
func seccompProfile(arch string, caps []string, def *seccomp.Seccomp) (*specs.LinuxSeccomp, error) {
	native, ok := map[string]seccomp.Arch{
		"amd64": seccomp.ArchX86_64, "arm64": seccomp.ArchAARCH64, "s390x": seccomp.ArchS390X,
		"ppc64le": seccomp.ArchPPC64LE, "riscv64": seccomp.ArchRISCV64,
	}[arch]
	if !ok {
		return nil, fmt.Errorf("no seccomp architecture for %q (amd64, arm64, s390x, ppc64le, riscv64)", arch)
	}
	bounding := make([]string, len(caps))
	for i, c := range caps {
		bounding[i] = "CAP_" + c
	}
	out := &specs.LinuxSeccomp{DefaultAction: specs.LinuxSeccompAction(def.DefaultAction), DefaultErrnoRet: def.DefaultErrnoRet}
	out.Architectures = []specs.Arch{specs.Arch(native)}
	for _, a := range def.ArchMap {
		if a.Arch == native {
			for _, s := range a.SubArches {
				out.Architectures = append(out.Architectures, specs.Arch(s))
			}
		}
	}
	applies := func(c *seccomp.Syscall) bool {
		if slices.Contains(c.Excludes.Arches, arch) || anyIn(c.Excludes.Caps, bounding) {
			return false
		}
		if len(c.Includes.Arches) > 0 && !slices.Contains(c.Includes.Arches, arch) {
			return false
		}
		for _, cp := range c.Includes.Caps {
			if !slices.Contains(bounding, cp) {
				return false
			}
		}
		return true
	}
	for _, c := range def.Syscalls {
		if !applies(c) {
			continue
		}
		names := c.Names
		if c.Name != "" {
			names = append([]string{c.Name}, names...)
		}
		errno := c.ErrnoRet
		if c.Errno != "" && errno == nil {
			return nil, fmt.Errorf("default profile: errno %q by name is not supported here", c.Errno)
		}
		sc := specs.LinuxSyscall{Names: names, Action: specs.LinuxSeccompAction(c.Action), ErrnoRet: errno}
		for _, a := range c.Args {
			sc.Args = append(sc.Args, specs.LinuxSeccompArg{Index: a.Index, Value: a.Value, ValueTwo: a.ValueTwo, Op: specs.LinuxSeccompOperator(a.Op)})
		}
		out.Syscalls = append(out.Syscalls, sc)
	}
	if len(ExtraSyscalls) > 0 {
		var extra []string
		for name := range ExtraSyscalls {
			extra = append(extra, name)
		}
		slices.Sort(extra)
		out.Syscalls = append(out.Syscalls, specs.LinuxSyscall{Names: extra, Action: specs.ActAllow})
	}
	return out, nil
}

func anyIn(xs, set []string) bool {
	for _, x := range xs {
		if slices.Contains(set, x) {
			return true
		}
	}
	return false
}
