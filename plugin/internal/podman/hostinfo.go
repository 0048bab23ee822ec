package podman

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// cpuFlags returns the flags of the first CPU in a /proc/cpuinfo file, space-separated.
func cpuFlags(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		if k := strings.TrimSpace(key); k == "flags" || k == "Features" { // x86, arm64
			return strings.Join(strings.Fields(value), " "), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("no flags line in %s", path)
}

// unameArch turns Go's architecture names (what podman info reports) into uname -m's.
func unameArch(goarch string) string {
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
