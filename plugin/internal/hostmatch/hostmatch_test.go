package hostmatch

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func labels(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestCompare(t *testing.T) {
	img := labels(engine.LabelArch, "x86_64", engine.LabelKernel, "6.18.44-fc", engine.LabelCPUFlags, "fpu sse2 avx2",
		engine.LabelCRIUVersion, "4.2.1", engine.LabelMemoryRSS, "157286400", engine.LabelHeapCommitted, "52428800",
		engine.LabelHeapMax, "268435456")
	for _, tc := range []struct {
		name  string
		host  Host
		id    string
		sev   Severity
		found string
	}{
		{"same host", Host{Arch: "x86_64", Kernel: "6.18.44-fc", CPUFlags: []string{"fpu", "sse2", "avx2", "avx512f"}}, "image.cpu", Same, "has all 3 features"},
		{"other architecture", Host{Arch: "aarch64"}, "image.arch", Blocking, "restores only on the architecture it was taken on"},
		{"older kernel", Host{Kernel: "6.1.0-18-amd64"}, "image.kernel", Risk, "restoring on the older Linux 6.1.0-18-amd64"},
		{"newer kernel names criu", Host{Kernel: "6.19.1"}, "image.kernel", Same, "criu 4.2.1 must know this kernel"},
		{"CPU without avx2", Host{CPUFlags: []string{"fpu", "sse2"}}, "image.cpu", Blocking, "lacks 1 of the features the checkpointing CPU had: avx2"},
		{"CPU flags unknown", Host{}, "image.cpu", Unknown, "unknown"},
		{"no memory limit", Host{}, "image.memory", Same, "at checkpoint time: RSS 157.3 MB, heap committed 52.4 MB, max heap 268.4 MB; no memory limit"},
		{"limit below RSS", Host{Memory: 100 << 20}, "image.memory", Blocking, "below the server's RSS"},
		{"limit below what the heap may grow to", Host{Memory: 300 << 20}, "image.memory", Risk, "below what the server may grow to, 373.3 MB"},
		{"limit above all", Host{Memory: 512 << 20}, "image.memory", Same, "covers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range Compare(img, tc.host) {
				if f.ID == tc.id {
					assert.Equal(t, tc.sev, f.Severity, f.Found)
					assert.Contains(t, f.Found, tc.found)
					if f.Severity >= Risk {
						assert.NotEmpty(t, f.Fix)
					}
					return
				}
			}
			t.Fatalf("no finding %s", tc.id)
		})
	}
	for _, f := range Compare(nil, Host{Arch: "x86_64", Kernel: "6.18.0", CPUFlags: []string{"fpu"}, Memory: 1 << 30}) {
		assert.Equal(t, Unknown, f.Severity, "an image without labels is not compared: %s", f.ID)
	}
}
