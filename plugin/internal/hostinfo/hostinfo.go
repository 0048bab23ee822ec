// Package hostinfo reads what a checkpoint depends on from the machine: the CPU's feature flags
// and the architecture's uname spelling. The engine records them on the images it commits and
// doctor compares them with the restoring host, so both must read them the same way.
package hostinfo

import (
	"bufio"
	"bytes"
	"fmt"
	"runtime"
	"strings"
)

// ErrNotLinux says that this machine does not run Linux, so it is not where Podman's containers
// run: that is a Linux VM (podman machine) or another machine, reached through Podman.
var ErrNotLinux = fmt.Errorf("this machine runs %s, not Linux: Podman's containers run in a Linux VM or on another machine", runtime.GOOS)

// CPUFlags returns the feature flags of the first CPU in a /proc/cpuinfo text ("flags" on x86,
// "Features" on arm64), or nil when there is no such line.
func CPUFlags(cpuinfo []byte) []string {
	sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if k = strings.TrimSpace(k); k == "flags" || k == "Features" {
			return strings.Fields(v)
		}
	}
	return nil
}

// UnameMachine turns a Go/OCI architecture name (what podman info and image configs report)
// into uname -m's spelling.
func UnameMachine(goarch string) string {
	switch goarch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	case "arm":
		return "armv7l"
	}
	return goarch // ppc64le, s390x, riscv64 are spelled the same
}
