package pluginhost

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel send the plugin SIGTERM when the host dies, however it dies
// (SIGKILL included). The plugin then cancels what runs, cleans up and exits.
func setDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
