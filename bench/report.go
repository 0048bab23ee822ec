package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// Series is one measured quantity over the rounds.
type Series struct {
	Key, Label string
	Values     []float64
}

// MarshalJSON writes the values with null for a round that did not measure (JSON has no NaN).
func (s Series) MarshalJSON() ([]byte, error) {
	values := make([]*float64, len(s.Values))
	for i := range s.Values {
		if !math.IsNaN(s.Values[i]) {
			values[i] = &s.Values[i]
		}
	}
	return json.Marshal(struct {
		Key, Label string
		Values     []*float64
		Summary    *Summary `json:",omitempty"`
	}{s.Key, s.Label, values, s.summaryOrNil()})
}

func (s Series) summaryOrNil() *Summary {
	if sum := s.Summary(); sum.N > 0 {
		return &sum
	}
	return nil
}

// Summary of the series.
func (s Series) Summary() Summary { return Summarize(s.Values) }

// WorkloadInfo names a measured workload.
type WorkloadInfo struct {
	Key, Title string
	Path       string // the URL path whose first 2xx counts
}

// Report is what one run of the bench measured, ready to render.
type Report struct {
	Date      time.Time
	Host      string // kernel, CPUs, podman and OCI runtime
	Base      string // the base image
	Rounds    int
	Requests  int    // of each latency run
	Seed      uint64 // of the start-up variants' order in each round
	WarmUp    bool   // the InstantOn images were built with LCP_CHECKPOINT_WARMUP
	Service   bool   // the headline variants started through a running Podman service
	Workloads []WorkloadInfo
	// Startup: ms from the start of `podman run` to ready (see the variants), keys
	// "<workload>/cold", "<workload>/restore", "<workload>/restore-v3" and the floors'.
	Startup []Series
	// Latency: ms, "<workload>/cold-p50" ... "<workload>/restore-p99", one value per round.
	Latency []Series
	// RSS: bytes, the server's VmRSS after the latency run, "<workload>/cold-rss", ".../restore-rss".
	RSS []Series
	// Build: bytes, what the checkpoint run that made each workload's InstantOn image said:
	// "<workload>/rss-started", "/rss", "/checkpoint-files", "/top-layer".
	Build []Series
	// Breakdown: ms, the parts of a restore (criu -v3 runs).
	Breakdown []Series
	// Pipeline: ms, the tool (with its own steps) and the script.
	Pipeline []Series
	// GoPlugin: ms per launch + handshake + first RPC, one value per `go test -bench` count.
	GoPlugin *Series
	// Memory: bytes.
	Memory   []Series
	Chart    string // the PNG's path
	Failures []string

	// Rootless: rootless versus rootful Podman (bench/rootless.go); nil when not asked for.
	Rootless *RootlessReport `json:",omitempty"`
}

// Missing lists the rows a complete run has and this one lacks (or measured in no round): a
// bench that lost a row is broken, whatever it printed.
func (r *Report) Missing() []string {
	var want []string
	for _, w := range r.Workloads {
		for _, k := range []string{"cold", "restore", "restore-v3"} {
			want = append(want, "startup "+w.Key+"/"+k)
		}
		if r.Service {
			want = append(want, "startup "+w.Key+"/cold-cli", "startup "+w.Key+"/restore-cli")
		}
		if r.WarmUp {
			want = append(want, "startup "+w.Key+"/restore-nowarmup", "breakdown "+w.Key+"/to-200-nowarmup", "build "+w.Key+"/checkpoint-files-nowarmup")
		}
		for _, k := range []string{"cold-p50", "cold-p99", "restore-p50", "restore-p99"} {
			want = append(want, "latency "+w.Key+"/"+k)
		}
		want = append(want, "rss "+w.Key+"/cold-rss", "rss "+w.Key+"/restore-rss",
			"breakdown "+w.Key+"/criu", "breakdown "+w.Key+"/to-200",
			"build "+w.Key+"/rss", "build "+w.Key+"/checkpoint-files", "build "+w.Key+"/top-layer")
	}
	want = append(want, "startup floor", "startup floor-port")
	if r.Service {
		want = append(want, "startup floor-port-service")
	}
	lists := map[string][]Series{"startup": r.Startup, "latency": r.Latency, "rss": r.RSS, "breakdown": r.Breakdown, "build": r.Build}
	var missing []string
	for _, w := range want {
		list, key, _ := strings.Cut(w, " ")
		if r.find(lists[list], key).N == 0 {
			missing = append(missing, "missing row: "+w+" (no round measured it)")
		}
	}
	return missing
}

func (r *Report) find(list []Series, key string) Summary {
	for _, s := range list {
		if s.Key == key {
			return s.Summary()
		}
	}
	return Summary{}
}

// WriteMarkdown renders the report.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	ms0 := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	ms2 := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	mb := func(v float64) string { return fmt.Sprintf("%.1f", v/1e6) }
	fmt.Fprintf(&b, "## liberty-checkpoint bench: what InstantOn buys\n\n")
	fmt.Fprintf(&b, "%s · %s · base `%s` · %d rounds; each round runs every variant once, in a new random order (-seed %d)\n\n",
		r.Date.UTC().Format("2006-01-02 15:04 UTC"), r.Host, r.Base, r.Rounds, r.Seed)
	if r.WarmUp {
		b.WriteString("**Warm-up**: the InstantOn images were built with `--env LCP_CHECKPOINT_WARMUP=<the workload's URL path>` " +
			"(10 requests before the dump, as a user sets it); the rows \"without the warm-up\" restore an image built without it. " +
			"The application images, which the cold starts run, carry the variable too and ignore it.\n\n")
	}
	if r.Service {
		b.WriteString("**Start method**: the cold start, restore and breakdown rows create and start their containers through a running " +
			"Podman service (`podman system service`, what a user with podman.socket has; `liberty-checkpoint restore` starts containers " +
			"this way), timed from the create call; the \"(podman run)\" rows start the same containers with the podman CLI, timed from its start. " +
			"Both with the same options.\n\n")
	}

	if len(r.Workloads) > 0 {
		r.writeSideBySide(&b)
	}

	fmt.Fprintf(&b, "\n### Time to first response (ms)\n\n")
	b.WriteString("From the start of `podman run` to the first HTTP 200 of the workload's URL through the published port " +
		"(the cold start runs the application image, with the JVM options a user gets, the restore the InstantOn image made from it); " +
		"the floors end at the no-op container's first line of output (its process ran), or when an attached `podman run` returns.\n\n")
	table(&b, "variant", r.Startup, ms0)
	for _, wl := range r.Workloads {
		cold, restore := r.find(r.Startup, wl.Key+"/cold"), r.find(r.Startup, wl.Key+"/restore")
		if ratio := Ratio(restore, cold); !math.IsNaN(ratio) {
			fmt.Fprintf(&b, "\n**%s: restore / cold = %.3f** (medians): the InstantOn image answers %.1fx sooner than the cold start", wl.Key, ratio, 1/ratio)
			if floor := r.find(r.Startup, r.floorKey()); floor.N > 0 {
				fmt.Fprintf(&b, "; %.0f ms of its median is above the floor with a published port", restore.Median-floor.Median)
			}
			if ratio := Ratio(r.find(r.Startup, wl.Key+"/restore-cli"), r.find(r.Startup, wl.Key+"/cold-cli")); !math.IsNaN(ratio) {
				fmt.Fprintf(&b, "; with `podman run` for both, %.3f", ratio)
			}
			b.WriteString(".\n")
		}
	}
	if r.Chart != "" {
		fmt.Fprintf(&b, "\nChart of the distributions: `%s`\n", r.Chart)
	}

	if len(r.Latency) > 0 {
		fmt.Fprintf(&b, "\n### The first %d requests after the first answer (ms)\n\n", r.Requests)
		b.WriteString("Sent one after the other on one keep-alive connection right after the first HTTP 200 " +
			"(sample: its URL; catalog: three lookups by id across the catalogue, then a page of a category); p50 and p99 of each run.\n\n")
		table(&b, "run", r.Latency, ms2)
	}
	if len(r.RSS) > 0 {
		fmt.Fprintf(&b, "\n### The server's memory after them (MB)\n\n")
		b.WriteString("VmRSS of the server's JVM inside the container, after the requests above.\n\n")
		table(&b, "server", r.RSS, mb)
	}

	if len(r.Breakdown) > 0 {
		fmt.Fprintf(&b, "\n### Where a restore spends its time (ms)\n\n")
		b.WriteString("From the restore runs with criu logging at -v3 (restore.log then has timestamps). " +
			"Each part is summarized on its own, so the medians need not add up to the total's.\n\n")
		table(&b, "part", r.Breakdown, ms0)
	}

	if len(r.Build) > 0 || len(r.Memory) > 0 {
		fmt.Fprintf(&b, "\n### Checkpoint size versus the server's memory (MB)\n\n")
		b.WriteString("What the checkpoint run said (the local flavor prints the server's VmRSS once started and at the dump, " +
			"after the full GC and malloc_trim that make the checkpoint small), the checkpoint (the tool's size: what the checkpoint run wrote, its files and logs), and the InstantOn image's top layer " +
			"(what the commit adds). Per workload from the build of the images above; the sample's also over the pipeline runs below.\n\n")
		table(&b, "what", append(append([]Series{}, r.Build...), r.Memory...), mb)
		if ratio := Ratio(r.find(r.Memory, "top-layer"), r.find(r.Memory, "rss")); !math.IsNaN(ratio) {
			fmt.Fprintf(&b, "\n**top layer / RSS = %.2f** (medians of the pipeline runs).\n", ratio)
		}
	}

	if len(r.Pipeline) > 0 {
		fmt.Fprintf(&b, "\n### Building the InstantOn image (s)\n\n")
		b.WriteString("The whole pipeline on the sample (build the application image, checkpoint run, commit, remove the container and the application image), " +
			"through the CLI as users run it, and as a plain podman script with the same base, inputs, capabilities and Containerfile.\n\n")
		table(&b, "pipeline", r.Pipeline, func(v float64) string { return fmt.Sprintf("%.1f", v/1000) })
		if ratio := Ratio(r.find(r.Pipeline, "tool"), r.find(r.Pipeline, "script")); !math.IsNaN(ratio) {
			fmt.Fprintf(&b, "\n**tool / script = %.2f** (medians).\n", ratio)
		}
	}

	if r.Rootless != nil {
		r.Rootless.writeMarkdown(&b)
	}

	if r.GoPlugin != nil {
		fmt.Fprintf(&b, "\n### go-plugin: launch, handshake and first RPC (ms per operation)\n\n")
		b.WriteString("`BenchmarkLaunchHandshakeFirstRPC` (host/pluginhost, on the fake engine), what every CLI command pays before real work; " +
			"one value per `go test -bench -count` run.\n\n")
		table(&b, "benchmark", []Series{*r.GoPlugin}, func(v float64) string { return fmt.Sprintf("%.1f", v) })
	}

	if len(r.Failures) > 0 {
		fmt.Fprintf(&b, "\n### Failed measurements (left out above)\n\n")
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "- %s\n", strings.ReplaceAll(f, "\n", "\n  "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSideBySide writes the medians that matter, one column per workload.
func (r *Report) writeSideBySide(b *strings.Builder) {
	med := func(list []Series, key string) float64 {
		if sum := r.find(list, key); sum.N > 0 {
			return sum.Median
		}
		return math.NaN()
	}
	cell := func(v float64, format string) string {
		if math.IsNaN(v) {
			return "–"
		}
		return fmt.Sprintf(format, v)
	}
	pair := func(a, c float64, unit float64, format string) string {
		if math.IsNaN(a) || math.IsNaN(c) {
			return "–"
		}
		return fmt.Sprintf(format+" / "+format+" (%.2f)", a/unit, c/unit, a/c)
	}
	fmt.Fprintf(b, "### Side by side (medians over the rounds)\n\n|  |")
	for _, w := range r.Workloads {
		fmt.Fprintf(b, " %s |", w.Title)
	}
	b.WriteString("\n| --- |")
	for range r.Workloads {
		b.WriteString(" ---: |")
	}
	b.WriteString("\n")
	row := func(label string, f func(k string) string) {
		fmt.Fprintf(b, "| %s |", label)
		for _, w := range r.Workloads {
			fmt.Fprintf(b, " %s |", f(w.Key))
		}
		b.WriteString("\n")
	}
	floor := med(r.Startup, r.floorKey())
	how, floorLabel := "", "floor: no-op `podman run -d -p` (ms)"
	if r.Service {
		how, floorLabel = " (service)", "floor: no-op container, service create + start, -p (ms)"
	}
	row("cold start → first HTTP 200"+how+" (ms)", func(k string) string { return cell(med(r.Startup, k+"/cold"), "%.0f") })
	row("restore → first HTTP 200"+how+" (ms)", func(k string) string { return cell(med(r.Startup, k+"/restore"), "%.0f") })
	row("**restore / cold**", func(k string) string {
		return cell(Ratio(r.find(r.Startup, k+"/restore"), r.find(r.Startup, k+"/cold")), "**%.3f**")
	})
	row(floorLabel, func(string) string { return cell(floor, "%.0f") })
	row("restore above that floor (ms)", func(k string) string { return cell(med(r.Startup, k+"/restore")-floor, "%.0f") })
	if r.Service {
		row("the same with `podman run`: cold / restore (ms), ratio", func(k string) string {
			return pairRatio(med(r.Startup, k+"/cold-cli"), med(r.Startup, k+"/restore-cli"))
		})
		row("floor: no-op `podman run -d -p` (ms)", func(string) string { return cell(med(r.Startup, "floor-port"), "%.0f") })
	}
	if r.WarmUp {
		row("restore of the image without the warm-up"+how+" (ms)", func(k string) string { return cell(med(r.Startup, k+"/restore-nowarmup"), "%.0f") })
		row("resumed → first HTTP 200, with / without the warm-up (ms)", func(k string) string {
			return cell(med(r.Breakdown, k+"/to-200"), "%.0f") + " / " + cell(med(r.Breakdown, k+"/to-200-nowarmup"), "%.0f")
		})
	}
	row("checkpoint / server RSS at the dump (MB)", func(k string) string {
		return pair(med(r.Build, k+"/checkpoint-files"), med(r.Build, k+"/rss"), 1e6, "%.0f")
	})
	row("server RSS once started, before compacting (MB)", func(k string) string { return cell(med(r.Build, k+"/rss-started")/1e6, "%.0f") })
	row(fmt.Sprintf("server RSS after %d requests: restored / cold (MB)", r.Requests), func(k string) string {
		return pair(med(r.RSS, k+"/restore-rss"), med(r.RSS, k+"/cold-rss"), 1e6, "%.0f")
	})
	row(fmt.Sprintf("first %d requests after a cold start: p50 / p99 (ms)", r.Requests), func(k string) string {
		return cell(med(r.Latency, k+"/cold-p50"), "%.2f") + " / " + cell(med(r.Latency, k+"/cold-p99"), "%.1f")
	})
	row(fmt.Sprintf("first %d requests after a restore: p50 / p99 (ms)", r.Requests), func(k string) string {
		return cell(med(r.Latency, k+"/restore-p50"), "%.2f") + " / " + cell(med(r.Latency, k+"/restore-p99"), "%.1f")
	})
}

// floorKey is the floor the headline restore is set against: the no-op container with a published
// port, started the same way.
func (r *Report) floorKey() string {
	if r.Service {
		return "floor-port-service"
	}
	return "floor-port"
}

// pairRatio renders "cold / restore (restore/cold)".
func pairRatio(cold, restore float64) string {
	if math.IsNaN(cold) || math.IsNaN(restore) {
		return "–"
	}
	return fmt.Sprintf("%.0f / %.0f (%.3f)", cold, restore, restore/cold)
}

// table writes a markdown table: label, min, median, max, n.
func table(b *strings.Builder, first string, rows []Series, format func(float64) string) {
	fmt.Fprintf(b, "| %s | min | median | max | n |\n| --- | ---: | ---: | ---: | ---: |\n", first)
	for _, s := range rows {
		sum := s.Summary()
		if sum.N == 0 {
			fmt.Fprintf(b, "| %s | – | – | – | 0 |\n", s.Label)
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %d |\n", s.Label, format(sum.Min), format(sum.Median), format(sum.Max), sum.N)
	}
}
