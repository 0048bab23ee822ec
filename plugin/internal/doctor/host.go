package doctor

import (
	"os"
	"path/filepath"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
)

// Host is the machine doctor runs on: the files it reads under /proc, /sys and
// /etc/containers, its kernel and its limits. Tests replace it with a fake.
type Host interface {
	// ReadFile reads a file, like os.ReadFile.
	ReadFile(name string) ([]byte, error)
	// Glob lists files, like filepath.Glob.
	Glob(pattern string) ([]string, error)
	// Uname returns the kernel release (uname -r) and machine (uname -m); on a machine that does
	// not run Linux, hostinfo.ErrNotLinux.
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
func (LocalHost) Access(name string) error              { return hostinfo.Access(name) }

func (LocalHost) Uname() (string, string, error) { return hostinfo.Uname() }

func (LocalHost) HardLimit(resource string) (uint64, error) {
	_, hard, err := hostinfo.Rlimit(resource)
	return hard, err
}
