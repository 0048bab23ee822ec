//go:build !linux

package hostinfo

// Uname is Linux's; elsewhere it returns ErrNotLinux.
func Uname() (release, machine string, err error) { return "", "", ErrNotLinux }

// Rlimit is Linux's; elsewhere it returns ErrNotLinux.
func Rlimit(string) (soft, hard uint64, err error) { return 0, 0, ErrNotLinux }

// Access needs Linux.
func Access(string) error { return ErrNotLinux }
