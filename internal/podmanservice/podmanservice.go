// Package podmanservice starts `podman system service` on a private Unix socket, waits until it
// answers, and stops it: the transient service the engine starts when no service answers, the
// bench's own service, and the services the tests run (another store, the one behind sshd).
package podmanservice

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options says how to run the service.
type Options struct {
	Podman string   // the podman binary; default "podman" on PATH
	Socket string   // the socket's path, in a directory the caller owns; required
	Global []string // podman's global flags before "system service" (--root, --runroot, ...)
	// Env is the service's environment; default os.Environ(). CONTAINER_HOST,
	// CONTAINER_CONNECTION and CONTAINER_SSHKEY are always left out: the service runs on this
	// machine's storage, and with them podman would become a remote client.
	Env []string
	// Stderr also receives the service's stderr (a log file); the first 8 KiB are kept for errors.
	Stderr io.Writer
	// Timeout bounds the wait for the socket to answer; default 30 s.
	Timeout time.Duration
}

// Service is a running `podman system service`.
type Service struct {
	cmd    *exec.Cmd
	socket string
	exited chan struct{}
	stderr *boundedBuffer
}

// Start runs the service in the socket's directory (podman 4.3's build API looks for a relative
// Containerfile name in the service's working directory first), in its own process group so a
// Ctrl-C at the terminal does not stop it before its caller has cleaned up through it, and (on
// Linux) dying with its caller. It returns once the socket accepts a connection; on failure the
// service is stopped and the error carries its stderr.
func Start(ctx context.Context, o Options) (*Service, error) {
	podman := o.Podman
	if podman == "" {
		podman = "podman"
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	s := &Service{socket: o.Socket, exited: make(chan struct{}), stderr: &boundedBuffer{max: 8 << 10}}
	s.cmd = exec.Command(podman, append(append([]string{}, o.Global...), "system", "service", "--time=0", s.URI())...)
	s.cmd.Dir = filepath.Dir(o.Socket)
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != "CONTAINER_HOST" && k != "CONTAINER_CONNECTION" && k != "CONTAINER_SSHKEY" {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Stderr = s.stderr
	if o.Stderr != nil {
		s.cmd.Stderr = io.MultiWriter(s.stderr, o.Stderr)
	}
	s.cmd.SysProcAttr = procAttr()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s system service: %w", podman, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()

	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if Dial(ctx, o.Socket) == nil {
			return s, nil
		}
		select {
		case <-s.exited:
			return nil, fmt.Errorf("podman system service exited at once: %s", s.Stderr())
		case <-deadline.C:
			s.Stop(10 * time.Second)
			return nil, fmt.Errorf("podman system service did not answer at %s within %s: %s", o.Socket, timeout, s.Stderr())
		case <-ctx.Done():
			s.Stop(10 * time.Second)
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// Dial reports whether a Unix socket accepts a connection (nil) within 3 s.
func Dial(ctx context.Context, path string) error {
	d := net.Dialer{Timeout: 3 * time.Second}
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return err
	}
	return c.Close()
}

// URI is the service's address (unix:///path/podman.sock).
func (s *Service) URI() string { return "unix://" + s.socket }

// Pid is the service's process id.
func (s *Service) Pid() int { return s.cmd.Process.Pid }

// Exited is closed when the service has exited.
func (s *Service) Exited() <-chan struct{} { return s.exited }

// Stderr is the start of what the service wrote to stderr.
func (s *Service) Stderr() string { return strings.TrimSpace(s.stderr.String()) }

// Stop ends the service: SIGTERM, then SIGKILL when it has not exited after grace. It reports
// whether it had to kill. Containers the service started keep running (conmon, not the service,
// is their parent); the socket's directory is the caller's to remove.
func (s *Service) Stop(grace time.Duration) (killed bool) {
	select {
	case <-s.exited:
		return false
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return false
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return true
	}
}

// boundedBuffer keeps the first max bytes written to it.
type boundedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
