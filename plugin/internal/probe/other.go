//go:build !linux

package probe

import (
	"errors"
	"runtime"
)

// The criu probe runs inside Linux containers only; elsewhere it says so.
var errNotLinux = errors.New("the probe runs inside a Linux container, not on " + runtime.GOOS)

func probeCRIU(string) *CRIU { return &CRIU{Error: errNotLinux.Error()} }

func listen(string) error { return errNotLinux }
