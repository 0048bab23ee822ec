package main

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundOrder(t *testing.T) {
	const n = 7
	successors := map[int]bool{} // what runs right after variant 0
	for round := 1; round <= 20; round++ {
		o := roundOrder(42, round, n)
		sorted := slices.Sorted(slices.Values(o))
		assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6}, sorted, "a permutation")
		assert.Equal(t, o, roundOrder(42, round, n), "the seed repeats it")
		if k := slices.Index(o, 0); k < n-1 {
			successors[o[k+1]] = true
		}
	}
	assert.Greater(t, len(successors), 2, "no variant always follows the same one")
	assert.NotEqual(t, roundOrder(42, 1, n), roundOrder(43, 1, n))
}

func TestBreakdownIsRoundByRound(t *testing.T) {
	w, other := &workload{Key: "sample"}, &workload{Key: "catalog"}
	variants := []startupVariant{{Key: "sample/restore", Workload: w, Restore: true}, {Key: "sample/restore-v3", Workload: w, Restore: true, CriuLog: true},
		{Key: "catalog/restore", Workload: other, Restore: true}}
	samples := [][]startupSample{
		{{Ready: 500, Restored: 400, ResumeReported: nan(), Criu: nan()}},
		{
			{Ready: 450, Restored: 350, ResumeReported: 180, Criu: 150},
			{Ready: math.NaN(), Restored: math.NaN(), ResumeReported: math.NaN(), Criu: math.NaN()}, // a failed round
		},
		{{Ready: 900, Restored: 800}},
	}
	got := map[string][]float64{}
	for _, s := range breakdown(variants, samples) {
		got[s.Key] = s.Values
	}
	assert.Equal(t, 170.0, got["sample/to-entrypoint"][0], "CWWKC0452I's time minus the seconds it reports")
	assert.Equal(t, 30.0, got["sample/to-criu"][0])
	assert.Equal(t, 150.0, got["sample/criu"][0])
	assert.Equal(t, 100.0, got["sample/to-200"][0])
	assert.Equal(t, 450.0, got["sample/total"][0])
	assert.True(t, math.IsNaN(got["sample/to-200"][1]), "a failed round stays out")
	assert.Equal(t, []float64{400}, got["sample/restored-default"], "the same workload's restore only")
	assert.NotContains(t, got, "catalog/criu", "no -v3 run of the catalog here")
}

func TestPercentile(t *testing.T) {
	xs := make([]float64, 1000)
	for i := range xs {
		xs[i] = float64(1000 - i) // 1000 .. 1
	}
	assert.Equal(t, 500.0, Percentile(xs, 50))
	assert.Equal(t, 990.0, Percentile(xs, 99))
	assert.Equal(t, 1000.0, Percentile(xs, 100))
	assert.Equal(t, 7.0, Percentile([]float64{7}, 99))
	assert.True(t, math.IsNaN(Percentile(nil, 50)))
}

func TestJavaRSSBytes(t *testing.T) {
	out := "/proc/1/status:Name:\tdumb-init\n/proc/1/status:VmRSS:\t     512 kB\n" +
		"/proc/1004/status:Name:\tjava\n/proc/1004/status:VmRSS:\t  151200 kB\n" +
		"/proc/1003/status:Name:\ttail\n/proc/1003/status:VmRSS:\t    1800 kB\n"
	rss, ok := JavaRSSBytes(out)
	assert.True(t, ok)
	assert.Equal(t, int64(151200*1024), rss, "the restored JVM, not PID 1")
	_, ok = JavaRSSBytes("/proc/1/status:Name:\tbash\n/proc/1/status:VmRSS:\t 3000 kB\n")
	assert.False(t, ok)
}

func TestCatalogRequests(t *testing.T) {
	c := config{Workloads: []string{"catalog"}}
	wls := c.workloads()
	require.Len(t, wls, 1)
	assert.Equal(t, "/catalog/api/products/1", wls[0].Request(0))
	assert.Equal(t, "/catalog/api/products?category=c3&limit=20", wls[0].Request(3))
	for i := 0; i < 1000; i++ {
		assert.Regexp(t, `^/catalog/api/products(/[1-9]\d*|\?category=c\d+&limit=20)$`, wls[0].Request(i))
	}
}

// The service and the podman CLI start the same container: the restore policy, the port, the
// environment, the entrypoint and the command.
func TestServiceSpecMatchesPodmanRun(t *testing.T) {
	v := startupVariant{Image: "localhost/x:1", Port: true, Env: map[string]string{"CRIU_LOG_LEVEL": "3"}, Entrypoint: "echo", Command: []string{"hi"}}
	assert.Equal(t, []string{"run", "--name", "n", "--cap-drop=ALL", "--cap-add=CHECKPOINT_RESTORE", "--cap-add=SETPCAP", "--detach",
		"--publish", "127.0.0.1:1234:9080", "--env", "CRIU_LOG_LEVEL=3", "--entrypoint", "echo", "localhost/x:1", "hi"},
		v.podmanRunArgs("n", 1234, 9080))
	assert.Equal(t, serviceSpec{Name: "n", Image: "localhost/x:1", Env: map[string]string{"CRIU_LOG_LEVEL": "3"}, Entrypoint: []string{"echo"},
		Command: []string{"hi"}, CapAdd: []string{"CAP_CHECKPOINT_RESTORE", "CAP_SETPCAP"}, CapDrop: []string{"ALL"},
		PortMapping: []servicePort{{HostIP: "127.0.0.1", HostPort: 1234, ContainerPort: 9080, Protocol: "tcp"}}},
		v.serviceSpec("n", 1234, 9080))
}
