package memfit

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

const mi = 1 << 20

func TestJudge(t *testing.T) {
	all := map[string]string{engine.LabelMemoryRSS: "163577856", engine.LabelHeapCommitted: "41943040", engine.LabelHeapMax: "268435456"}
	// RSS 156 MiB, committed 40 MiB, max 256 MiB: the server may grow to 156 - 40 + 256 = 372 MiB.
	for _, tc := range []struct {
		name    string
		labels  map[string]string
		limit   int64
		spelled string
		level   Level
		found   string
		fix     string
	}{
		{"no limit", all, 0, "", Fits, "at checkpoint time: RSS 163.6 MB, heap committed 41.9 MB, max heap 268.4 MB; no memory limit", ""},
		{"below the RSS", all, 128 * mi, "128Mi", TooSmall, "memory limit 128Mi is below the server's RSS", "at least 163.6 MB (better: 390.1 MB"},
		{"just below the RSS", all, 163577855, "", TooSmall, "below the server's RSS", ""},
		{"at the RSS, below the peak", all, 163577856, "", Risk, "below what the server may grow to, 390.1 MB", "raise the limit to 390.1 MB"},
		{"above the max heap, below the peak", all, 300 * mi, "", Risk, "below what the server may grow to", ""},
		{"at the peak", all, 372 * mi, "", Fits, "covers the server's memory", ""},
		{"above the peak", all, 1 << 30, "1g", Fits, "memory limit 1g covers", ""},
		{"RSS only: nothing to grow to", map[string]string{engine.LabelMemoryRSS: "163577856"}, 200 * mi, "", Fits, "covers", ""},
		{"RSS only, below it", map[string]string{engine.LabelMemoryRSS: "163577856"}, 100 * mi, "", TooSmall, "below the server's RSS", ""},
		{"max heap only", map[string]string{engine.LabelHeapMax: "268435456"}, 200 * mi, "", Risk, "may grow to, 268.4 MB", ""},
		{"committed above RSS counts as RSS", map[string]string{engine.LabelMemoryRSS: "100", engine.LabelHeapCommitted: "200", engine.LabelHeapMax: "1000"}, 999, "", Risk, "", ""},
		{"no labels", nil, 64 * mi, "", Unknown, "no memory recorded at checkpoint time", ""},
		{"malformed RSS counts as not recorded", map[string]string{engine.LabelMemoryRSS: "150M"}, 64 * mi, "", Unknown,
			`ignored, not a byte count: io.liberty-checkpoint.memory.rss="150M"`, ""},
		{"negative max heap ignored", map[string]string{engine.LabelMemoryRSS: "163577856", engine.LabelHeapMax: "-1"}, 200 * mi, "", Fits,
			`io.liberty-checkpoint.memory.heap-max="-1"`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(FromLabels(tc.labels), tc.limit, tc.spelled)
			assert.Equal(t, tc.level, v.Level, v.Found)
			assert.Contains(t, v.Found, tc.found)
			assert.Contains(t, v.Fix, tc.fix)
			if v.Level >= Risk {
				assert.NotEmpty(t, v.Fix, "a risk says what to do")
			} else {
				assert.Empty(t, v.Fix)
			}
		})
	}
}

func TestPeak(t *testing.T) {
	assert.Equal(t, int64(372*mi), Needs{RSS: 156 * mi, HeapCommitted: 40 * mi, HeapMax: 256 * mi}.Peak())
	assert.Equal(t, int64(0), Needs{RSS: 156 * mi}.Peak(), "no max heap: nothing to grow to")
	assert.Equal(t, int64(256*mi), Needs{HeapMax: 256 * mi}.Peak())
}
