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
		Base: "localhost/open-liberty:local-checkpoint", Path: "/sample/hello", Rounds: 3, Seed: 42,
		Startup: []Series{
			{Key: "cold", Label: "cold start", Values: []float64{9800, 10100, 12000}},
			{Key: "restore", Label: "restore", Values: []float64{404, 390, n}},
			{Key: "floor-port", Label: "floor -p", Values: []float64{150, 160, 170}},
		},
		Breakdown: []Series{{Key: "criu", Label: "criu restore", Values: []float64{160, 170, 180}}},
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
	assert.Contains(t, got, "| restore | 390 | 397 | 404 | 2 |", "a failed round is left out, not counted as 0")
	assert.Contains(t, got, "**restore / cold = 0.039**")
	assert.Contains(t, got, "answers 25.4x sooner")
	assert.Contains(t, got, "**tool / script = 1.51**")
	assert.Contains(t, got, "| files | – | – | – | 0 |")
	assert.Contains(t, got, "- round 3, restore: no HTTP 200\n      last line")
}

func TestWriteMarkdownLeavesOutWhatWasNotMeasured(t *testing.T) {
	r := &Report{Rounds: 1, Startup: []Series{{Key: "cold", Label: "cold start", Values: []float64{1}}}}
	var b bytes.Buffer
	require.NoError(t, r.WriteMarkdown(&b))
	for _, section := range []string{"restore / cold", "Where a restore", "pipeline", "go-plugin", "Checkpoint size", "Failed"} {
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
