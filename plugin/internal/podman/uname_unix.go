//go:build unix

package podman

import "golang.org/x/sys/unix"

// localUname is this machine's kernel release and machine (uname -r, uname -m).
func localUname() (release, machine string, ok bool) {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "", "", false
	}
	return unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:]), true
}
