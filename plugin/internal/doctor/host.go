package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Host is the machine doctor runs on: the files it reads under /proc, /sys and
// /etc/containers, its kernel and its limits. Tests replace it with a fake.
type Host interface {
	// ReadFile reads a file, like os.ReadFile.
	ReadFile(name string) ([]byte, error)
	// Glob lists files, like filepath.Glob.
	Glob(pattern string) ([]string, error)
	// Uname returns the kernel release (uname -r) and machine (uname -m).
	Uname() (release, machine string, err error)
	// HardLimit returns the hard limit of resource "nofile" or "nproc" of this process.
	HardLimit(resource string) (uint64, error)
	// Getenv reads an environment variable.
	Getenv(key string) string
	// Access reports whether this process may open name for reading and writing (access(2)).
	Access(name string) error
}

// LocalHost is the machine this process runs on.
type LocalHost struct{}

var _ Host = LocalHost{}

func (LocalHost) ReadFile(name string) ([]byte, error)  { return os.ReadFile(name) }
func (LocalHost) Glob(pattern string) ([]string, error) { return filepath.Glob(pattern) }
func (LocalHost) Getenv(key string) string              { return os.Getenv(key) }
func (LocalHost) Access(name string) error              { return syscall.Access(name, 0x6) } // R_OK|W_OK

func (LocalHost) Uname() (string, string, error) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "", "", err
	}
	return utsString(u.Release[:]), utsString(u.Machine[:]), nil
}

func (LocalHost) HardLimit(resource string) (uint64, error) {
	res := map[string]int{"nofile": syscall.RLIMIT_NOFILE, "nproc": rlimitNproc}[resource]
	if res == 0 {
		return 0, syscall.EINVAL
	}
	var l syscall.Rlimit
	if err := syscall.Getrlimit(res, &l); err != nil {
		return 0, err
	}
	return l.Max, nil
}

// rlimitNproc is RLIMIT_NPROC (6 on the architectures this runs on); syscall does not name it.
const rlimitNproc = 6

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
