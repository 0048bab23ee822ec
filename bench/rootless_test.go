package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rootless section names both storage drivers and puts the medians side by side with their
// ratio; a run that could not measure says why, in the report and in samples.json.
func TestRootlessMarkdown(t *testing.T) {
	r := &RootlessReport{
		Drivers: map[string]string{"rootful": "overlay", "rootless": "vfs"},
		Build: []Series{
			{Key: "rootful/build", Label: "rootful: checkpoint-image, the whole command", Values: []float64{10000, 12000, 11000}},
			{Key: "rootful/build-steps", Label: "rootful: its containerize + checkpoint + commit", Values: []float64{9000}},
			{Key: "rootless/build", Label: "rootless: checkpoint-image, the whole command", Values: []float64{22000}},
			{Key: "rootless/build-steps", Label: "rootless: its containerize + checkpoint + commit", Values: []float64{nan()}},
		},
		Startup: []Series{
			{Key: "rootful/cold", Label: "rootful: cold start", Values: []float64{3000}},
			{Key: "rootful/restore", Label: "rootful: restore", Values: []float64{300}},
			{Key: "rootless/cold", Label: "rootless: cold start", Values: []float64{4000}},
			{Key: "rootless/restore", Label: "rootless: restore", Values: []float64{600}},
		},
	}
	var b strings.Builder
	r.writeMarkdown(&b)
	md := b.String()
	for _, want := range []string{
		"### Rootless versus rootful Podman (the sample)",
		"| storage driver | overlay | vfs | |",
		"| checkpoint-image, whole command (s) | 11.0 | 22.0 | 2.00 |",
		"| its containerize + checkpoint + commit (s) | 9.0 | – | – |",
		"| cold start → first HTTP 200 (ms) | 3000 | 4000 | 1.33 |",
		"| restore → first HTTP 200 (ms) | 300 | 600 | 2.00 |",
		"| restore / cold | 0.100 | 0.150 | 1.50 |",
		"| rootless: restore | 600 | 600 | 600 | 1 |",
	} {
		assert.Contains(t, md, want)
	}

	missing := &Report{Rootless: &RootlessReport{Missing: "rootless: no user lcp-rootless: run make setup (hack/setup-host.sh)"}}
	b.Reset()
	require.NoError(t, missing.WriteMarkdown(&b))
	assert.Contains(t, b.String(), "### Rootless versus rootful Podman (the sample)\n\nNot measured: rootless: no user lcp-rootless: run make setup")
	raw, err := json.Marshal(missing)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"Rootless":{"Missing":"rootless: no user lcp-rootless`)

	b.Reset()
	require.NoError(t, (&Report{}).WriteMarkdown(&b))
	assert.NotContains(t, b.String(), "Rootless", "no section when it was not asked for")
}
