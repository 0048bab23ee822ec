package kube

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/memfit"
)

// MemoryNeeds is what the checkpointed server held, from the image's labels (memfit reads them,
// and judges a limit against them by the rule restore and doctor apply too).
type MemoryNeeds = memfit.Needs

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
			v := memfit.Judge(needs, 0, "")
			warns = append(warns, fmt.Sprintf("%s; memory limit %s by default (labels %s, %s, %s): set memoryLimit",
				v.Found, DefaultMemory.String(), engine.LabelMemoryRSS, engine.LabelHeapCommitted, engine.LabelHeapMax))
			return DefaultMemory.DeepCopy(), warns
		}
		if len(needs.Malformed) > 0 {
			warns = append(warns, memfit.Judge(needs, 0, "").Found)
		}
		want := needs.RSS + needs.RSS*headroomPercent/100
		want = (want + 16*mi - 1) / (16 * mi) * (16 * mi)
		return *resource.NewQuantity(want, resource.BinarySI), warns
	}
	switch v := memfit.Judge(needs, limit.Value(), limit.String()); {
	case v.Level == memfit.Risk || v.Level == memfit.TooSmall:
		warns = append(warns, v.Found+"; "+v.Fix)
	case len(needs.Malformed) > 0:
		warns = append(warns, v.Found)
	}
	return limit, warns
}
