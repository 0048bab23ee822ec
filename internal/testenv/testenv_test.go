package testenv

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every skip goes through this package, which fails in CI instead: a t.Skip or a testing.Short
// anywhere else would let CI pass without running a test.
func TestSkipsGoThroughTestenv(t *testing.T) {
	root := RepoRoot(t)
	direct := regexp.MustCompile(`(\w+)\.Skip(f|Now)?\(|testing\.Short\(\)`)
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == filepath.Join("internal", "testenv") || strings.HasPrefix(d.Name(), ".") && rel != "." ||
				d.Name() == "node_modules" || d.Name() == "target" || d.Name() == "build" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := direct.FindStringSubmatch(line); m != nil && m[1] != "testenv" {
				found = append(found, fmt.Sprintf("%s:%d: %s", rel, i+1, strings.TrimSpace(line)))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("skip through internal/testenv (Missing, Skip, SkipIfShort), which fails in CI:\n%s", strings.Join(found, "\n"))
	}
}

func TestSkipFailsInCI(t *testing.T) {
	for _, ci := range []string{"", "1"} {
		t.Setenv("CI", ci)
		ft := &fakeT{}
		func() {
			defer func() { _ = recover() }()
			Skip(ft, "nothing to prove")
		}()
		if ci == "" && (!ft.skipped || ft.failed) {
			t.Errorf("outside CI Skip skips: %+v", ft)
		}
		if ci != "" && (!ft.failed || ft.skipped) {
			t.Errorf("in CI Skip fails: %+v", ft)
		}
	}
}

// fakeT records what a helper did to its test; Fatal and Skip stop it with a panic, as runtime.Goexit would.
type fakeT struct {
	testing.TB
	failed, skipped bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Fatalf(string, ...any) { f.failed = true; panic("fatal") }
func (f *fakeT) Skip(...any)           { f.skipped = true; panic("skip") }
func (f *fakeT) Skipf(string, ...any)  { f.skipped = true; panic("skip") }
