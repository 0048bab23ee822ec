package kube

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// Pod Security Standards levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
const (
	LevelPrivileged = "privileged"
	LevelBaseline   = "baseline"
	LevelRestricted = "restricted"
)

// baselineCapabilities are the capabilities the baseline level lets a container add.
var baselineCapabilities = []corev1.Capability{"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
	"MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

// PodSecurityLevel returns the strictest Pod Security Standards level whose checks the pod
// passes, for the checks this tool's pods can fail (capabilities, privileged, seccomp, privilege
// escalation, non-root), and why each stricter level refuses it.
func PodSecurityLevel(spec *corev1.PodSpec) (string, []string) {
	var baseline, restricted []string
	podSeccomp := spec.SecurityContext.SeccompProfile
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		if sc.Privileged != nil && *sc.Privileged {
			baseline = append(baseline, fmt.Sprintf("baseline refuses privileged containers (%s)", c.Name))
		}
		if sc.Capabilities != nil {
			for _, cp := range sc.Capabilities.Add {
				if !slices.Contains(baselineCapabilities, cp) {
					baseline = append(baseline, fmt.Sprintf("baseline refuses capability %s (only AUDIT_WRITE, CHOWN, ..., SETPCAP, SETUID, SYS_CHROOT may be added)", cp))
				}
				if cp != "NET_BIND_SERVICE" {
					restricted = append(restricted, fmt.Sprintf("restricted refuses capability %s (only NET_BIND_SERVICE may be added)", cp))
				}
			}
		}
		seccomp := podSeccomp
		if sc.SeccompProfile != nil {
			seccomp = sc.SeccompProfile
		}
		if seccomp != nil && seccomp.Type == corev1.SeccompProfileTypeUnconfined {
			baseline = append(baseline, "baseline refuses seccomp Unconfined")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			restricted = append(restricted, "restricted requires allowPrivilegeEscalation: false, which sets no_new_privs and so voids the file capabilities criu restores with")
		}
	}
	switch {
	case len(baseline) > 0:
		return LevelPrivileged, append(baseline, restricted...)
	case len(restricted) > 0:
		return LevelBaseline, restricted
	}
	return LevelRestricted, nil
}
