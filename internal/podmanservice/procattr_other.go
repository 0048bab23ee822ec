//go:build !linux

package podmanservice

import "syscall"

// procAttr: the Podman service runs on Linux only; elsewhere nothing is set.
func procAttr() *syscall.SysProcAttr { return nil }
