package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// watchReaderGone calls gone when stdout is a pipe whose reader has closed it (the build tool
// that ran us was killed), without waiting for our next write to find out. On a pipe's write end
// poll reports POLLERR once the read end is closed; on a terminal or a file it never returns.
func watchReaderGone(gone func()) {
	fi, err := os.Stdout.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	go func() {
		fds := []unix.PollFd{{Fd: int32(os.Stdout.Fd()), Events: 0}}
		for {
			n, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err != nil || (n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0) {
				if err == nil {
					gone()
				}
				return
			}
		}
	}()
}
