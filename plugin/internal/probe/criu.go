//go:build linux

package probe

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Where images put criu when it is not on PATH (Debian: /usr/sbin; Liberty's images carry copies
// elsewhere and name them in CRIU_RESTORE_PATH, which is not needed for a plain criu).
var criuDirs = []string{"/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin", "/opt/criu", "/sbin", "/bin"}

const (
	stepTimeout = 60 * time.Second
	tailLines   = 15
	greeting    = "lcp-probe "
)

var versionRE = regexp.MustCompile(`Version:\s*(\S+)`)

func findCRIU() string {
	if p, err := exec.LookPath("criu"); err == nil {
		return p
	}
	for _, d := range criuDirs {
		p := filepath.Join(d, "criu")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// probeCRIU runs criu check and a dump and restore of a child holding a listening TCP socket,
// with criu, else the image's restore copy (CRIU_RESTORE_PATH), else the criu it finds.
func probeCRIU(criu string) *CRIU {
	r := &CRIU{}
	if criu == "" {
		criu = os.Getenv("CRIU_RESTORE_PATH")
	}
	if criu == "" {
		criu = findCRIU()
	} else if _, err := os.Stat(criu); err != nil {
		r.Error = err.Error()
		return r
	}
	if criu == "" {
		r.Error = "no criu binary on PATH or in " + strings.Join(criuDirs, ", ")
		return r
	}
	r.Path = criu
	out, _ := output(criu, "--version")
	if m := versionRE.FindStringSubmatch(out); m != nil {
		r.Version = m[1]
	}

	r.Unprivileged = true
	r.Check = runStep("", criu, "check", "--unprivileged")
	if r.Check.unknownOption {
		// criu older than --unprivileged: it wants CAP_SYS_ADMIN, but try it as it is.
		r.Unprivileged = false
		r.Check = runStep("", criu, "check")
	}

	work, err := workDir()
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer os.RemoveAll(work)
	images := filepath.Join(work, "images")
	if err := os.Mkdir(images, 0o700); err != nil {
		r.Error = err.Error()
		return r
	}

	child, port, err := startListener(work)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	pid := child.Process.Pid
	r.ServedBefore = answers(port, 3*time.Second)

	common := []string{"-D", images, "-v4"}
	if r.Unprivileged {
		common = append(common, "--unprivileged")
	}
	dumpArgs := append([]string{"dump", "-t", strconv.Itoa(pid), "-o", filepath.Join(work, "dump.log"), "--tcp-established"}, common...)
	r.Dump = runStep(filepath.Join(work, "dump.log"), criu, dumpArgs...)
	if !r.Dump.OK() {
		_ = child.Process.Kill()
		_ = child.Wait()
		r.Restore = &Step{Command: "criu restore", Exit: -1, Skipped: "the dump failed"}
		return r
	}
	_ = child.Wait() // criu killed it after the dump

	pidfile := filepath.Join(work, "restored.pid")
	restoreArgs := append([]string{"restore", "-d", "--pidfile", pidfile, "-o", filepath.Join(work, "restore.log"), "--tcp-established"}, common...)
	r.Restore = runStep(filepath.Join(work, "restore.log"), criu, restoreArgs...)
	if !r.Restore.OK() {
		return r
	}
	r.ServedAfter = answers(port, 5*time.Second)
	if b, err := os.ReadFile(pidfile); err == nil {
		if rp, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && rp > 1 {
			_ = syscall.Kill(rp, syscall.SIGKILL)
			var ws syscall.WaitStatus
			_, _ = syscall.Wait4(rp, &ws, 0, nil) // it is our child when we are the container's init
		}
	}
	return r
}

func workDir() (string, error) {
	base := filepath.Join(Dir, "work")
	if exe, err := os.Executable(); err == nil {
		base = filepath.Join(filepath.Dir(exe), "work")
	}
	if err := os.MkdirAll(base, 0o700); err == nil {
		return os.MkdirTemp(base, "criu")
	}
	return os.MkdirTemp("", "lcp-probe-criu")
}

// startListener starts `probe listen work` in its own session, with /dev/null for stdio, and
// waits for its port.
func startListener(work string) (*exec.Cmd, int, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(exe, Command, "listen", work)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start the listening child: %w", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(work, "port")); err == nil {
			if port, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return cmd, port, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return nil, 0, errors.New("the listening child did not report its port within 5s")
}

// prSetPtracer and prSetPtracerAny (linux/prctl.h, Yama): let any process of the same user
// ptrace this one.
const (
	prSetPtracer    = 0x59616d61
	prSetPtracerAny = ^uintptr(0)
)

// listen serves a greeting on a loopback TCP port until killed; it writes the port to dir/port.
// It lets any process of its user trace it: the probe's criu runs as a restore does, without
// CAP_SYS_PTRACE, and Yama's ptrace_scope 1 would otherwise keep it from dumping a process that
// is not its descendant (an error without Yama, which needs nothing).
func listen(dir string) error {
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, prSetPtracer, prSetPtracerAny, 0)
	// Plain TCP, as a Java server has: Go listens with MPTCP by default, which criu cannot dump.
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	tmp := filepath.Join(dir, "port.tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(port)), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "port")); err != nil {
		return err
	}
	msg := fmt.Sprintf("%s%d\n", greeting, os.Getpid())
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		_, _ = c.Write([]byte(msg))
		_ = c.Close()
	}
}

// answers connects to the child and reads its greeting, reading to EOF so that no connection is
// left open in the child when criu dumps it.
func answers(port int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(c)
		_ = c.Close()
		return strings.HasPrefix(buf.String(), greeting)
	}
	return false
}

func output(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	b, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(b), err
}

// runStep runs criu with args and records its exit, output and log.
func runStep(logFile, name string, args ...string) *Step {
	s := &Step{Command: filepath.Base(name) + " " + strings.Join(args, " ")}
	out, err := output(name, args...)
	s.unknownOption = strings.Contains(out, "unrecognized option")
	s.Output = tail(out, tailLines)
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		s.Exit = exit.ExitCode()
	default:
		s.Exit = -1
		s.Error = err.Error()
	}
	if logFile != "" {
		if b, err := os.ReadFile(logFile); err == nil {
			s.Log = logExcerpt(string(b))
		}
	}
	return s
}

func tail(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// logExcerpt keeps every Error line (the first ones say why) and the last lines of a criu log.
func logExcerpt(log string) []string {
	var errs []string
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "Error (") && len(errs) < 20 {
			errs = append(errs, sc.Text())
		}
	}
	last := tail(log, 5)
	seen := map[string]bool{}
	for _, l := range errs {
		seen[l] = true
	}
	for _, l := range last {
		if !seen[l] {
			errs = append(errs, l)
		}
	}
	return errs
}
