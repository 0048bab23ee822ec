package apiserver

import "syscall"

// peerUIDOf is the uid of a Unix socket's peer (SO_PEERCRED).
func peerUIDOf(fd int) (int, error) {
	cred, err := syscall.GetsockoptUcred(fd, syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	if err != nil {
		return -1, err
	}
	return int(cred.Uid), nil
}
