package podman

import "syscall"

// serviceProcAttr puts a transient service in its own process group, so that a Ctrl-C in the
// user's terminal does not stop it before the engine has cleaned up through it, and makes it
// die with the plugin (Pdeathsig).
func serviceProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
