//go:build !linux

package hostinfo

import (
	"fmt"
	"runtime"
)

// ErrNotLinux says that this machine does not run Linux, so it is not where Podman's containers
// run: that is a Linux VM (podman machine) or another machine, reached through Podman.
var ErrNotLinux = fmt.Errorf("this machine runs %s, not Linux: Podman's containers run on a Linux VM or another machine", runtime.GOOS)

// Uname is Linux's; elsewhere it returns ErrNotLinux.
func Uname() (release, machine string, err error) { return "", "", ErrNotLinux }

// Rlimit is Linux's; elsewhere it returns ErrNotLinux.
func Rlimit(string) (soft, hard uint64, err error) { return 0, 0, ErrNotLinux }
