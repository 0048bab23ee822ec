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

// Report is what one run of the bench measured, ready to render.
type Report struct {
	Date   time.Time
	Host   string // kernel, CPUs, podman and OCI runtime
	Base   string // the base image
	Path   string // the URL path probed
	Rounds int
	Seed   uint64 // of the start-up variants' order in each round
	// Startup: ms from the start of `podman run` to ready (see the variants).
	Startup []Series
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
	fmt.Fprintf(&b, "## liberty-checkpoint bench: what InstantOn buys\n\n")
	fmt.Fprintf(&b, "%s · %s · base `%s` · %d rounds; each round runs every variant once, in a new random order (-seed %d)\n\n",
		r.Date.UTC().Format("2006-01-02 15:04 UTC"), r.Host, r.Base, r.Rounds, r.Seed)

	fmt.Fprintf(&b, "### Time to first response (ms)\n\n")
	fmt.Fprintf(&b, "From the start of `podman run` to the first HTTP 200 of `%s` through the published port; "+
		"the floors end at the no-op container's first line of output (its process ran), or when an attached `podman run` returns.\n\n", r.Path)
	table(&b, "variant", r.Startup, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	cold, restore := r.find(r.Startup, "cold"), r.find(r.Startup, "restore")
	if ratio := Ratio(restore, cold); !math.IsNaN(ratio) {
		fmt.Fprintf(&b, "\n**restore / cold = %.3f** (medians): the InstantOn image answers %.1fx sooner than the cold start", ratio, 1/ratio)
		if floor := r.find(r.Startup, "floor-port"); floor.N > 0 {
			fmt.Fprintf(&b, "; %.0f ms of its median is above the floor with a published port", restore.Median-floor.Median)
		}
		b.WriteString(".\n")
	}
	if r.Chart != "" {
		fmt.Fprintf(&b, "\nChart of the distributions: `%s`\n", r.Chart)
	}

	if len(r.Breakdown) > 0 {
		fmt.Fprintf(&b, "\n### Where a restore spends its time (ms)\n\n")
		b.WriteString("From the restore runs with criu logging at -v3 (restore.log then has timestamps). " +
			"Each part is summarized on its own, so the medians need not add up to the total's.\n\n")
		table(&b, "part", r.Breakdown, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	}

	if len(r.Pipeline) > 0 {
		fmt.Fprintf(&b, "\n### Building the InstantOn image (s)\n\n")
		b.WriteString("The whole pipeline (build the application image, checkpoint run, commit, remove the container and the application image), " +
			"through the CLI as users run it, and as a plain podman script with the same base, inputs, capabilities and Containerfile.\n\n")
		table(&b, "pipeline", r.Pipeline, func(v float64) string { return fmt.Sprintf("%.1f", v/1000) })
		if ratio := Ratio(r.find(r.Pipeline, "tool"), r.find(r.Pipeline, "script")); !math.IsNaN(ratio) {
			fmt.Fprintf(&b, "\n**tool / script = %.2f** (medians).\n", ratio)
		}
	}

	if r.GoPlugin != nil {
		fmt.Fprintf(&b, "\n### go-plugin: launch, handshake and first RPC (ms per operation)\n\n")
		b.WriteString("`BenchmarkLaunchHandshakeFirstRPC` (host/pluginhost, on the fake engine), what every CLI command pays before real work; " +
			"one value per `go test -bench -count` run.\n\n")
		table(&b, "benchmark", []Series{*r.GoPlugin}, func(v float64) string { return fmt.Sprintf("%.1f", v) })
	}

	if len(r.Memory) > 0 {
		fmt.Fprintf(&b, "\n### Checkpoint size versus the server's memory (MB)\n\n")
		table(&b, "what", r.Memory, func(v float64) string { return fmt.Sprintf("%.1f", v/1e6) })
		if ratio := Ratio(r.find(r.Memory, "top-layer"), r.find(r.Memory, "rss")); !math.IsNaN(ratio) {
			fmt.Fprintf(&b, "\n**top layer / RSS = %.2f** (medians).\n", ratio)
		}
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
