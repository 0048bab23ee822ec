package apiserver

import "golang.org/x/sys/unix"

// peerUIDOf is the uid of a Unix socket's peer (LOCAL_PEERCRED, macOS's counterpart of Linux's
// SO_PEERCRED).
func peerUIDOf(fd int) (int, error) {
	cred, err := unix.GetsockoptXucred(fd, unix.SOL_LOCAL, unix.LOCAL_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}
