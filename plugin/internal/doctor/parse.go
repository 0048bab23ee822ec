package doctor

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// version is a dotted release number: 6.18.44, 1.1.5.
type version []int

var versionPrefixRE = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\.(\d+))?`)

// parseVersion reads the leading numbers of a release string: "4.18.0-372.el8.x86_64" is
// 4.18.0, "1.1.5+ds1" is 1.1.5.
func parseVersion(s string) (version, bool) {
	m := versionPrefixRE.FindStringSubmatch(strings.TrimPrefix(strings.TrimSpace(s), "v"))
	if m == nil {
		return nil, false
	}
	var v version
	for _, p := range m[1:] {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = 0
		}
		v = append(v, n)
	}
	return v, true
}

// less reports whether v is older than w.
func (v version) less(w version) bool {
	for i := 0; i < len(v) && i < len(w); i++ {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return len(v) < len(w)
}

func (v version) String() string {
	parts := make([]string, len(v))
	for i, n := range v {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

// majorMinor is "3.17" of "3.17.1".
func majorMinor(s string) string {
	v, ok := parseVersion(s)
	if !ok || len(v) < 2 {
		return s
	}
	return fmt.Sprintf("%d.%d", v[0], v[1])
}

// runtimeVersionRE reads "runc version 1.1.5+ds1" and "crun version 1.8.1".
var runtimeVersionRE = regexp.MustCompile(`(?m)^\S+ version (\S+)`)

func runtimeVersion(text string) (version, string, bool) {
	m := runtimeVersionRE.FindStringSubmatch(text)
	if m == nil {
		return nil, "", false
	}
	v, ok := parseVersion(m[1])
	return v, m[1], ok
}

// capability bits doctor cares about (linux/capability.h).
var capNames = map[int]string{8: "cap_setpcap", 19: "cap_sys_ptrace", 24: "cap_sys_resource", 40: "cap_checkpoint_restore"}

const (
	capSetpcap           = 8
	capSysPtrace         = 19
	capSysResource       = 24
	capCheckpointRestore = 40
)

// hasCap reports whether a /proc/<pid>/status capability mask (hex) holds bit.
func hasCap(mask string, bit int) (bool, error) {
	m, err := strconv.ParseUint(strings.TrimSpace(mask), 16, 64)
	if err != nil {
		return false, fmt.Errorf("capability mask %q: %w", mask, err)
	}
	return m&(1<<uint(bit)) != 0, nil
}

// statusField reads one field of a /proc/<pid>/status file.
func statusField(status []byte, key string) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(string(status)))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && k == key {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// cgroupHybrid reports whether /proc/self/mountinfo shows cgroup v1 hierarchies together with a
// cgroup2 mount (systemd's "hybrid" layout, e.g. cgroup2 on /sys/fs/cgroup/unified).
func cgroupHybrid(mountinfo []byte) (hybrid bool, unified string) {
	v1 := false
	sc := bufio.NewScanner(strings.NewReader(string(mountinfo)))
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - fstype source superopts
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		f, p := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(p) < 1 {
			continue
		}
		switch p[0] {
		case "cgroup":
			v1 = true
		case "cgroup2":
			unified = f[4]
		}
	}
	return v1 && unified != "", unified
}
