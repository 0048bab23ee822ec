// Package memfit judges a memory limit against what an InstantOn image's checkpointed server held
// (the memory labels commit records). It is the one rule that restore, doctor --image and kube
// apply: a limit below the checkpoint's RSS gets the restored server OOM-killed as it maps its
// memory back; a limit below what the server may grow to (RSS - committed heap + max heap: the
// maximum heap was fixed when the JVM started, at checkpoint time, openj9#17596) risks an OOM kill
// later. A label that is not a byte count counts as not recorded, and the verdict names it.
package memfit

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Needs is what the checkpointed server held, from the image's labels (bytes; 0: not recorded).
type Needs struct {
	RSS           int64 // resident set of the server at the dump: what a restore maps back at once
	HeapCommitted int64 // heap committed at the dump
	HeapMax       int64 // maximum heap: fixed at the JVM's start, so at the checkpoint
	// Malformed names the memory labels whose value is not a byte count (ignored), as key="value".
	Malformed []string
}

// FromLabels reads the memory labels commit records.
func FromLabels(labels map[string]string) Needs {
	var n Needs
	for _, l := range []struct {
		key string
		to  *int64
	}{{engine.LabelMemoryRSS, &n.RSS}, {engine.LabelHeapCommitted, &n.HeapCommitted}, {engine.LabelHeapMax, &n.HeapMax}} {
		v, ok := labels[l.key]
		if !ok || v == "" {
			continue
		}
		b, err := strconv.ParseInt(v, 10, 64)
		if err != nil || b < 0 {
			n.Malformed = append(n.Malformed, fmt.Sprintf("%s=%q", l.key, v))
			continue
		}
		*l.to = b
	}
	sort.Strings(n.Malformed)
	return n
}

// Recorded reports whether the checkpoint's RSS is known.
func (n Needs) Recorded() bool { return n.RSS > 0 }

// Peak is what the server may grow to: its RSS with the heap grown from its committed size to
// the maximum. 0 when the maximum heap is not recorded.
func (n Needs) Peak() int64 {
	if n.HeapMax == 0 {
		return 0
	}
	return max(n.RSS-min(n.HeapCommitted, n.RSS)+n.HeapMax, n.HeapMax)
}

// Level is how a limit fits.
type Level int

const (
	// Fits: the limit covers what the server may grow to, or there is no limit.
	Fits Level = iota
	// Unknown: the image records no memory needs; nothing judged.
	Unknown
	// Risk: the limit covers the RSS but not what the heap may grow to.
	Risk
	// TooSmall: the limit is below the RSS: the restore is OOM-killed.
	TooSmall
)

// Verdict is a judgment of one limit.
type Verdict struct {
	Level Level
	Found string // what was compared, for a person
	Fix   string // for Risk and TooSmall
}

// Judge compares limit (bytes; 0: none) with n. spelled is the limit as the user wrote it (768Mi),
// for the text; empty: in bytes, humanized.
func Judge(n Needs, limit int64, spelled string) Verdict {
	if spelled == "" {
		spelled = humanize.Bytes(limit)
	}
	bad := ""
	if len(n.Malformed) > 0 {
		bad = "; ignored, not a byte count: " + strings.Join(n.Malformed, ", ") + " (commit the image again with this liberty-checkpoint)"
	}
	if n.RSS == 0 && n.HeapCommitted == 0 && n.HeapMax == 0 {
		return Verdict{Level: Unknown, Found: "no memory recorded at checkpoint time (no " + engine.LabelMemoryRSS + " label)" + bad}
	}
	at := "at checkpoint time: " + n.String() + bad
	peak := n.Peak()
	switch {
	case limit == 0:
		return Verdict{Found: at + "; no memory limit"}
	case n.RSS > 0 && limit < n.RSS:
		return Verdict{Level: TooSmall,
			Found: fmt.Sprintf("memory limit %s is below the server's RSS (%s): the restored server is OOM-killed as it maps its memory back", spelled, at),
			Fix: fmt.Sprintf("give the restore at least %s (better: %s, what the heap may grow to), or checkpoint with a smaller heap (-Xmx in JVM_ARGS)",
				humanize.Bytes(n.RSS), humanize.Bytes(max(peak, n.RSS))),
		}
	case peak > 0 && limit < peak:
		return Verdict{Level: Risk,
			Found: fmt.Sprintf("memory limit %s is below what the server may grow to, %s (RSS - committed heap + max heap; %s): the maximum heap was fixed at the checkpoint and the heap may grow past the limit into an OOM kill",
				spelled, humanize.Bytes(peak), at),
			Fix: fmt.Sprintf("raise the limit to %s, or checkpoint with a smaller -Xmx (JVM_ARGS): the heap settings stay those of the checkpoint", humanize.Bytes(peak)),
		}
	default:
		return Verdict{Found: fmt.Sprintf("memory limit %s covers the server's memory (%s)", spelled, at)}
	}
}

// String lists what is recorded: "RSS 157.3 MB, heap committed 52.4 MB, max heap 268.4 MB".
func (n Needs) String() string {
	var parts []string
	for _, p := range []struct {
		name string
		v    int64
	}{{"RSS", n.RSS}, {"heap committed", n.HeapCommitted}, {"max heap", n.HeapMax}} {
		if p.v > 0 {
			parts = append(parts, p.name+" "+humanize.Bytes(p.v))
		}
	}
	return strings.Join(parts, ", ")
}
