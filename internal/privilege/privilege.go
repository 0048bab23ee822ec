// Package privilege states, once, the privileges liberty-checkpoint gives the containers it runs:
// every capability dropped but the ones Open Liberty documents for the step, never
// --privileged, and the seccomp profile the step needs. The Podman engine, doctor and the bench
// take their container settings from here.
package privilege

import "strings"

// Unconfined is the seccomp_profile value that turns seccomp off for a container.
const Unconfined = "unconfined"

// Capability numbers (linux/capability.h) of the capabilities a policy names.
var capBits = map[string]uint{
	"SETPCAP":            8,
	"SYS_PTRACE":         19,
	"CHECKPOINT_RESTORE": 40,
}

// Policy is what a container of one step gets: no capability but Caps, and the seccomp profile
// Seccomp ("" is Podman's default profile, Unconfined none).
type Policy struct {
	Step string
	// Caps are the capabilities added after dropping all, without the CAP_ prefix.
	Caps []string
	// Seccomp is the profile the step gets when the user names none.
	Seccomp string
	// Why says why the step needs these, for messages and documents.
	Why string
}

// Checkpoint is the checkpoint run's policy (also a build's RUN checkpoint.sh step): criu dumps
// the JVM, which needs ptrace. Seccomp stays unconfined: criu cannot suspend the JVM's seccomp
// filter without CAP_SYS_ADMIN (measured under Podman's default profile: "suspending seccomp
// failed: Operation not permitted").
var Checkpoint = Policy{
	Step:    "checkpoint",
	Caps:    []string{"CHECKPOINT_RESTORE", "SYS_PTRACE", "SETPCAP"},
	Seccomp: Unconfined,
	Why:     "criu dumps the server (CHECKPOINT_RESTORE, SYS_PTRACE to read its memory, SETPCAP); seccomp unconfined, since criu cannot suspend a seccomp filter without SYS_ADMIN",
}

// Restore is the restore run's policy: criu recreates the process tree (CHECKPOINT_RESTORE to
// choose PIDs, SETPCAP to give back the dumped capability sets) under Podman's default seccomp
// profile, which lets criu 4.2.1 restore (measured).
var Restore = Policy{
	Step:    "restore",
	Caps:    []string{"CHECKPOINT_RESTORE", "SETPCAP"},
	Seccomp: "",
	Why:     "criu restores the server (CHECKPOINT_RESTORE, SETPCAP); no SYS_PTRACE; Podman's default seccomp profile",
}

// SeccompFor returns the profile a container of the policy runs with when the user asked for
// requested (a path, Unconfined, or "" for the policy's default).
func (p Policy) SeccompFor(requested string) string {
	if requested != "" {
		return requested
	}
	return p.Seccomp
}

// DescribeSeccomp names a profile for people.
func DescribeSeccomp(profile string) string {
	switch profile {
	case "":
		return "Podman's default seccomp profile"
	case Unconfined:
		return "seccomp unconfined"
	}
	return "seccomp profile " + profile
}

// CapAdd returns the capabilities with the CAP_ prefix, as Podman's API takes them.
func (p Policy) CapAdd() []string {
	out := make([]string, len(p.Caps))
	for i, c := range p.Caps {
		out[i] = "CAP_" + c
	}
	return out
}

// CapDrop is what every container drops first.
func (Policy) CapDrop() []string { return []string{"ALL"} }

// PodmanArgs returns the policy as `podman run` flags, with the seccomp profile requested (as
// SeccompFor takes it).
func (p Policy) PodmanArgs(requested string) []string {
	args := []string{"--cap-drop=ALL"}
	for _, c := range p.Caps {
		args = append(args, "--cap-add="+c)
	}
	if s := p.SeccompFor(requested); s != "" {
		args = append(args, "--security-opt", "seccomp="+s)
	}
	return args
}

// Mask is the capability set of the policy as the kernel writes it (CapEff in /proc/<pid>/status).
func (p Policy) Mask() uint64 {
	var m uint64
	for _, c := range p.Caps {
		m |= 1 << capBits[c]
	}
	return m
}

// String describes the policy: "CHECKPOINT_RESTORE, SETPCAP (all others dropped), Podman's default seccomp profile".
func (p Policy) String() string {
	return strings.Join(p.Caps, ", ") + " (all others dropped), " + DescribeSeccomp(p.Seccomp)
}
