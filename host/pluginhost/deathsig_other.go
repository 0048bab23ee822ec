//go:build !linux

package pluginhost

import "os/exec"

// setDeathSignal: elsewhere there is no parent-death signal; the plugin watches its parent.
func setDeathSignal(*exec.Cmd) {}
