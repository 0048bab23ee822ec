package podmanservice

import "syscall"

// procAttr: its own process group, and SIGTERM when its caller dies.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
