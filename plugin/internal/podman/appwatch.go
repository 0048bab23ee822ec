package podman

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// A checkpoint is only worth committing if the server it holds runs its applications. Liberty
// reports a failed application in its log but still gets ready (CWWKF0011I), and the local
// flavor dumps the server as soon as it is ready; the OpenJ9 flavor checkpoints after the
// applications' start-up too. So the engine watches the checkpoint run's output: any of
// engine.AppFailureMessages aborts the run at once, and at afterAppStart every application the
// server configuration deploys must have logged CWWKZ0001I before the checkpoint counts.

var (
	appStartedRE = regexp.MustCompile(`\b` + engine.MsgAppStarted + `: Application (.+?) started\b`)
	appFailureRE = regexp.MustCompile(`\b(` + strings.Join(sortedKeys(engine.AppFailureMessages), "|") + `):`)
)

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appWatch follows a checkpoint run's output for Liberty's application messages.
type appWatch struct {
	expected []string // the applications the configuration deploys
	phase    engine.Phase

	mu       sync.Mutex
	started  map[string]bool
	failures []string
	failed   chan struct{}
}

func newAppWatch(expected []string, phase engine.Phase) *appWatch {
	return &appWatch{expected: expected, phase: phase, started: map[string]bool{}, failed: make(chan struct{})}
}

// Expect sets the applications the configuration deploys (before Verdict; Observe does not need them).
func (w *appWatch) Expect(apps []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.expected = apps
}

// Observe looks at one line of output.
func (w *appWatch) Observe(line string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if m := appStartedRE.FindStringSubmatch(line); m != nil {
		w.started[m[1]] = true
		return
	}
	if appFailureRE.MatchString(line) {
		if len(w.failures) == 0 {
			close(w.failed)
		}
		w.failures = append(w.failures, line)
	}
}

// Failed is closed at the first failure message.
func (w *appWatch) Failed() <-chan struct{} { return w.failed }

// failedAny reports whether a failure message was seen.
func (w *appWatch) failedAny() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.failures) > 0
}

// errAppStartFailed marks the errors of applications that did not start.
var errAppStartFailed = errors.New("an application did not start")

func errAppStart(err error) bool { return errors.Is(err, errAppStartFailed) }

// Verdict returns the error for what was seen (nil: every application started, or the phase
// does not start them), with the lines that show it ahead of the output's tail.
func (w *appWatch) Verdict(image string, tail []string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	fix := "fix the application's start-up (the lines below show why it failed), then build and checkpoint again: " +
		"a checkpoint of a server without its application restores a server without it"
	if len(w.failures) > 0 {
		first := w.failures[0]
		msg := strings.TrimSpace(first)
		if i := appFailureRE.FindStringIndex(msg); i != nil {
			msg = msg[i[0]:]
		}
		id := appFailureRE.FindStringSubmatch(first)[1]
		return &engine.Error{Code: engine.CodeFailedPrecondition, Field: "image", Err: errAppStartFailed,
			Message: fmt.Sprintf("the application did not start in the checkpoint run of %s (%s): %s", image, engine.AppFailureMessages[id], msg),
			Fix:     fix, LogTail: withTail(w.failures, tail)}
	}
	if w.phase == engine.BeforeAppStart {
		return nil // the server checkpoints before the applications start
	}
	var missing []string
	for _, a := range w.expected {
		if !w.started[a] {
			missing = append(missing, a)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	seen := make([]string, 0, len(w.started))
	for a := range w.started {
		seen = append(seen, a)
	}
	slices.Sort(seen)
	started := "none"
	if len(seen) > 0 {
		started = strings.Join(seen, ", ")
	}
	return &engine.Error{Code: engine.CodeFailedPrecondition, Field: "image", Err: errAppStartFailed,
		Message: fmt.Sprintf("the checkpoint run of %s ended before the application %s started (no %s; started: %s)",
			image, strings.Join(missing, ", "), engine.MsgAppStarted, started),
		Fix: "check that server.xml deploys the application under that name and that it starts within the server's start " +
			"timeout; the server's output is below",
		LogTail: tail}
}

// withTail puts the lines that show a failure first, then the rest of the output's tail.
func withTail(lines, tail []string) []string {
	out := append([]string(nil), lines...)
	out = append(out, "...")
	for _, l := range tail {
		if !slices.Contains(lines, l) {
			out = append(out, l)
		}
	}
	return out
}

// configuredApps reads, from a container (created or stopped), the applications its server
// configuration deploys: <application>, <webApplication> and <enterpriseApplication> in
// /config/server.xml and /config/configDropins, and the archives in /config/dropins.
func configuredApps(ctx context.Context, id string) ([]string, error) {
	var apps []string
	add := func(cfg engine.ServerConfig) {
		for _, a := range cfg.Apps {
			if !slices.Contains(apps, a.Name) {
				apps = append(apps, a.Name)
			}
		}
	}
	data, err := readContainerFile(ctx, id, "/config/server.xml", 8<<20, false)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	if cfg, err := engine.ParseServerConfig(data); err == nil {
		add(cfg)
	}
	err = walkContainerTar(ctx, id, "/config/configDropins", func(h *tar.Header, r io.Reader) (bool, error) {
		if h.Typeflag == tar.TypeReg && strings.HasSuffix(h.Name, ".xml") {
			data, err := io.ReadAll(io.LimitReader(r, 8<<20))
			if err != nil {
				return true, err
			}
			if cfg, err := engine.ParseServerConfig(data); err == nil {
				add(cfg)
			}
		}
		return false, nil
	})
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	err = walkContainerTar(ctx, id, "/config/dropins", func(h *tar.Header, _ io.Reader) (bool, error) {
		name := strings.Trim(h.Name, "/")
		if strings.Count(name, "/") == 1 && !strings.HasPrefix(name[strings.Index(name, "/")+1:], ".") {
			if a := engine.AppNameOf(name); a != "" && !slices.Contains(apps, a) {
				apps = append(apps, a)
			}
		}
		return false, nil
	})
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	return apps, nil
}
