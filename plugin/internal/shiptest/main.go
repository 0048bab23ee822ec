// Command lcp-shiptest is what the Maven and Gradle real chains need from Go to test shipping
// (make builds it as bin/lcp-shiptest for make test-maven and make test-gradle):
//
//	lcp-shiptest registry DIR              run internal/testregistry's docker-registry (TLS from a CA
//	                                       made here, htpasswd) until stdin closes or SIGTERM; write
//	                                       DIR/registry.properties (addr, certDir, creds), then print
//	                                       "ready ADDR"
//	lcp-shiptest manifest PROPS REF DIGEST GET REF's manifest by DIGEST from that registry and check
//	                                       that what it serves hashes to DIGEST
//	lcp-shiptest kube YAML                 decode the YAML kube wrote strictly into the Kubernetes
//	                                       API types, and its Localhost seccomp profile beside it
//	                                       into the runtime spec's type
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testregistry"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/kube"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch args := os.Args[2:]; os.Args[1] {
	case "registry":
		if len(args) != 1 {
			usage()
		}
		err = registry(args[0])
	case "manifest":
		if len(args) != 3 {
			usage()
		}
		err = manifest(args[0], args[1], args[2])
	case "kube":
		if len(args) != 1 {
			usage()
		}
		err = kubeCheck(args[0])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lcp-shiptest:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: lcp-shiptest registry DIR | manifest PROPS REF DIGEST | kube YAML")
	os.Exit(2)
}

// tb runs testregistry outside a test: temporary directories under dir, cleanups at the end.
type tb struct {
	dir      string
	n        int
	cleanups []func()
}

func (t *tb) Helper() {}
func (t *tb) Fatal(args ...any) {
	t.cleanup()
	fmt.Fprintln(os.Stderr, append([]any{"lcp-shiptest:"}, args...)...)
	os.Exit(1)
}
func (t *tb) TempDir() string {
	t.n++
	d := filepath.Join(t.dir, fmt.Sprintf("%03d", t.n))
	if err := os.MkdirAll(d, 0o700); err != nil {
		t.Fatal(err)
	}
	return d
}
func (t *tb) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }
func (t *tb) cleanup() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	t.cleanups = nil
}

func registry(dir string) error {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return fmt.Errorf("docker-registry is missing: run make setup (hack/setup-host.sh installs Debian's docker-registry): %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	t := &tb{dir: dir}
	defer func() {
		t.cleanup()
		for i := 1; i <= t.n; i++ {
			_ = os.RemoveAll(filepath.Join(dir, fmt.Sprintf("%03d", i)))
		}
	}()
	r := testregistry.Start(t, bin)
	props := fmt.Sprintf("addr=%s\ncertDir=%s\ncaFile=%s\nuser=%s\npassword=%s\ncreds=%s\n", r.Addr, r.CertDir, r.CAFile, r.User, r.Password, r.Creds())
	if err := os.WriteFile(filepath.Join(dir, "registry.properties"), []byte(props), 0o600); err != nil {
		return err
	}
	fmt.Println("ready", r.Addr)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	eof := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(eof) }() // the caller went away
	select {
	case <-stop:
	case <-eof:
	}
	return nil
}

func manifest(propsFile, ref, digest string) error {
	data, err := os.ReadFile(propsFile)
	if err != nil {
		return err
	}
	r := &testregistry.Registry{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "addr":
			r.Addr = v
		case "caFile":
			r.CAFile = v
		case "user":
			r.User = v
		case "password":
			r.Password = v
		}
	}
	repo, ok := strings.CutPrefix(ref, r.Addr+"/")
	if !ok {
		return fmt.Errorf("%s is not in the registry at %s", ref, r.Addr)
	}
	repo, _, _ = strings.Cut(repo, "@")
	if i := strings.LastIndex(repo, ":"); i > 0 {
		repo = repo[:i]
	}
	if err := r.Trust(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mediaType, size, err := r.Manifest(ctx, repo, digest)
	if err != nil {
		return err
	}
	fmt.Printf("the registry serves %s@%s (%s, %d bytes)\n", repo, digest, mediaType, size)
	return nil
}

func kubeCheck(yamlFile string) error {
	data, err := os.ReadFile(yamlFile)
	if err != nil {
		return err
	}
	objs, err := kube.DecodeStrict(data)
	if err != nil {
		return fmt.Errorf("%s: %w", yamlFile, err)
	}
	var kinds []string
	var dep *appsv1.Deployment
	for _, o := range objs {
		switch o := o.(type) {
		case *appsv1.Deployment:
			dep = o
		case *corev1.Service:
		}
		kinds = append(kinds, strings.TrimPrefix(fmt.Sprintf("%T", o), "*"))
	}
	if dep == nil {
		return fmt.Errorf("%s holds no Deployment", yamlFile)
	}
	msg := fmt.Sprintf("%s decodes strictly: %s", filepath.Base(yamlFile), strings.Join(kinds, ", "))
	sp := dep.Spec.Template.Spec.SecurityContext
	if sp != nil && sp.SeccompProfile != nil && sp.SeccompProfile.Type == corev1.SeccompProfileTypeLocalhost && sp.SeccompProfile.LocalhostProfile != nil {
		profile := filepath.Join(filepath.Dir(yamlFile), *sp.SeccompProfile.LocalhostProfile)
		raw, err := os.ReadFile(profile)
		if err != nil {
			return fmt.Errorf("the Localhost seccomp profile the Deployment names: %w", err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var p specs.LinuxSeccomp
		if err := dec.Decode(&p); err != nil {
			return fmt.Errorf("strict decoding of %s: %w", profile, err)
		}
		if p.DefaultAction == "" || len(p.Syscalls) == 0 {
			return errors.New(profile + " has no default action or no syscall rules")
		}
		msg += fmt.Sprintf("; seccomp profile %s: default %s, %d rules", filepath.Base(profile), p.DefaultAction, len(p.Syscalls))
	}
	fmt.Println(msg)
	return nil
}
