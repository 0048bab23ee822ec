// Package testssh gives tests a real remote Podman on this machine: Debian's sshd (openssh-server,
// from hack/setup-host.sh) started by the test on a free loopback port, with a host key, a client
// key and an sshd_config of its own (the system's sshd is never used or touched), and a Podman
// service on a socket in a private directory, for ssh://root@127.0.0.1:PORT/<socket> URIs.
package testssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/podmanservice"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// Server is an sshd of the test's own.
type Server struct {
	// Port is where it listens, on 127.0.0.1.
	Port int
	// Dir holds its config, keys, pid file and log.
	Dir string
	// ClientKey is the private key (ed25519, no passphrase) it accepts for root.
	ClientKey string
	// HostKey is its public host key.
	HostKey ssh.PublicKey
	// LogFile is sshd's log at LogLevel DEBUG1, which names every channel a client opens
	// (direct-tcpip for a forwarded TCP connection, direct-streamlocal for a Unix socket).
	LogFile string
}

// URI is the ssh:// URI of a Podman socket on this server.
func (s *Server) URI(socket string) string {
	return fmt.Sprintf("ssh://root@127.0.0.1:%d%s", s.Port, socket)
}

// Log is what sshd has logged so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.LogFile)
	return string(b)
}

// ForwardedTCP reports whether a client had sshd open a TCP connection to host:port (a
// direct-tcpip channel): how a readiness probe through the ssh connection shows in its log.
func (s *Server) ForwardedTCP(host string, port int) bool {
	re := regexp.MustCompile(fmt.Sprintf(`server_request_direct_tcpip: .*target %s port %d\b`, regexp.QuoteMeta(host), port))
	return re.MatchString(s.Log())
}

// Start starts sshd for the test and stops it when the test ends. It needs root (the test logs
// in as root, as on a rootful Podman host) and sshd; without them it skips, and fails in CI.
func Start(t testing.TB) *Server {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.Missing(t, "root", "run the ssh remote tests as root (CI does): sshd logs in as root to reach the rootful Podman socket")
	}
	sshd := "/usr/sbin/sshd"
	if _, err := os.Stat(sshd); err != nil {
		testenv.Missing(t, sshd, "install openssh-server: hack/setup-host.sh")
	}
	// sshd wants its privilege separation directory, which the ssh service's unit makes.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &Server{Dir: dir, ClientKey: filepath.Join(dir, "client_ed25519"), LogFile: filepath.Join(dir, "sshd.log")}
	hostPub := writeKey(t, filepath.Join(dir, "host_ed25519"))
	clientPub := writeKey(t, s.ClientKey)
	s.HostKey = hostPub
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), ssh.MarshalAuthorizedKey(clientPub), 0o600); err != nil {
		t.Fatal(err)
	}
	for attempt := 0; ; attempt++ {
		s.Port = freePort(t)
		conf := filepath.Join(dir, "sshd_config")
		text := strings.Join([]string{
			fmt.Sprintf("Port %d", s.Port),
			"ListenAddress 127.0.0.1",
			"HostKey " + filepath.Join(dir, "host_ed25519"),
			"PidFile " + filepath.Join(dir, "sshd.pid"),
			"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
			"PermitRootLogin prohibit-password",
			"PubkeyAuthentication yes",
			"PasswordAuthentication no",
			"KbdInteractiveAuthentication no",
			"UsePAM no",
			"StrictModes no",
			"AllowTcpForwarding yes",
			"AllowStreamLocalForwarding yes",
			"X11Forwarding no",
			"PrintMotd no",
			"LogLevel DEBUG1",
			"Subsystem sftp internal-sftp",
			"",
		}, "\n")
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sshd, "-D", "-f", conf, "-E", s.LogFile)
		// Its own process group, so the session processes go with it; output to files, so that a
		// session process that outlives it cannot hold Wait on a pipe.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
		stderr := filepath.Join(dir, "sshd.stderr")
		errFile, err := os.Create(stderr)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = errFile
		err = cmd.Start()
		errFile.Close()
		if err != nil {
			t.Fatalf("start sshd: %v", err)
		}
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		if waitPort(s.Port, exited, 10*time.Second) {
			t.Cleanup(func() { stopGroup(cmd, exited) })
			return s
		}
		stopGroup(cmd, exited)
		if attempt == 2 || !strings.Contains(s.Log(), "Address already in use") {
			b, _ := os.ReadFile(stderr)
			t.Fatalf("sshd did not listen on 127.0.0.1:%d: %s\n%s", s.Port, b, s.Log())
		}
	}
}

// PodmanService starts `podman system service` on a socket in a private directory, on this
// machine's (rootful) storage, for the test, and returns the socket's path.
func PodmanService(t testing.TB) string {
	t.Helper()
	podman := testenv.LookPath(t, "podman", "install podman: hack/setup-host.sh")
	sock := filepath.Join(t.TempDir(), "podman.sock")
	svc, err := podmanservice.Start(context.Background(), podmanservice.Options{Podman: podman, Socket: sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Stop(10 * time.Second) })
	return sock
}

// stopGroup ends a process and its process group: SIGTERM, then SIGKILL after 10 s.
func stopGroup(cmd *exec.Cmd, exited <-chan struct{}) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

func writeKey(t testing.TB, path string) ssh.PublicKey {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "liberty-checkpoint test")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".pub", ssh.MarshalAuthorizedKey(sp), 0o644); err != nil {
		t.Fatal(err)
	}
	return sp
}

// freePort is a TCP port on 127.0.0.1 that nothing listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(port int, exited <-chan struct{}, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return true
		}
		select {
		case <-exited:
			return false
		case <-time.After(25 * time.Millisecond):
		}
	}
	return false
}
