package engine

import (
	"regexp"
	"strconv"
	"strings"
)

// MemoryMarker starts the part of a checkpoint run's output line that reports the server's
// memory just before the dump: "memory at checkpoint: rss=123456 kB", and from the local
// flavor's agent "heap-committed=... kB heap-max=... kB". Commit records the numbers as labels.
const MemoryMarker = "memory at checkpoint:"

var memoryFieldRE = regexp.MustCompile(`\b(rss|heap-committed|heap-max)=([0-9]+) kB\b`)

// MemoryLabels reads the memory lines of a checkpoint run's output into labels (bytes); the
// last value of each wins.
func MemoryLabels(lines []string) map[string]string {
	keys := map[string]string{"rss": LabelMemoryRSS, "heap-committed": LabelHeapCommitted, "heap-max": LabelHeapMax}
	out := map[string]string{}
	for _, l := range lines {
		i := strings.Index(l, MemoryMarker)
		if i < 0 {
			continue
		}
		for _, m := range memoryFieldRE.FindAllStringSubmatch(l[i:], -1) {
			if kb, err := strconv.ParseInt(m[2], 10, 64); err == nil && kb > 0 && kb < 1<<40 {
				out[keys[m[1]]] = strconv.FormatInt(kb*1024, 10)
			}
		}
	}
	return out
}
