// Command bench measures what InstantOn buys on this machine, in one run, and writes a markdown
// report and a PNG chart (out/bench/ by default):
//
//   - for two workloads, the built-in sample (one servlet) and bench/catalog (JAX-RS + CDI + JSON-B
//     with a cache of tens of MB built at start-up): time from `podman run` to the first HTTP 200,
//     cold start of the application image versus restore of the InstantOn image, against the floor
//     of a no-op `podman run`; the latency of the first requests after each (p50, p99), the
//     server's RSS after them, and the checkpoint's size against the server's RSS at the dump;
//   - where a restore spends its time: container start, criu (from its restore.log), and the
//     resumed server's way to its first response;
//   - the whole pipeline through the liberty-checkpoint CLI versus the same steps as a plain
//     podman script (podman-pipeline.sh);
//   - go-plugin launch, handshake and first RPC (host/pluginhost's Go benchmark);
//   - the sample's checkpoint size (the InstantOn image's top layer) versus the server's RSS over
//     the pipeline runs.
//
// Every round runs each variant once, in a new random order, so machine noise (and the wake of
// the run before) hits them alike. Everything the bench creates is named lcp-bench-<id>-... and removed, also on
// Ctrl-C (a second Ctrl-C quits at once). `make bench` runs it from the repository root after
// building the CLI, the sample WAR and the local base image; README.md here says how to read it.
package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// config is what the flags set.
type config struct {
	Rounds         int
	CLI            string
	Base           string
	War, ConfigDir string
	Path, Body     string
	// CatalogWar and CatalogConfigDir are bench/catalog's WAR and configuration.
	CatalogWar, CatalogConfigDir string
	// Workloads are the keys of the workloads to measure (sample, catalog).
	Workloads []string
	// Requests is how many requests the latency run after the first answer sends.
	Requests int
	// WarmUp builds the InstantOn images with LCP_CHECKPOINT_WARMUP (the workload's
	// first-response path, requested before the dump), and a second InstantOn image without it
	// for the "restore without warm-up" row.
	WarmUp bool
	// Service: the headline start-up variants create and start their containers through a Podman
	// service the bench runs (podman system service), and the tool's pipeline talks to it; the
	// podman CLI's `podman run` gets rows of its own.
	Service       bool
	ContainerPort int
	OutDir        string
	ReadyTimeout  time.Duration
	Pause         time.Duration
	GoBench       bool
	Pipeline      bool
	Seed          uint64

	// Rootless adds rootless versus rootful Podman on the sample (bench/rootless.go).
	Rootless bool
}

type bench struct {
	cfg    config
	prefix string // lcp-bench-<id>
	res    *resources
	svc    *service // the running Podman service (nil with -service=false)
	log    io.Writer
}

func main() {
	var cfg config
	flag.IntVar(&cfg.Rounds, "rounds", 5, "rounds: each variant runs once per round")
	flag.StringVar(&cfg.CLI, "cli", "bin/liberty-checkpoint", "the liberty-checkpoint CLI (make build)")
	flag.StringVar(&cfg.Base, "base-image", "localhost/open-liberty:local-checkpoint", "the base image (make base-local)")
	flag.StringVar(&cfg.War, "app-archive", "sample/target/sample.war", "the sample WAR (make sample)")
	flag.StringVar(&cfg.ConfigDir, "config-directory", "sample/src/main/liberty/config", "the sample's Liberty configuration")
	flag.StringVar(&cfg.Path, "path", "/sample/hello", "the URL path whose first HTTP 200 counts")
	flag.StringVar(&cfg.Body, "body", "Hello from the liberty-checkpoint sample", "what the answer must start with")
	flag.StringVar(&cfg.CatalogWar, "catalog-archive", "bench/catalog/target/catalog.war", "the catalog workload's WAR (cd bench/catalog && mvn -q package)")
	flag.StringVar(&cfg.CatalogConfigDir, "catalog-config-directory", "bench/catalog/src/main/liberty/config", "the catalog workload's Liberty configuration")
	workloads := flag.String("workloads", "sample,catalog", "the workloads to measure, comma-separated: sample, catalog")
	flag.IntVar(&cfg.Requests, "requests", 1000, "requests of the latency run after the first answer of each cold start and restore")
	flag.BoolVar(&cfg.WarmUp, "warmup", true, "build the InstantOn images with the warm-up (--env LCP_CHECKPOINT_WARMUP=<the workload's URL path>), and one more without it for comparison")
	flag.BoolVar(&cfg.Service, "service", true, "start the headline variants' containers through a running Podman service the bench starts (podman system service), as liberty-checkpoint restore does; the podman CLI's podman run gets rows of its own")
	flag.IntVar(&cfg.ContainerPort, "container-port", 9080, "the server's HTTP port in the container")
	flag.StringVar(&cfg.OutDir, "out", "out/bench", "where report.md, startup.png and samples.json go")
	flag.DurationVar(&cfg.ReadyTimeout, "ready-timeout", 3*time.Minute, "give up on one start after this long")
	flag.DurationVar(&cfg.Pause, "pause", time.Second, "pause between two timed runs (lets the last container's teardown settle)")
	flag.Uint64Var(&cfg.Seed, "seed", 0, "seed of the per-round order of the start-up variants (0: from the clock; the report names it)")
	flag.BoolVar(&cfg.GoBench, "gobench", true, "run host/pluginhost's BenchmarkLaunchHandshakeFirstRPC (needs the go tool)")
	flag.BoolVar(&cfg.Pipeline, "pipeline", true, "time the whole pipeline, tool versus script (about 2 x 15 s per round)")
	flag.BoolVar(&cfg.Rootless, "rootless", true, "rootless versus rootful Podman on the sample, as root with the user make setup prepares (about 2 x 15 s of builds and 4 starts per round)")
	flag.Parse()
	cfg.Workloads = strings.Split(*workloads, ",")
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal ends the bench at once
	}()
	b := &bench{cfg: cfg, prefix: "lcp-bench-" + randomID(), log: os.Stderr}
	b.res = &resources{log: os.Stderr}
	rep, err := b.run(ctx)
	b.res.cleanup()
	b.svc.stop()
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "bench: interrupted; removed what it had made")
			os.Exit(130)
		}
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
	if len(rep.Failures) > 0 {
		fmt.Fprintf(os.Stderr, "bench: %d measurement(s) failed (listed in the report)\n", len(rep.Failures))
		os.Exit(1)
	}
}

// check validates the configuration and says what to run for what is missing.
func (c *config) check() error {
	if c.Rounds < 1 {
		return fmt.Errorf("-rounds %d: give 1 or more", c.Rounds)
	}
	if c.Requests < 1 {
		return fmt.Errorf("-requests %d: give 1 or more", c.Requests)
	}
	for _, k := range c.Workloads {
		if k != "sample" && k != "catalog" {
			return fmt.Errorf("-workloads: %q is not a workload: give sample, catalog or both", k)
		}
	}
	files := []struct{ path, what, fix string }{{c.CLI, "-cli", "make build"}}
	if slices.Contains(c.Workloads, "sample") {
		files = append(files, struct{ path, what, fix string }{c.War, "-app-archive", "make sample"},
			struct{ path, what, fix string }{filepath.Join(c.ConfigDir, "server.xml"), "-config-directory", "point it at the sample's src/main/liberty/config"})
	}
	if slices.Contains(c.Workloads, "catalog") {
		files = append(files, struct{ path, what, fix string }{c.CatalogWar, "-catalog-archive", "make bench-catalog"},
			struct{ path, what, fix string }{filepath.Join(c.CatalogConfigDir, "server.xml"), "-catalog-config-directory", "point it at bench/catalog/src/main/liberty/config"})
	}
	for _, f := range files {
		if _, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %s is missing: run %s", f.what, f.path, f.fix)
		}
	}
	if _, err := run(context.Background(), "podman", "image", "exists", c.Base); err != nil {
		return fmt.Errorf("-base-image: %s does not exist: run make base-local (BASE_LOCAL_IMAGE=%s)", c.Base, c.Base)
	}
	return nil
}

func randomID() string {
	b := make([]byte, 3)
	_, _ = crand.Read(b)
	return hex.EncodeToString(b)
}

func (b *bench) say(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

// run measures everything and writes the report.
func (b *bench) run(ctx context.Context) (*Report, error) {
	rep := &Report{Date: time.Now(), Host: hostInfo(ctx), Base: b.cfg.Base, Rounds: b.cfg.Rounds, Requests: b.cfg.Requests, Seed: b.cfg.Seed,
		WarmUp: b.cfg.WarmUp, Service: b.cfg.Service}
	if err := os.MkdirAll(b.cfg.OutDir, 0o755); err != nil {
		return nil, err
	}
	if b.cfg.Service && b.svc == nil {
		b.say("starting a Podman service for the bench (podman system service)")
		svc, err := startService(ctx, b.prefix)
		if err != nil {
			return nil, err
		}
		b.svc = svc
	}

	if b.cfg.GoBench {
		b.say("go-plugin: go test -bench BenchmarkLaunchHandshakeFirstRPC -count %d ./host/pluginhost/", b.cfg.Rounds)
		s, err := goPluginBench(ctx, b.cfg.Rounds)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			rep.Failures = append(rep.Failures, "go-plugin benchmark: "+err.Error())
		}
		rep.GoPlugin = &s
	}

	// The images the start-up rounds run: for each workload, the tool's InstantOn image and, kept,
	// its application image (and with -warmup an InstantOn image without the warm-up); what the
	// checkpoint runs said about memory goes in the report.
	wls := b.cfg.workloads()
	images := map[string]workloadImages{}
	for i := range wls {
		w := &wls[i]
		im := workloadImages{InstantOn: "localhost/" + b.prefix + "-" + w.Key + ":instanton"}
		im.App = im.InstantOn + "-app"
		extra := []string{"--keep-app-image"}
		if b.cfg.WarmUp {
			extra = append(extra, "--env", "LCP_CHECKPOINT_WARMUP="+w.Path)
		}
		s, ev, err := b.buildImage(ctx, w, im.InstantOn, extra...)
		b.res.addImage(im.App)
		if err != nil {
			return nil, err
		}
		rep.Workloads = append(rep.Workloads, WorkloadInfo{Key: w.Key, Title: w.Title, Path: w.Path})
		rep.Build = append(rep.Build,
			Series{Key: w.Key + "/rss-started", Label: w.Key + ": server RSS once started (before compacting)", Values: []float64{s.RSSStarted}},
			Series{Key: w.Key + "/rss", Label: w.Key + ": server RSS at the dump", Values: []float64{s.RSS}},
			Series{Key: w.Key + "/checkpoint-files", Label: w.Key + ": checkpoint (what the checkpoint run wrote)", Values: []float64{float64(ev.CheckpointBytes)}},
			Series{Key: w.Key + "/top-layer", Label: w.Key + ": InstantOn image's top layer", Values: []float64{s.TopLayer}},
		)
		if b.cfg.WarmUp {
			im.NoWarmUp = "localhost/" + b.prefix + "-" + w.Key + ":instanton-nowarmup"
			s, ev, err := b.buildImage(ctx, w, im.NoWarmUp)
			if err != nil {
				return nil, err
			}
			rep.Build = append(rep.Build,
				Series{Key: w.Key + "/rss-nowarmup", Label: w.Key + ": server RSS at the dump, without the warm-up", Values: []float64{s.RSS}},
				Series{Key: w.Key + "/checkpoint-files-nowarmup", Label: w.Key + ": checkpoint (what the checkpoint run wrote), without the warm-up", Values: []float64{float64(ev.CheckpointBytes)}})
		}
		images[w.Key] = im
	}

	variants := b.startupVariants(wls, images)
	samples := make([][]startupSample, len(variants))
	for round := 1; round <= b.cfg.Rounds; round++ {
		for _, i := range roundOrder(b.cfg.Seed, round, len(variants)) {
			v := variants[i]
			if err := sleep(ctx, b.cfg.Pause); err != nil {
				return nil, err
			}
			s, err := b.measureStartup(ctx, v, round)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				b.say("round %d/%d: %s FAILED: %v", round, b.cfg.Rounds, v.Label, err)
				rep.Failures = append(rep.Failures, fmt.Sprintf("round %d, %s: %v", round, v.Label, err))
				s = failedSample()
			} else {
				b.say("round %d/%d: %-52s %s", round, b.cfg.Rounds, v.Label, formatMs(s.Ready))
			}
			samples[i] = append(samples[i], s)
		}
	}
	for i, v := range variants {
		rep.Startup = append(rep.Startup, Series{Key: v.Key, Label: v.Label, Values: pick(samples[i], func(s startupSample) float64 { return s.Ready })})
		if v.Latency {
			what := "after a cold start"
			if v.Restore {
				what = "after a restore"
			}
			n := fmt.Sprintf("first %d requests %s", b.cfg.Requests, what)
			rep.Latency = append(rep.Latency,
				Series{Key: v.Key + "-p50", Label: v.Workload.Key + ": " + n + ", p50", Values: pick(samples[i], func(s startupSample) float64 { return s.P50 })},
				Series{Key: v.Key + "-p99", Label: v.Workload.Key + ": " + n + ", p99", Values: pick(samples[i], func(s startupSample) float64 { return s.P99 })})
			rep.RSS = append(rep.RSS, Series{Key: v.Key + "-rss", Label: v.Workload.Key + ": server RSS " + n,
				Values: pick(samples[i], func(s startupSample) float64 { return s.RSS })})
		}
	}
	rep.Breakdown = breakdown(variants, samples)
	for _, im := range images {
		for _, ref := range []string{im.InstantOn, im.App, im.NoWarmUp} {
			if ref == "" {
				continue
			}
			if err := b.removeImage(ctx, ref, nil); err != nil {
				return nil, err
			}
		}
	}
	rep.Failures = append(rep.Failures, rep.Missing()...)

	if b.cfg.Pipeline {
		if err := b.pipelines(ctx, rep); err != nil {
			return nil, err
		}
	}

	if b.cfg.Rootless {
		if err := b.rootless(ctx, rep); err != nil {
			return nil, err
		}
	}

	rep.Chart = filepath.Join(b.cfg.OutDir, "startup.png")
	if err := writeChart(rep, variants, rep.Chart); err != nil {
		return nil, err
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		return nil, err
	}
	os.Stdout.Write(md.Bytes())
	if err := os.WriteFile(filepath.Join(b.cfg.OutDir, "report.md"), md.Bytes(), 0o644); err != nil {
		return nil, err
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(b.cfg.OutDir, "samples.json"), raw, 0o644); err != nil {
		return nil, err
	}
	b.say("wrote %s, %s and %s", filepath.Join(b.cfg.OutDir, "report.md"), rep.Chart, filepath.Join(b.cfg.OutDir, "samples.json"))
	return rep, nil
}

// workloadImages are the images a workload's start-up variants run.
type workloadImages struct {
	InstantOn, App string
	NoWarmUp       string // the InstantOn image built without the warm-up ("" without -warmup)
}

// buildImage builds a workload's InstantOn image with the CLI (not timed) and reads what its
// checkpoint run said about memory.
func (b *bench) buildImage(ctx context.Context, w *workload, image string, extra ...string) (pipelineSample, CLIRun, error) {
	var s pipelineSample
	b.res.addImage(image)
	b.say("building %s with %s checkpoint-image %s(not timed)", image, b.cfg.CLI, strings.Join(extra, " ")+" ")
	out, err := run(ctx, b.cfg.CLI, b.checkpointImageArgs(w, image, extra...)...)
	ev, _ := ParseCLIEvents(bytes.NewReader(out))
	if err != nil {
		if ev.Err != "" {
			err = errors.New(ev.Err)
		}
		return s, ev, fmt.Errorf("building %s (%s): %w", image, w.Key, err)
	}
	return s, ev, b.measureImage(ctx, image, ev.Output, &s)
}

// startupVariants are what each round starts, in the report's order: per workload a cold start,
// a restore and a restore with criu's timestamps (through the running service, or the CLI with
// -service=false), the same cold start and restore with the podman CLI, a restore of the image
// without the warm-up; then the no-op floors.
func (b *bench) startupVariants(wls []workload, images map[string]workloadImages) []startupVariant {
	svc := b.cfg.Service
	how := "podman run"
	if svc {
		how = "service"
	}
	var out []startupVariant
	for i := range wls {
		w := &wls[i]
		im := images[w.Key]
		restoreLabel := w.Key + ": restore, InstantOn image"
		if b.cfg.WarmUp {
			restoreLabel += " (warmed up)"
		}
		out = append(out,
			startupVariant{Key: w.Key + "/cold", Label: w.Key + ": cold start, application image (" + how + ")", Workload: w, Image: im.App, Port: true,
				Service: svc, Ready: firstHTTP200, Latency: true, Color: colorCold},
			startupVariant{Key: w.Key + "/restore", Label: restoreLabel + " (" + how + ")", Workload: w, Image: im.InstantOn, Port: true,
				Service: svc, Ready: firstHTTP200, Restore: true, Latency: true, Color: colorRestore},
			startupVariant{Key: w.Key + "/restore-v3", Label: w.Key + ": restore, criu log -v3 (breakdown, " + how + ")", Workload: w, Image: im.InstantOn, Port: true,
				Service: svc, Ready: firstHTTP200, Restore: true, CriuLog: true, Env: map[string]string{"CRIU_LOG_LEVEL": "3"}, Color: colorRestoreLog},
		)
		if svc {
			out = append(out,
				startupVariant{Key: w.Key + "/cold-cli", Label: w.Key + ": cold start, application image (podman run)", Workload: w, Image: im.App, Port: true,
					Ready: firstHTTP200, Color: colorCold},
				startupVariant{Key: w.Key + "/restore-cli", Label: restoreLabel + " (podman run)", Workload: w, Image: im.InstantOn, Port: true,
					Ready: firstHTTP200, Restore: true, Color: colorRestore},
			)
		}
		if im.NoWarmUp != "" {
			out = append(out, startupVariant{Key: w.Key + "/restore-nowarmup", Label: w.Key + ": restore, InstantOn image without the warm-up (" + how + ")",
				Workload: w, Image: im.NoWarmUp, Port: true, Service: svc, Ready: firstHTTP200, Restore: true, Color: colorRestoreLog})
		}
	}
	out = append(out,
		startupVariant{Key: "floor", Label: "floor: podman run -d, no-op", Image: b.cfg.Base, Entrypoint: "echo", Command: []string{noopMarker}, Ready: firstOutput, Color: colorFloor},
		startupVariant{Key: "floor-port", Label: "floor: podman run -d -p, no-op", Image: b.cfg.Base, Port: true, Entrypoint: "echo", Command: []string{noopMarker}, Ready: firstOutput, Color: colorFloor},
	)
	if svc {
		out = append(out, startupVariant{Key: "floor-port-service", Label: "floor: service create + start, -p, no-op", Image: b.cfg.Base, Port: true, Service: true,
			Entrypoint: "echo", Command: []string{noopMarker}, Ready: firstOutput, Color: colorFloor})
	}
	return append(out,
		startupVariant{Key: "noop-exit", Label: "no-op podman run, until it returns", Image: b.cfg.Base, Entrypoint: "echo", Command: []string{noopMarker}, Ready: exited, Color: colorReference},
		startupVariant{Key: "noop-exit-port", Label: "no-op podman run -p, until it returns", Image: b.cfg.Base, Port: true, Entrypoint: "echo", Command: []string{noopMarker}, Ready: exited, Color: colorReference},
	)
}

// roundOrder is the order in which a round runs n variants: a permutation drawn from the seed
// and the round, so no variant always follows the same one (a cold start's teardown slows
// whatever runs next) and a run can be repeated with -seed.
func roundOrder(seed uint64, round, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(round))).Perm(n)
}

// breakdown splits the criu -v3 restores into their parts, round by round, for each workload.
func breakdown(variants []startupVariant, samples [][]startupSample) []Series {
	var out []Series
	for i, v := range variants {
		if v.Workload != nil && v.Key == v.Workload.Key+"/restore-nowarmup" {
			ss := samples[i]
			out = append(out, Series{Key: v.Workload.Key + "/to-200-nowarmup", Label: v.Workload.Key + ": resumed (CWWKC0452I) → first HTTP 200, image without the warm-up",
				Values: Diffs(pick(ss, func(s startupSample) float64 { return s.Ready }), pick(ss, func(s startupSample) float64 { return s.Restored }))})
		}
		if !v.CriuLog {
			continue
		}
		k, l := v.Workload.Key+"/", v.Workload.Key+": "
		ss := samples[i]
		ready := pick(ss, func(s startupSample) float64 { return s.Ready })
		restored := pick(ss, func(s startupSample) float64 { return s.Restored })
		reported := pick(ss, func(s startupSample) float64 { return s.ResumeReported })
		criu := pick(ss, func(s startupSample) float64 { return s.Criu })
		out = append(out,
			Series{Key: k + "to-entrypoint", Label: l + "start (podman run, or create + start) → the container's entrypoint starts", Values: Diffs(restored, reported)},
			Series{Key: k + "to-criu", Label: l + "scripts around criu (start script, dumb-init, setpriv, restore script)", Values: Diffs(reported, criu)},
			Series{Key: k + "criu", Label: l + "criu restore (restore.log: Restore finished successfully)", Values: criu},
			Series{Key: k + "to-200", Label: l + "resumed (CWWKC0452I) → first HTTP 200", Values: Diffs(ready, restored)},
			Series{Key: k + "restored", Label: l + "total to CWWKC0452I (start → resumed)", Values: restored},
			Series{Key: k + "total", Label: l + "total (start → first HTTP 200)", Values: ready},
		)
		for j, r := range variants {
			if r.Key == v.Workload.Key+"/restore" {
				out = append(out, Series{Key: k + "restored-default", Label: l + "start → CWWKC0452I, criu at its default log level",
					Values: pick(samples[j], func(s startupSample) float64 { return s.Restored })})
			}
		}
	}
	return out
}

// pipelines times the tool and the script, alternating which goes first.
func (b *bench) pipelines(ctx context.Context, rep *Report) error {
	var tool, script []pipelineSample
	for round := 1; round <= b.cfg.Rounds; round++ {
		order := []string{"tool", "script"}
		if round%2 == 0 {
			order = []string{"script", "tool"}
		}
		for _, which := range order {
			if err := sleep(ctx, b.cfg.Pause); err != nil {
				return err
			}
			var s pipelineSample
			var err error
			if which == "tool" {
				s, err = b.pipelineTool(ctx, round)
			} else {
				s, err = b.pipelineScript(ctx, round)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				b.say("pipeline round %d/%d: %s FAILED: %v", round, b.cfg.Rounds, which, err)
				rep.Failures = append(rep.Failures, fmt.Sprintf("pipeline round %d, %s: %v", round, which, err))
				s = pipelineSample{Wall: nan(), RSS: nan(), CheckpointFiles: nan(), TopLayer: nan()}
			} else {
				b.say("pipeline round %d/%d: %-6s %s", round, b.cfg.Rounds, which, formatMs(s.Wall))
			}
			if which == "tool" {
				tool = append(tool, s)
			} else {
				script = append(script, s)
			}
		}
	}
	wall := func(s pipelineSample) float64 { return s.Wall }
	steps := func(key string, samples []pipelineSample, labels [3]string) {
		for i, step := range []string{"containerize", "checkpoint", "commit"} {
			rep.Pipeline = append(rep.Pipeline, Series{Key: key + "-" + step, Label: "— " + labels[i],
				Values: pick(samples, func(s pipelineSample) float64 {
					if v, ok := s.Steps[step]; ok {
						return v
					}
					return nan()
				})})
		}
	}
	rep.Pipeline = append(rep.Pipeline, Series{Key: "tool", Label: "liberty-checkpoint checkpoint-image (CLI)", Values: pick(tool, wall)})
	steps("tool", tool, [3]string{"containerize (the tool's own step timings)", "checkpoint", "commit"})
	rep.Pipeline = append(rep.Pipeline, Series{Key: "script", Label: "podman CLI script (bench/podman-pipeline.sh)", Values: pick(script, wall)})
	steps("script", script, [3]string{"context and podman build", "podman run with WLP_CHECKPOINT", "podman commit and podman rm"})

	both := append(append([]pipelineSample{}, tool...), script...)
	rep.Memory = []Series{
		{Key: "rss", Label: "server RSS just before the dump (VmRSS, tool and script runs)", Values: pick(both, func(s pipelineSample) float64 { return s.RSS })},
		{Key: "checkpoint-files", Label: "checkpoint: what the checkpoint run wrote, " + engine.CheckpointDir + " and logs (tool runs)", Values: pick(tool, func(s pipelineSample) float64 { return s.CheckpointFiles })},
		{Key: "top-layer", Label: "InstantOn image's top layer (podman history, tool and script runs)", Values: pick(both, func(s pipelineSample) float64 { return s.TopLayer })},
	}
	return nil
}

// goPluginBench runs host/pluginhost's benchmark count times and returns ms per operation.
func goPluginBench(ctx context.Context, count int) (Series, error) {
	s := Series{Key: "go-plugin", Label: "launch + handshake + first RPC (fake engine)"}
	const name = "BenchmarkLaunchHandshakeFirstRPC"
	out, err := run(ctx, "go", "test", "-run", "^$", "-bench", "^"+name+"$", "-count", fmt.Sprint(count), "./host/pluginhost/")
	if err != nil {
		return s, err
	}
	ns, err := ParseGoBench(bytes.NewReader(out), name)
	if err != nil {
		return s, fmt.Errorf("%w in:%s", err, tail(string(out), 10))
	}
	for _, v := range ns {
		s.Values = append(s.Values, v/1e6)
	}
	return s, nil
}

// writeChart draws the start-up distributions.
func writeChart(rep *Report, variants []startupVariant, path string) error {
	var rows []ChartRow
	for i, v := range variants {
		rows = append(rows, ChartRow{Label: v.Label, Samples: rep.Startup[i].Values, Color: v.Color})
	}
	subtitle := ""
	var parts []string
	for _, w := range rep.Workloads {
		cold, restore := rep.find(rep.Startup, w.Key+"/cold"), rep.find(rep.Startup, w.Key+"/restore")
		if r := Ratio(restore, cold); !isNaN(r) {
			parts = append(parts, fmt.Sprintf("%s: restore / cold %.3f (%s vs %s)", w.Key, r, formatMs(restore.Median), formatMs(cold.Median)))
		}
	}
	if len(parts) > 0 {
		subtitle = strings.Join(parts, "; ") + ". " + rep.Host
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Time from podman run to the first HTTP 200, %d rounds (floors: to the no-op container's output or exit)", rep.Rounds)
	if err := RenderChart(f, title, subtitle, rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// hostInfo describes the machine for the report.
func hostInfo(ctx context.Context) string {
	parts := []string{}
	if k, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		parts = append(parts, "Linux "+strings.TrimSpace(string(k)))
	}
	parts = append(parts, fmt.Sprintf("%d CPUs", runtime.NumCPU()))
	if out, err := run(ctx, "podman", "info", "--format", "podman {{.Version.Version}}, {{.Host.OCIRuntime.Name}}"); err == nil {
		parts = append(parts, strings.TrimSpace(string(out)))
	}
	return strings.Join(parts, ", ")
}

func pick[T any](xs []T, f func(T) float64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func isNaN(v float64) bool { return v != v }

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
