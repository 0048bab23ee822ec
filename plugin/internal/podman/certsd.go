package podman

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Podman 4.3's push and pull endpoints take no certificate directory (the libpod API's push reads
// destination, tlsVerify, format, compressionFormat, all, quiet and removeSignatures; the bindings'
// PushOptions and PullOptions have no CertDir), so --cert-dir cannot travel with the request. The
// service does read certs.d/<host:port>/ at each connection to a registry, the first of these that
// exists (containers/image's dockerCertDir): the service user's ~/.config/containers/certs.d,
// /etc/containers/certs.d, /etc/docker/certs.d. For a service on this machine, lendCerts puts the
// certificates of --cert-dir there for the duration of one push or pull, under names of its own
// beside whatever an administrator put there, and takes them back afterwards.

// certsDirs are the certs.d directories the service reads, in its order (a variable for tests).
var certsDirs = func() []string {
	dirs := []string{"/etc/containers/certs.d", "/etc/docker/certs.d"}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append([]string{filepath.Join(home, ".config", "containers", "certs.d")}, dirs...)
	}
	return dirs
}

// lentPrefix starts the names of the files lendCerts writes; the pid says whose they are.
const lentPrefix = "liberty-checkpoint-lent-"

var lendSeq atomic.Int64

// lendCerts makes the CA certificates (*.crt) and client pairs (*.cert, *.key) of r.CertDir
// govern the Podman service's own connections to the registry of ref while the returned undo has
// not run. Without CertDir it does nothing. A service on another machine cannot read them: that
// is a FailedPrecondition naming certDir and what to do there instead.
func lendCerts(c *conn, r engine.Registry, ref string) (undo func(), err error) {
	undo = func() {}
	host := engine.RegistryOf(ref)
	if r.CertDir == "" || host == "" {
		return undo, nil
	}
	if !c.local {
		return undo, engine.Errorf(engine.CodeFailedPrecondition, "registry.cert_dir",
			fmt.Sprintf("on the Podman host, put the registry's CA certificate in /etc/containers/certs.d/%s/ca.crt (rootless Podman: ~/.config/containers/certs.d/%s/), then leave certDir unset", host, host),
			"certDir (%s) reaches only a Podman service on this machine; the one at %s reads the registry's CA certificates on its own host (Podman's API takes no certificate directory)", r.CertDir, c.uri)
	}
	entries, err := os.ReadDir(r.CertDir)
	if err != nil {
		return undo, engine.Errorf(engine.CodeInvalidArgument, "registry.cert_dir", "pass a readable directory of CA certificates (*.crt)", "cannot read certDir %s: %v", r.CertDir, err)
	}
	var files []string
	for _, e := range entries {
		if n := e.Name(); e.Type().IsRegular() && (strings.HasSuffix(n, ".crt") || strings.HasSuffix(n, ".cert") || strings.HasSuffix(n, ".key")) {
			files = append(files, n)
		}
	}
	if len(files) == 0 {
		return undo, engine.Errorf(engine.CodeInvalidArgument, "registry.cert_dir", "put the registry's CA certificate in it as ca.crt (PEM), as podman push --cert-dir expects",
			"certDir %s holds no *.crt, *.cert or *.key file", r.CertDir)
	}

	dirs := certsDirs()
	target := ""
	for _, d := range dirs {
		if st, err := os.Stat(filepath.Join(d, host)); err == nil && st.IsDir() {
			target = filepath.Join(d, host) // the one the service reads: add to it, never shadow it
			break
		}
	}
	var created []string
	if target == "" {
		base := dirs[0] // the service user's own: ~/.config/containers/certs.d
		if os.Geteuid() == 0 && len(dirs) > 1 {
			base = dirs[1] // root's service: /etc/containers/certs.d
		}
		target = filepath.Join(base, host)
		for d := target; ; d = filepath.Dir(d) {
			if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
				break
			}
			created = append(created, d)
		}
		if err := os.MkdirAll(target, 0o755); err != nil {
			return undo, certsError(r, target, err)
		}
	}
	removeStaleLent(target)
	prefix := fmt.Sprintf("%s%d-%d-", lentPrefix, os.Getpid(), lendSeq.Add(1))
	var written []string
	undo = func() {
		for _, f := range written {
			_ = os.Remove(f)
		}
		for _, d := range created { // deepest first; only while empty
			if os.Remove(d) != nil {
				break
			}
		}
	}
	for _, n := range files {
		data, err := os.ReadFile(filepath.Join(r.CertDir, n))
		if err != nil {
			undo()
			return func() {}, engine.Errorf(engine.CodeInvalidArgument, "registry.cert_dir", "make the certificates in certDir readable", "cannot read %s: %v", filepath.Join(r.CertDir, n), err)
		}
		f := filepath.Join(target, prefix+n)
		if err := os.WriteFile(f, data, 0o600); err != nil {
			undo()
			return func() {}, certsError(r, target, err)
		}
		written = append(written, f)
	}
	return undo, nil
}

func certsError(r engine.Registry, target string, err error) error {
	return engine.Errorf(engine.CodeFailedPrecondition, "registry.cert_dir",
		fmt.Sprintf("run as the user of the Podman service, or put the CA certificate in %s yourself and leave certDir unset", target),
		"cannot hand certDir %s to the Podman service through %s: %v", r.CertDir, target, err)
}

// removeStaleLent removes what a killed earlier call lent in dir: files whose pid is gone.
func removeStaleLent(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), lentPrefix)
		if !ok {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if !owner.ProcessExists(pid) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
