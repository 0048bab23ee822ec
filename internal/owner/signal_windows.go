package owner

import "os"

// exists reports whether a process with this pid exists: Windows opens a handle to it.
func exists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}

// terminate ends the process: Windows has no SIGTERM to ask with.
func terminate(pid int) { kill(pid) }

// kill ends the process.
func kill(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
