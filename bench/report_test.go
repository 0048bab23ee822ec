package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/report.md")

func sampleReport() *Report {
	n := math.NaN()
	return &Report{
		Date: time.Date(2026, 11, 28, 12, 40, 0, 0, time.UTC), Host: "Linux 6.18, 2 CPUs, podman 4.3.1, runc",
		Base: "localhost/open-liberty:local-checkpoint", Rounds: 3, Requests: 1000, Seed: 42,
		Workloads: []WorkloadInfo{{Key: "sample", Title: "sample (servlet)", Path: "/sample/hello"}, {Key: "catalog", Title: "catalog", Path: "/catalog/api/products/1"}},
		Startup: []Series{
			{Key: "sample/cold", Label: "sample: cold start", Values: []float64{9800, 10100, 12000}},
			{Key: "sample/restore", Label: "sample: restore", Values: []float64{404, 390, n}},
			{Key: "catalog/cold", Label: "catalog: cold start", Values: []float64{5000, 5200, 5100}},
			{Key: "catalog/restore", Label: "catalog: restore", Values: []float64{500, 520, 510}},
			{Key: "floor-port", Label: "floor -p", Values: []float64{150, 160, 170}},
		},
		Latency: []Series{
			{Key: "sample/cold-p50", Label: "sample: after a cold start, p50", Values: []float64{0.7, 0.8, 0.75}},
			{Key: "sample/cold-p99", Label: "sample: after a cold start, p99", Values: []float64{9, 10, 11}},
			{Key: "sample/restore-p50", Label: "sample: after a restore, p50", Values: []float64{0.6, 0.7, 0.65}},
			{Key: "sample/restore-p99", Label: "sample: after a restore, p99", Values: []float64{4, 5, 6}},
		},
		RSS: []Series{
			{Key: "sample/cold-rss", Label: "sample: cold", Values: []float64{210e6, 220e6, 215e6}},
			{Key: "sample/restore-rss", Label: "sample: restore", Values: []float64{170e6, 175e6, 180e6}},
		},
		Build: []Series{
			{Key: "sample/rss-started", Label: "sample: RSS started", Values: []float64{200e6}},
			{Key: "sample/rss", Label: "sample: RSS at the dump", Values: []float64{150e6}},
			{Key: "sample/checkpoint-files", Label: "sample: files", Values: []float64{130e6}},
		},
		Breakdown: []Series{{Key: "sample/criu", Label: "sample: criu restore", Values: []float64{160, 170, 180}}},
		Pipeline: []Series{
			{Key: "tool", Label: "tool", Values: []float64{17400, 17000, 18000}},
			{Key: "script", Label: "script", Values: []float64{11500, 12000, 11000}},
		},
		GoPlugin: &Series{Key: "go-plugin", Label: "launch", Values: []float64{21.2, 20.9, 22.3}},
		Memory: []Series{
			{Key: "rss", Label: "RSS", Values: []float64{205e6, 210e6}},
			{Key: "top-layer", Label: "top layer", Values: []float64{181e6, 184e6}},
			{Key: "checkpoint-files", Label: "files", Values: []float64{n}},
		},
		Chart:    "out/bench/startup.png",
		Failures: []string{"round 3, restore: no HTTP 200\n    last line"},
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, sampleReport().WriteMarkdown(&b))
	if *update {
		require.NoError(t, os.WriteFile("testdata/report.md", b.Bytes(), 0o644))
	}
	want, err := os.ReadFile("testdata/report.md")
	require.NoError(t, err)
	assert.Equal(t, string(want), b.String(), "go test ./bench -run TestWriteMarkdown -update rewrites the golden file")

	got := b.String()
	assert.Contains(t, got, "| sample: restore | 390 | 397 | 404 | 2 |", "a failed round is left out, not counted as 0")
	assert.Contains(t, got, "**sample: restore / cold = 0.039**")
	assert.Contains(t, got, "answers 25.4x sooner")
	assert.Contains(t, got, "| **restore / cold** | **0.039** | **0.100** |", "side by side")
	assert.Contains(t, got, "| checkpoint / server RSS at the dump (MB) | 130 / 150 (0.87) | – |")
	assert.Contains(t, got, "| server RSS after 1000 requests: restored / cold (MB) | 175 / 215 (0.81) | – |")
	assert.Contains(t, got, "| first 1000 requests after a restore: p50 / p99 (ms) | 0.65 / 5.0 | – / – |")
	assert.Contains(t, got, "**tool / script = 1.51**")
	assert.Contains(t, got, "| files | – | – | – | 0 |")
	assert.Contains(t, got, "- round 3, restore: no HTTP 200\n      last line")
}

func TestWriteMarkdownLeavesOutWhatWasNotMeasured(t *testing.T) {
	r := &Report{Rounds: 1, Startup: []Series{{Key: "sample/cold", Label: "cold start", Values: []float64{1}}}}
	var b bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&b))
	for _, section := range []string{"restore / cold", "Side by side", "requests", "Where a restore", "pipeline", "go-plugin", "Checkpoint size", "Failed"} {
		assert.NotContains(t, b.String(), section)
	}
}

func TestSeriesJSON(t *testing.T) {
	data, err := json.Marshal(Series{Key: "k", Label: "l", Values: []float64{1, math.NaN(), 3}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Key":"k","Label":"l","Values":[1,null,3],"Summary":{"N":2,"Min":1,"Median":2,"Max":3}}`, string(data))
	data, err = json.Marshal(Series{Key: "k", Values: []float64{math.NaN()}})
	require.NoError(t, err)
	assert.False(t, strings.Contains(string(data), "Summary"), string(data))
}

func TestMissingRows(t *testing.T) {
	full := sampleReport()
	missing := full.Missing()
	assert.Contains(t, missing, "missing row: startup sample/restore-v3 (no round measured it)")
	assert.Contains(t, missing, "missing row: latency catalog/restore-p50 (no round measured it)")
	assert.NotContains(t, missing, "missing row: startup sample/restore (no round measured it)", "one good round is enough")
	r := &Report{Workloads: []WorkloadInfo{{Key: "sample"}}, Startup: []Series{{Key: "sample/restore", Values: []float64{math.NaN()}}}}
	assert.Contains(t, r.Missing(), "missing row: startup sample/restore (no round measured it)", "a row whose rounds all failed is missing")
	assert.Contains(t, r.Missing(), "missing row: startup floor-port (no round measured it)")
	assert.NotContains(t, r.Missing(), "missing row: startup floor-port-service (no round measured it)", "only with -service")

	r.Service, r.WarmUp = true, true
	for _, want := range []string{"startup sample/cold-cli", "startup sample/restore-cli", "startup floor-port-service",
		"startup sample/restore-nowarmup", "breakdown sample/to-200-nowarmup", "build sample/checkpoint-files-nowarmup"} {
		assert.Contains(t, r.Missing(), "missing row: "+want+" (no round measured it)")
	}
}

// With -service and -warmup the side-by-side table sets the restore against the service's floor
// and gives the podman CLI's ratio and the image without the warm-up beside it.
func TestSideBySideServiceAndWarmUp(t *testing.T) {
	r := &Report{Service: true, WarmUp: true, Requests: 10, Workloads: []WorkloadInfo{{Key: "sample", Title: "sample"}},
		Startup: []Series{
			{Key: "sample/cold", Values: []float64{3000}}, {Key: "sample/restore", Values: []float64{300}},
			{Key: "sample/cold-cli", Values: []float64{3100}}, {Key: "sample/restore-cli", Values: []float64{372}},
			{Key: "sample/restore-nowarmup", Values: []float64{450}},
			{Key: "floor-port-service", Values: []float64{150}}, {Key: "floor-port", Values: []float64{200}},
		},
		Breakdown: []Series{{Key: "sample/to-200", Values: []float64{10}}, {Key: "sample/to-200-nowarmup", Values: []float64{160}}},
	}
	var b strings.Builder
	r.writeSideBySide(&b)
	out := b.String()
	assert.Contains(t, out, "| **restore / cold** | **0.100** |")
	assert.Contains(t, out, "| floor: no-op container, service create + start, -p (ms) | 150 |")
	assert.Contains(t, out, "| restore above that floor (ms) | 150 |")
	assert.Contains(t, out, "| the same with `podman run`: cold / restore (ms), ratio | 3100 / 372 (0.120) |")
	assert.Contains(t, out, "| floor: no-op `podman run -d -p` (ms) | 200 |")
	assert.Contains(t, out, "| restore of the image without the warm-up (service) (ms) | 450 |")
	assert.Contains(t, out, "| resumed → first HTTP 200, with / without the warm-up (ms) | 10 / 160 |")
}
