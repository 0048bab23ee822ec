package kube

import (
	"fmt"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// MemoryNeeds is what the checkpointed server held, from the image's labels (bytes; 0: not
// recorded).
type MemoryNeeds struct {
	RSS           int64 // resident set of the server at the dump: what a restore maps back at once
	HeapCommitted int64 // heap committed at the dump
	HeapMax       int64 // maximum heap: fixed at the JVM's start, so at the checkpoint (openj9#17596)
}

// Recorded reports whether the image carries the RSS label.
func (m MemoryNeeds) Recorded() bool { return m.RSS > 0 }

// MemoryNeedsFromLabels reads the memory labels commit records. A label that is not a byte count
// is an error naming it.
func MemoryNeedsFromLabels(labels map[string]string) (MemoryNeeds, error) {
	var m MemoryNeeds
	for key, p := range map[string]*int64{
		engine.LabelMemoryRSS: &m.RSS, engine.LabelHeapCommitted: &m.HeapCommitted, engine.LabelHeapMax: &m.HeapMax,
	} {
		v, ok := labels[key]
		if !ok || v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return MemoryNeeds{}, fmt.Errorf("image label %s=%q is not a byte count", key, v)
		}
		*p = n
	}
	return m, nil
}

const mi = 1 << 20

// Headroom over the checkpoint's RSS that the derived memory request and limit give: the restored
// server grows past its checkpointed RSS as it serves (the bench measured 131 MB checkpointed,
// 177 MB after 1,000 requests, README "Benchmark").
const headroomPercent = 50

// DefaultMemory is the request and limit when the image records no memory needs and none is set.
var DefaultMemory = resource.MustParse("512Mi")

// memory decides the memory request and limit, with warnings. limit is the user's setting (zero:
// derive it). The request equals the limit: a restored server maps its whole checkpoint back at
// once, so it needs that memory from its first millisecond, and a pod whose memory request is
// its limit is never the first to be evicted for memory.
func memory(needs MemoryNeeds, limit resource.Quantity) (resource.Quantity, []string) {
	var warns []string
	if limit.IsZero() {
		if !needs.Recorded() {
			warns = append(warns, fmt.Sprintf("the image records no memory needs (labels %s, %s, %s); memory limit %s by default: set memoryLimit",
				engine.LabelMemoryRSS, engine.LabelHeapCommitted, engine.LabelHeapMax, DefaultMemory.String()))
			return DefaultMemory.DeepCopy(), warns
		}
		want := needs.RSS + needs.RSS*headroomPercent/100
		want = (want + 16*mi - 1) / (16 * mi) * (16 * mi)
		return *resource.NewQuantity(want, resource.BinarySI), nil
	}
	if needs.RSS > 0 && limit.Value() < needs.RSS {
		warns = append(warns, fmt.Sprintf("memory limit %s is below the checkpoint's RSS (%d MiB): the restored server is OOM-killed as it maps its memory back",
			limit.String(), needs.RSS/mi))
	} else if needs.HeapMax > 0 && needs.RSS > 0 && limit.Value() < needs.RSS-needs.HeapCommitted+needs.HeapMax {
		warns = append(warns, fmt.Sprintf("memory limit %s is below what the heap may grow to (RSS %d MiB - committed heap %d MiB + maximum heap %d MiB): the maximum heap was fixed at the checkpoint; set -Xmx at checkpoint time (JVM_ARGS) or raise the limit",
			limit.String(), needs.RSS/mi, needs.HeapCommitted/mi, needs.HeapMax/mi))
	}
	return limit, warns
}
