// Package testenv lets tests say what they need from the machine. Outside CI a test whose need
// is missing is skipped with a message naming it and the fix; in CI (CI set) it fails instead,
// because CI must run every test.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// InCI reports whether the tests run in CI, where nothing may be skipped.
func InCI() bool { return os.Getenv("CI") != "" }

// Missing skips (locally) or fails (in CI) the test: what is missing and how to get it.
func Missing(t testing.TB, what, fix string) {
	t.Helper()
	if InCI() {
		t.Fatalf("missing %s (CI must not skip): %s", what, fix)
	}
	t.Skipf("missing %s: %s", what, fix)
}

// Skip skips (locally) a test that cannot prove anything on this machine, saying why; in CI,
// where every test must run, it fails instead, so a CI machine that cannot run the test is noticed.
func Skip(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("cannot run here (CI must not skip): %s", why)
	}
	t.Skip(why)
}

// SkipIfShort skips a slow integration test (what) under go test -short, outside CI. In CI, -short
// must not drop it silently: the test fails and says so.
func SkipIfShort(t testing.TB, what string) {
	t.Helper()
	if !testing.Short() {
		return
	}
	if InCI() {
		t.Fatalf("-short would skip %s, and CI must not skip: run the tests without -short", what)
	}
	t.Skipf("-short: skipping %s", what)
}

// LookPath finds a command on PATH or in $(go env GOPATH)/bin, or calls Missing.
func LookPath(t testing.TB, name, fix string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	Missing(t, name, fix)
	return ""
}

// RepoRoot is the repository's top directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

var (
	buildMu  sync.Mutex
	buildDir string
	built    = map[string]string{}
)

// Build compiles the main package pkg (a path relative to the repository root) into a
// directory shared by the test binary's tests, under the name name, and returns its path.
// Binaries built under the same directory find each other (the CLI looks for its plugin next to
// itself).
func Build(t testing.TB, pkg, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[pkg+"|"+name]; ok {
		return p
	}
	if buildDir == "" {
		d, err := os.MkdirTemp("", "lcp-testbin-")
		if err != nil {
			t.Fatal(err)
		}
		buildDir = d
	}
	out := filepath.Join(buildDir, name)
	cmd := exec.Command("go", "build", "-o", out, "./"+pkg)
	cmd.Dir = RepoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	built[pkg+"|"+name] = out
	return out
}

// CleanupBuilds removes the binaries Build made; call it from TestMain after m.Run.
func CleanupBuilds() {
	buildMu.Lock()
	defer buildMu.Unlock()
	if buildDir != "" {
		os.RemoveAll(buildDir)
		buildDir = ""
		built = map[string]string{}
	}
}
