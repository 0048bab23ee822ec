package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/host/render"
)

// The rootless section: the sample built and started by rootful Podman (root) and by rootless
// Podman (the ordinary user make setup prepares, through hack/rootless.sh), in the same rounds.
// Both sides go through the liberty-checkpoint CLI exactly as a user runs it, so they are measured
// the same way: checkpoint-image's wall time, and the time restore reports from the container's
// creation to the first HTTP 200 (of the InstantOn image, and of its application image: a cold
// start). Each round builds both sides' images (the order alternating), starts the four variants
// in a random order, and removes the images.

// rootlessScript runs a command as the rootless user with a login-like environment.
const rootlessScript = "hack/rootless.sh"

// RootlessReport is the rootless section of the report.
type RootlessReport struct {
	// Missing says why there is no rootless measurement (no such user, not root, ...); empty
	// when it ran.
	Missing string `json:",omitempty"`
	// Drivers is each side's storage driver (podman info), by side: rootful, rootless.
	Drivers map[string]string `json:",omitempty"`
	// Build: ms, "<side>/build" (checkpoint-image, the whole command) and "<side>/build-steps"
	// (its containerize + checkpoint + commit).
	Build []Series `json:",omitempty"`
	// Startup: ms from the container's creation to the first HTTP 200 (restore's create + ready
	// timings), "<side>/cold" and "<side>/restore".
	Startup []Series `json:",omitempty"`
}

// rootlessSide is rootful or rootless Podman: how its commands are run, and its own copy of
// the inputs (the rootless user cannot read root's temporary directories).
type rootlessSide struct {
	Key    string
	as     []string // command prefix ("" for root)
	cli    string
	war    string
	config string
	images []string // made this round, removed at its end
}

func (s *rootlessSide) command(ctx context.Context, name string, args ...string) ([]byte, error) {
	argv := append(append(append([]string{}, s.as...), name), args...)
	return run(ctx, argv[0], argv[1:]...)
}

// rootless measures the rootless section into rep.Rootless; what keeps it from running goes in
// the report (and its Failures when the user exists but a measurement failed).
func (b *bench) rootless(ctx context.Context, rep *Report) error {
	rr := &RootlessReport{Drivers: map[string]string{}}
	rep.Rootless = rr
	if os.Geteuid() != 0 {
		rr.Missing = "the bench runs as an ordinary user: run make bench as root (the rootless side switches to the user make setup prepares)"
		return nil
	}
	if _, err := os.Stat(rootlessScript); err != nil {
		rr.Missing = "run the bench from the repository's root (" + rootlessScript + " switches to the rootless user)"
		return nil
	}
	if out, err := exec.CommandContext(ctx, rootlessScript, "run", "true").CombinedOutput(); err != nil {
		rr.Missing = strings.TrimSpace(string(out))
		if rr.Missing == "" {
			rr.Missing = err.Error()
		}
		return nil
	}
	b.say("rootless: sharing %s with the rootless user (%s share-base)", b.cfg.Base, rootlessScript)
	if _, err := run(ctx, rootlessScript, "share-base", b.cfg.Base); err != nil {
		return fmt.Errorf("rootless: %w", err)
	}
	dir, err := rootlessInputs(b.cfg)
	if err != nil {
		return fmt.Errorf("rootless: %w", err)
	}
	defer os.RemoveAll(dir)
	sides := []*rootlessSide{
		{Key: "rootful", cli: b.cfg.CLI, war: b.cfg.War, config: b.cfg.ConfigDir},
		{Key: "rootless", as: []string{rootlessScript, "run"}, cli: filepath.Join(dir, "liberty-checkpoint"),
			war: filepath.Join(dir, "sample.war"), config: filepath.Join(dir, "config")},
	}
	defer func() {
		for _, s := range sides {
			b.removeRootlessImages(context.WithoutCancel(ctx), s)
		}
	}()
	for _, s := range sides {
		out, err := s.command(ctx, "podman", "info", "--format", "{{.Store.GraphDriverName}}")
		if err != nil {
			return fmt.Errorf("rootless: podman info (%s): %w", s.Key, err)
		}
		rr.Drivers[s.Key] = strings.TrimSpace(string(out))
	}

	build, steps := map[string][]float64{}, map[string][]float64{}
	starts := map[string][]float64{}
	kinds := []string{"cold", "restore"}
	for round := 1; round <= b.cfg.Rounds; round++ {
		order := sides
		if round%2 == 0 {
			order = []*rootlessSide{sides[1], sides[0]}
		}
		built := map[string]string{}
		for _, s := range order {
			if err := sleep(ctx, b.cfg.Pause); err != nil {
				return err
			}
			image := fmt.Sprintf("localhost/%s-%s:r%d", b.prefix, s.Key, round)
			wall, stepMs, err := b.rootlessBuild(ctx, s, image)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				b.say("rootless round %d/%d: %s build FAILED: %v", round, b.cfg.Rounds, s.Key, err)
				rep.Failures = append(rep.Failures, fmt.Sprintf("rootless round %d, %s checkpoint-image: %v", round, s.Key, err))
				wall, stepMs = nan(), nan()
			} else {
				built[s.Key] = image
				b.say("rootless round %d/%d: %-8s checkpoint-image %s", round, b.cfg.Rounds, s.Key, formatMs(wall))
			}
			build[s.Key] = append(build[s.Key], wall)
			steps[s.Key] = append(steps[s.Key], stepMs)
		}
		for _, i := range roundOrder(b.cfg.Seed, round, len(sides)*len(kinds)) {
			s, kind := sides[i/len(kinds)], kinds[i%len(kinds)]
			key := s.Key + "/" + kind
			v := nan()
			if image, ok := built[s.Key]; ok {
				if err := sleep(ctx, b.cfg.Pause); err != nil {
					return err
				}
				if kind == "cold" {
					image += "-app"
				}
				var err error
				if v, err = b.rootlessStart(ctx, s, image, kind == "restore"); err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					b.say("rootless round %d/%d: %s FAILED: %v", round, b.cfg.Rounds, key, err)
					rep.Failures = append(rep.Failures, fmt.Sprintf("rootless round %d, %s: %v", round, key, err))
					v = nan()
				} else {
					b.say("rootless round %d/%d: %-16s %s", round, b.cfg.Rounds, key, formatMs(v))
				}
			}
			starts[key] = append(starts[key], v)
		}
		for _, s := range sides {
			b.removeRootlessImages(ctx, s)
		}
	}
	for _, s := range sides {
		rr.Build = append(rr.Build,
			Series{Key: s.Key + "/build", Label: s.Key + ": checkpoint-image, the whole command", Values: build[s.Key]},
			Series{Key: s.Key + "/build-steps", Label: s.Key + ": its containerize + checkpoint + commit", Values: steps[s.Key]})
		for _, kind := range kinds {
			what := "cold start, application image"
			if kind == "restore" {
				what = "restore, InstantOn image"
			}
			rr.Startup = append(rr.Startup, Series{Key: s.Key + "/" + kind, Label: s.Key + ": " + what, Values: starts[s.Key+"/"+kind]})
		}
	}
	for _, list := range [][]Series{rr.Build, rr.Startup} {
		for _, s := range list {
			if s.Summary().N == 0 {
				rep.Failures = append(rep.Failures, "missing row: rootless "+s.Key+" (no round measured it)")
			}
		}
	}
	return nil
}

// rootlessInputs copies the CLI with its plugin, the sample's WAR and its configuration to a
// directory every user may read.
func rootlessInputs(cfg config) (string, error) {
	dir, err := os.MkdirTemp("", "bench-rootless-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return dir, err
	}
	files := [][3]string{
		{cfg.CLI, "liberty-checkpoint", "755"},
		{filepath.Join(filepath.Dir(cfg.CLI), "liberty-checkpoint-plugin"), "liberty-checkpoint-plugin", "755"},
		{cfg.War, "sample.war", "644"},
	}
	entries, err := os.ReadDir(cfg.ConfigDir)
	if err != nil {
		return dir, err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			files = append(files, [3]string{filepath.Join(cfg.ConfigDir, e.Name()), filepath.Join("config", e.Name()), "644"})
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f[0])
		if err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		dst := filepath.Join(dir, f[1])
		mode := os.FileMode(0o644)
		if f[2] == "755" {
			mode = 0o755
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
		if err := os.WriteFile(dst, b, mode); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// rootlessBuild runs checkpoint-image on side s (keeping the application image for the cold
// starts) and returns its wall time and the sum of its steps, in ms.
func (b *bench) rootlessBuild(ctx context.Context, s *rootlessSide, image string) (float64, float64, error) {
	s.images = append(s.images, image, image+"-app")
	start := time.Now()
	out, err := s.command(ctx, s.cli, "checkpoint-image", "--output", "json", "--base-image", b.cfg.Base,
		"--app-archive", s.war, "--config-directory", s.config, "--image", image, "--keep-app-image")
	wall := ms(time.Since(start))
	ev, _ := ParseCLIEvents(bytes.NewReader(out))
	if err != nil {
		if ev.Err != "" {
			err = errors.New(ev.Err)
		}
		return 0, 0, err
	}
	var steps time.Duration
	for _, k := range []string{"containerize", "checkpoint", "commit"} {
		d, ok := ev.Timings[k]
		if !ok {
			return 0, 0, fmt.Errorf("checkpoint-image reported no %s time", k)
		}
		steps += d
	}
	return wall, ms(steps), nil
}

// rootlessStart restores image on side s through the CLI and returns the ms from the container's
// creation to the first HTTP 200 of the sample; the verdict must be the one expected.
func (b *bench) rootlessStart(ctx context.Context, s *rootlessSide, image string, restore bool) (float64, error) {
	args := []string{"restore", "--output", "json", "--image", image, "--publish", fmt.Sprintf("127.0.0.1::%d", b.cfg.ContainerPort),
		"--ready-url", b.cfg.Path, "--timeout", b.cfg.ReadyTimeout.String()}
	if restore {
		args = append(args, "--disable-recovery")
	}
	out, err := s.command(ctx, s.cli, args...)
	if err != nil {
		if ev, _ := ParseCLIEvents(bytes.NewReader(out)); ev.Err != "" {
			return 0, fmt.Errorf("%s: %s", image, ev.Err)
		}
		return 0, err
	}
	res, err := restoreResult(out)
	if err != nil {
		return 0, err
	}
	o := res.GetRestore()
	want := pb.RestoreOutcome_VERDICT_COLD_START
	if restore {
		want = pb.RestoreOutcome_VERDICT_RESTORED
	}
	if o.GetVerdict() != want {
		return 0, fmt.Errorf("%s: verdict %s, want %s (%s)", image, o.GetVerdict(), want, o.GetEvidence())
	}
	if o.GetHttpStatus() != 200 {
		return 0, fmt.Errorf("%s: readiness answered HTTP %d", image, o.GetHttpStatus())
	}
	create := math.NaN()
	for _, t := range res.GetTimings() {
		if t.GetName() == "create" {
			create = float64(t.GetMs())
		}
	}
	if math.IsNaN(create) {
		return 0, fmt.Errorf("%s: restore reported no create time", image)
	}
	return create + float64(o.GetReadyMs()), nil
}

// restoreResult is the result event of `liberty-checkpoint restore -o json`.
func restoreResult(out []byte) (*pb.Result, error) {
	events, err := render.ReadEvents(bytes.NewReader(out))
	if err != nil {
		return nil, err
	}
	for _, ev := range events {
		if r := ev.GetResult(); r != nil && r.GetRestore() != nil {
			return r, nil
		}
	}
	return nil, errors.New("restore printed no result")
}

// removeRootlessImages removes the images side s made.
func (b *bench) removeRootlessImages(ctx context.Context, s *rootlessSide) {
	for _, image := range s.images {
		if _, err := s.command(ctx, "podman", "rmi", "--force", "--ignore", image); err != nil {
			b.say("rootless: could not remove %s (%s): %v", image, s.Key, err)
		}
	}
	s.images = nil
}

// writeMarkdown renders the rootless section.
func (r *RootlessReport) writeMarkdown(b *strings.Builder) {
	b.WriteString("\n### Rootless versus rootful Podman (the sample)\n\n")
	if r.Missing != "" {
		fmt.Fprintf(b, "Not measured: %s\n", r.Missing)
		return
	}
	b.WriteString("The sample built and started through the liberty-checkpoint CLI by root (rootful Podman) and by the ordinary user " +
		"`make setup` prepares (rootless Podman, through `hack/rootless.sh run`; with no Podman service running for it, the CLI starts a transient one " +
		"per command, which the whole command's time includes). Start-up: from the container's creation to the first HTTP 200, as " +
		"`liberty-checkpoint restore` reports it (create + ready), for the InstantOn image and for its application image (a cold start). " +
		"Each round builds both, then starts the four in a random order.\n\n")
	med := func(list []Series, key string) float64 {
		if sum := (*Report)(nil).find(list, key); sum.N > 0 {
			return sum.Median
		}
		return math.NaN()
	}
	row := func(label string, get func(side string) float64, format string) {
		a, c := get("rootful"), get("rootless")
		cells := []string{label}
		for _, v := range []float64{a, c} {
			cells = append(cells, dashIfNaN(v, format))
		}
		fmt.Fprintf(b, "| %s | %s |\n", strings.Join(cells, " | "), dashIfNaN(c/a, "%.2f"))
	}
	b.WriteString("| medians | rootful | rootless | rootless / rootful |\n| --- | ---: | ---: | ---: |\n")
	fmt.Fprintf(b, "| storage driver | %s | %s | |\n", r.Drivers["rootful"], r.Drivers["rootless"])
	row("checkpoint-image, whole command (s)", func(s string) float64 { return med(r.Build, s+"/build") / 1000 }, "%.1f")
	row("its containerize + checkpoint + commit (s)", func(s string) float64 { return med(r.Build, s+"/build-steps") / 1000 }, "%.1f")
	row("cold start → first HTTP 200 (ms)", func(s string) float64 { return med(r.Startup, s+"/cold") }, "%.0f")
	row("restore → first HTTP 200 (ms)", func(s string) float64 { return med(r.Startup, s+"/restore") }, "%.0f")
	row("restore / cold", func(s string) float64 { return med(r.Startup, s+"/restore") / med(r.Startup, s+"/cold") }, "%.3f")
	b.WriteString("\n")
	table(b, "build (s)", r.Build, func(v float64) string { return fmt.Sprintf("%.1f", v/1000) })
	b.WriteString("\n")
	table(b, "start-up (ms)", r.Startup, func(v float64) string { return fmt.Sprintf("%.0f", v) })
}

// dashIfNaN formats v, or "–" for a value no round measured.
func dashIfNaN(v float64, format string) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf(format, v)
}
