package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/render"
)

// CriuLog is what a criu restore log tells about its own run.
type CriuLog struct {
	// Finished is the timestamp of "Restore finished successfully" (0 when criu did not get
	// there); Last is the last timestamp in the log.
	Finished, Last time.Duration
	// Stamped counts the lines with a timestamp: criu writes them at log level 3 (-v3) and up,
	// at -v2 (the images' default) it writes warnings without any.
	Stamped int
}

// criuStamp is the "(SS.uuuuuu)" prefix criu puts on each line at -v3 and up, seconds since
// criu started ("(MM:SS.uuuuuu)" too, should a run take minutes).
var criuStamp = regexp.MustCompile(`^\((?:(\d+):)?(\d+)\.(\d{1,9})\)`)

// ParseCriuLog reads a criu log (restore.log).
func ParseCriuLog(r io.Reader) (CriuLog, error) {
	var l CriuLog
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := criuStamp.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		var minutes int
		if m[1] != "" {
			minutes, _ = strconv.Atoi(m[1])
		}
		secs, _ := strconv.Atoi(m[2])
		nanos, _ := strconv.Atoi((m[3] + "00000000")[:9]) // fraction digits as nanoseconds
		d := time.Duration(minutes)*time.Minute + time.Duration(secs)*time.Second + time.Duration(nanos)
		l.Stamped++
		l.Last = d
		if l.Finished == 0 && strings.Contains(sc.Text(), "Restore finished successfully") {
			l.Finished = d
		}
	}
	return l, sc.Err()
}

// TimedLine is one line of `podman logs --timestamps`: when conmon read it, and the line.
type TimedLine struct {
	At   time.Time
	Text string
}

// ParseTimedLogs reads `podman logs -t` output; lines without a timestamp are kept with a zero
// time.
func ParseTimedLogs(r io.Reader) ([]TimedLine, error) {
	var out []TimedLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		stamp, text, _ := strings.Cut(line, " ")
		at, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			out = append(out, TimedLine{Text: line})
			continue
		}
		out = append(out, TimedLine{At: at, Text: text})
	}
	return out, sc.Err()
}

// FirstLine returns the first line containing needle.
func FirstLine(lines []TimedLine, needle string) (TimedLine, bool) {
	for _, l := range lines {
		if strings.Contains(l.Text, needle) {
			return l, true
		}
	}
	return TimedLine{}, false
}

// restoredIn reads the seconds in "CWWKC0452I: ... resumed operation from a checkpoint in 0.180
// seconds.": the time from the entrypoint's start to the resumed server.
var restoredIn = regexp.MustCompile(`CWWKC0452I: .* in (\d+(?:\.\d+)?) seconds`)

// RestoredIn returns the duration a CWWKC0452I line reports.
func RestoredIn(line string) (time.Duration, bool) {
	m := restoredIn.FindStringSubmatch(line)
	if m == nil {
		return 0, false
	}
	s, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(s * float64(time.Second)), true
}

// rssLine is what lcp-checkpoint.sh prints just before the dump.
var rssLine = regexp.MustCompile(`server RSS before the dump: (\d+) kB`)

// rssStartedLine is the RSS the server had before the checkpoint script compacted it.
var rssStartedLine = regexp.MustCompile(`server RSS before the dump: \d+ kB \(pid \d+; (\d+) kB before compacting\)`)

// RSSStartedBytes finds the server's resident set size before compacting in checkpoint output.
func RSSStartedBytes(output string) (int64, bool) { return kBytes(rssStartedLine, output) }

// RSSBytes finds the server's resident set size in checkpoint output.
func RSSBytes(output string) (int64, bool) { return kBytes(rssLine, output) }

// kBytes returns the kB count re's first group finds in output, in bytes.
func kBytes(re *regexp.Regexp, output string) (int64, bool) {
	m := re.FindStringSubmatch(output)
	if m == nil {
		return 0, false
	}
	kb, err := strconv.ParseInt(m[1], 10, 64)
	return kb * 1024, err == nil
}

// scriptStep is what podman-pipeline.sh prints at the end of a step.
var scriptStep = regexp.MustCompile(`(?m)^lcp-bench-step (\S+) (\d+)$`)

// ScriptSteps returns the step times (ms) podman-pipeline.sh printed.
func ScriptSteps(output string) map[string]float64 {
	steps := map[string]float64{}
	for _, m := range scriptStep.FindAllStringSubmatch(output, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		steps[m[1]] = v
	}
	return steps
}

// goBench is one result line of `go test -bench`.
var goBench = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op`)

// ParseGoBench returns the ns/op of each result line of the named benchmark.
func ParseGoBench(r io.Reader, name string) ([]float64, error) {
	var out []float64
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := goBench.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil || m[1] != name {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no result line for %s", name)
	}
	return out, nil
}

// CLIRun is what the bench reads from `liberty-checkpoint -o json` (contract/EVENTS.md).
type CLIRun struct {
	CheckpointBytes, ImageBytes int64
	// Timings are the tool's own step times (containerize, checkpoint, commit).
	Timings map[string]time.Duration
	// Output is every log line, to look for the RSS line in.
	Output string
	// Err is the error event's message and fix, if any.
	Err string
}

// ParseCLIEvents reads the JSON-lines event stream of one CLI command.
func ParseCLIEvents(r io.Reader) (CLIRun, error) {
	run := CLIRun{Timings: map[string]time.Duration{}}
	var out strings.Builder
	events, err := render.ReadEvents(r)
	if err != nil {
		return run, err
	}
	for _, ev := range events {
		switch {
		case ev.GetLog() != nil:
			out.WriteString(ev.GetLog().GetLine() + "\n")
		case ev.GetResult() != nil:
			res := ev.GetResult()
			run.CheckpointBytes, run.ImageBytes = res.GetCheckpointSizeBytes(), res.GetImageSizeBytes()
			for _, t := range res.GetTimings() {
				run.Timings[t.GetName()] = time.Duration(t.GetMs()) * time.Millisecond
			}
		case ev.GetError() != nil:
			run.Err = ev.GetError().GetMessage()
			if fix := ev.GetError().GetFix(); fix != "" {
				run.Err += " (fix: " + fix + ")"
			}
		}
	}
	run.Output = out.String()
	return run, nil
}

// TopLayerBytes reads `podman history --format json IMAGE` and returns the size of the newest
// layer: for an InstantOn image, what the commit added (the checkpoint and the run's logs).
func TopLayerBytes(historyJSON []byte) (int64, error) {
	var h []struct {
		Size int64 `json:"size"`
	}
	if err := json.Unmarshal(historyJSON, &h); err != nil {
		return 0, fmt.Errorf("podman history: %w", err)
	}
	if len(h) == 0 {
		return 0, fmt.Errorf("podman history: no layers")
	}
	return h[0].Size, nil
}
