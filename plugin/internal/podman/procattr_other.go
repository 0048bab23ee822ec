//go:build !linux

package podman

import "syscall"

// serviceProcAttr: a transient service runs on Linux only (Podman's service does not run
// elsewhere), so there is nothing to set.
func serviceProcAttr() *syscall.SysProcAttr { return nil }
