package hostinfo

import (
	"strings"
	"syscall"
)

// Uname returns this kernel's release (uname -r) and machine (uname -m).
func Uname() (release, machine string, err error) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "", "", err
	}
	return utsString(u.Release[:]), utsString(u.Machine[:]), nil
}

// rlimitNproc is RLIMIT_NPROC (6 on every Linux architecture Go supports but mips and sparc);
// syscall does not name it.
const rlimitNproc = 6

// Rlimit returns the soft and hard limit of resource "nofile" or "nproc" of this process.
func Rlimit(resource string) (soft, hard uint64, err error) {
	res := map[string]int{"nofile": syscall.RLIMIT_NOFILE, "nproc": rlimitNproc}[resource]
	if res == 0 {
		return 0, 0, syscall.EINVAL
	}
	var l syscall.Rlimit
	if err := syscall.Getrlimit(res, &l); err != nil {
		return 0, 0, err
	}
	return l.Cur, l.Max, nil
}

func utsString[T int8 | uint8](b []T) string {
	var s strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		s.WriteByte(byte(c))
	}
	return s.String()
}

// Access reports whether this process may open name for reading and writing (access(2) with
// R_OK|W_OK), for example /dev/net/tun, which rootless networking opens.
func Access(name string) error { return syscall.Access(name, 0x6) }
