//go:build !windows

package owner

import (
	"errors"
	"syscall"
)

// exists reports whether a process with this pid exists (signal 0).
func exists(pid int) bool { return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

// terminate asks the process to end (SIGTERM).
func terminate(pid int) { _ = syscall.Kill(pid, syscall.SIGTERM) }

// kill ends the process (SIGKILL).
func kill(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }
