// Package testregistry runs Debian's docker-registry (the distribution registry) for tests: on a
// free loopback port, with TLS from a CA the test makes and htpasswd (bcrypt) authentication. The
// Go registry tests start it directly; the Maven and Gradle real chains start it through
// lcp-shiptest registry (plugin/internal/shiptest).
package testregistry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testpki"
)

// TB is what Start needs of a test (testing.TB has it).
type TB interface {
	testpki.TB
	Cleanup(func())
}

// Registry is a running test registry.
type Registry struct {
	Addr     string // 127.0.0.1:port
	CAFile   string // the CA's certificate (PEM)
	CertDir  string // a directory holding it as ca.crt, for --cert-dir
	User     string
	Password string
	pool     *x509.CertPool
}

// Creds is user:password.
func (r *Registry) Creds() string { return r.User + ":" + r.Password }

// Start runs bin (docker-registry) until the test ends.
func Start(t TB, bin string) *Registry {
	t.Helper()
	ca := testpki.NewCA(t, "lcp-registry")
	server := ca.Server(t)
	dir := t.TempDir()
	r := &Registry{CAFile: ca.CAFile, CertDir: filepath.Join(dir, "certs"), User: "lcp-pusher", Password: "s3cret-" + Random()}
	pem, err := os.ReadFile(ca.CAFile)
	check(t, err)
	check(t, os.MkdirAll(r.CertDir, 0o700))
	check(t, os.WriteFile(filepath.Join(r.CertDir, "ca.crt"), pem, 0o600))
	hash, err := bcrypt.GenerateFromPassword([]byte(r.Password), bcrypt.MinCost)
	check(t, err)
	check(t, os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(r.User+":"+string(hash)+"\n"), 0o600))

	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	r.Addr = l.Addr().String()
	check(t, l.Close())
	config := fmt.Sprintf(`version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage:
  filesystem: {rootdirectory: %s}
  delete: {enabled: true}
http:
  addr: %s
  secret: %s
  tls: {certificate: %s, key: %s}
auth:
  htpasswd: {realm: lcp-test, path: %s}
`, filepath.Join(dir, "data"), r.Addr, Random(), server.Cert, server.Key, filepath.Join(dir, "htpasswd"))
	check(t, os.WriteFile(filepath.Join(dir, "config.yml"), []byte(config), 0o600))
	cmd := exec.Command(bin, "serve", filepath.Join(dir, "config.yml"))
	logf, err := os.Create(filepath.Join(dir, "registry.log"))
	check(t, err)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	check(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		logf.Close()
	})

	check(t, r.Trust())
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := r.client().Get("https://" + r.Addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatal(fmt.Sprintf("the registry answered /v2/ without credentials with %s, not 401", resp.Status))
			}
			return r
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "registry.log"))
			t.Fatal(fmt.Sprintf("docker-registry did not answer on %s: %v\n%s", r.Addr, err, log))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Trust reads CAFile for the registry's own client (Start does; a Registry read back from its
// fields calls it).
func (r *Registry) Trust() error {
	pem, err := os.ReadFile(r.CAFile)
	if err != nil {
		return err
	}
	r.pool = x509.NewCertPool()
	if !r.pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate", r.CAFile)
	}
	return nil
}

func (r *Registry) client() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: r.pool}}}
}

// Manifest GETs repo's manifest by digest (with the test's credentials and CA) and checks that
// what the registry serves hashes to it. It returns the manifest's media type and size.
func (r *Registry) Manifest(ctx context.Context, repo, digest string) (string, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+r.Addr+"/v2/"+repo+"/manifests/"+digest, nil)
	if err != nil {
		return "", 0, err
	}
	req.SetBasicAuth(r.User, r.Password)
	req.Header.Set("Accept", strings.Join([]string{"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
		"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}, ", "))
	resp, err := r.client().Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", 0, fmt.Errorf("GET %s: %s: %s", req.URL, resp.Status, body)
	}
	sum := sha256.Sum256(body)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != digest {
		return "", 0, fmt.Errorf("GET %s served a manifest whose digest is %s", req.URL, got)
	}
	return resp.Header.Get("Content-Type"), len(body), nil
}

// Random is 12 hex digits.
func Random() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func check(t TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
