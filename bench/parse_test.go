package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCriuLog(t *testing.T) {
	f, err := os.Open("testdata/restore-v3.log") // a real restore.log at -v3, middle cut
	require.NoError(t, err)
	defer f.Close()
	l, err := ParseCriuLog(f)
	require.NoError(t, err)
	assert.Equal(t, 159433*time.Microsecond, l.Finished)
	assert.Equal(t, 159453*time.Microsecond, l.Last)
	assert.Equal(t, 13, l.Stamped)
}

func TestParseCriuLogWithoutTimestamps(t *testing.T) {
	f, err := os.Open("testdata/restore-v2.log") // the images' default level: warnings, no stamps
	require.NoError(t, err)
	defer f.Close()
	l, err := ParseCriuLog(f)
	require.NoError(t, err)
	assert.Zero(t, l.Stamped)
	assert.Zero(t, l.Finished)
}

func TestParseCriuLogMinutesAndFailure(t *testing.T) {
	l, err := ParseCriuLog(strings.NewReader("(01:02.5) late line\n(01:03.000001) Error (criu/cr-restore.c:1): restore failed\n"))
	require.NoError(t, err)
	assert.Equal(t, time.Minute+3*time.Second+time.Microsecond, l.Last)
	assert.Zero(t, l.Finished, "no success line")
	assert.Equal(t, 2, l.Stamped)
}

func TestParseTimedLogs(t *testing.T) {
	in := "2026-11-28T12:23:45.057164945Z CWWKC0452I: The Liberty server process resumed operation from a checkpoint in 0.180 seconds.\n" +
		"no stamp here\n" +
		"2026-11-28T12:23:45.5Z [AUDIT   ] after\n"
	lines, err := ParseTimedLogs(strings.NewReader(in))
	require.NoError(t, err)
	require.Len(t, lines, 3)
	assert.Equal(t, time.Date(2026, 11, 28, 12, 23, 45, 57164945, time.UTC), lines[0].At.UTC())
	assert.True(t, lines[1].At.IsZero())
	assert.Equal(t, "no stamp here", lines[1].Text)
	l, ok := FirstLine(lines, "CWWKC0452I")
	require.True(t, ok)
	d, ok := RestoredIn(l.Text)
	require.True(t, ok)
	assert.Equal(t, 180*time.Millisecond, d)
	_, ok = FirstLine(lines, "CWWKE0961I")
	assert.False(t, ok)
}

func TestRSSBytes(t *testing.T) {
	n, ok := RSSBytes("x\nliberty-checkpoint: server RSS before the dump: 204800 kB (pid 1001)\nCWWKC0451I: ...")
	require.True(t, ok)
	assert.Equal(t, int64(204800*1024), n)
	_, ok = RSSBytes("liberty-checkpoint: server RSS before the dump: unknown (pid 1001)")
	assert.False(t, ok)
}

func TestParseGoBench(t *testing.T) {
	out := `goos: linux
goarch: amd64
pkg: github.com/liberty-checkpoint/liberty-checkpoint/host/pluginhost
cpu: AMD EPYC
BenchmarkLaunchHandshakeFirstRPC-2   	      54	  21234567 ns/op
BenchmarkOther-2   	      10	  5 ns/op
BenchmarkLaunchHandshakeFirstRPC-2   	      50	  22000000.5 ns/op
PASS
`
	v, err := ParseGoBench(strings.NewReader(out), "BenchmarkLaunchHandshakeFirstRPC")
	require.NoError(t, err)
	assert.Equal(t, []float64{21234567, 22000000.5}, v)
	_, err = ParseGoBench(strings.NewReader("FAIL\n"), "BenchmarkLaunchHandshakeFirstRPC")
	assert.Error(t, err)
}

func TestParseCLIEvents(t *testing.T) {
	in := `{"accepted":{"operation":"checkpoint-image","schema":2}}
{"elapsedMs":"5","log":{"source":"SOURCE_CONTAINER","line":"liberty-checkpoint: server RSS before the dump: 1024 kB (pid 1001)","level":"LEVEL_INFO"}}
{"elapsedMs":"9","progress":{"step":1,"totalSteps":3,"name":"containerize","state":"STATE_DONE","durationMs":"1200"}}
{"result":{"operation":"checkpoint-image","image":"localhost/x:1","imageSizeBytes":"570900000","checkpointSizeBytes":"180500000","timings":[{"name":"containerize","ms":"1200"},{"name":"checkpoint","ms":"14000"},{"name":"commit","ms":"2200"}],"durationMs":"17400"}}
`
	run, err := ParseCLIEvents(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, int64(180500000), run.CheckpointBytes)
	assert.Equal(t, int64(570900000), run.ImageBytes)
	assert.Equal(t, 14*time.Second, run.Timings["checkpoint"])
	rss, ok := RSSBytes(run.Output)
	assert.True(t, ok)
	assert.Equal(t, int64(1024*1024), rss)
	assert.Empty(t, run.Err)

	run, err = ParseCLIEvents(strings.NewReader(`{"error":{"code":"NotFound","message":"image x does not exist","fix":"build it"}}` + "\n"))
	require.NoError(t, err)
	assert.Equal(t, "image x does not exist (fix: build it)", run.Err)

	_, err = ParseCLIEvents(strings.NewReader("checkpoint-image done\n"))
	assert.Error(t, err, "text output is not the event stream")
}

func TestTopLayerBytes(t *testing.T) {
	n, err := TopLayerBytes([]byte(`[{"id":"3694b302b419","CreatedBy":"/bin/sh","size":180652544,"comment":"FROM x"},{"id":"a1c1","size":14848}]`))
	require.NoError(t, err)
	assert.Equal(t, int64(180652544), n)
	_, err = TopLayerBytes([]byte(`[]`))
	assert.Error(t, err)
}

func TestScriptSteps(t *testing.T) {
	out := "lcp-bench-step containerize 612\n[AUDIT   ] CWWKF0011I: ready\nlcp-bench-step checkpoint 4420\nnot lcp-bench-step x 1\nlcp-bench-step commit 1800\n"
	assert.Equal(t, map[string]float64{"containerize": 612, "checkpoint": 4420, "commit": 1800}, ScriptSteps(out))
	assert.Empty(t, ScriptSteps("no steps"))
}

func TestRSSStartedBytes(t *testing.T) {
	out := "liberty-checkpoint: server RSS before the dump: 152652 kB (pid 1007; 203376 kB before compacting)\n"
	rss, ok := RSSBytes(out)
	assert.True(t, ok)
	assert.Equal(t, int64(152652*1024), rss)
	started, ok := RSSStartedBytes(out)
	assert.True(t, ok)
	assert.Equal(t, int64(203376*1024), started)
	_, ok = RSSStartedBytes("liberty-checkpoint: server RSS before the dump: 152652 kB (pid 1007)\n")
	assert.False(t, ok, "not compacted")
}
