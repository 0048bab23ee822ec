package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// workload is an application the bench builds an InstantOn image of and starts, cold and restored.
type workload struct {
	Key, Title     string
	War, ConfigDir string
	// Path is the URL path whose first 2xx counts; the answer must start with Body.
	Path, Body string
	// Request is the path of the i-th request of the latency run after the first answer.
	Request func(i int) string
}

// catalogSize and catalogCategories match bench/catalog's Catalog.SIZE and CATEGORIES.
const (
	catalogSize       = 50_000
	catalogCategories = 200
)

// workloads are the applications the bench measures, in the report's order: the built-in sample
// (one servlet) and the catalogue service of bench/catalog (JAX-RS + CDI + JSON-B with a cache of
// tens of MB built at start-up).
func (c *config) workloads() []workload {
	all := []workload{
		{Key: "sample", Title: "sample (servlet)", War: c.War, ConfigDir: c.ConfigDir, Path: c.Path, Body: c.Body,
			Request: func(int) string { return c.Path }},
		{Key: "catalog", Title: "catalog (JAX-RS + CDI + JSON-B, warm cache)", War: c.CatalogWar, ConfigDir: c.CatalogConfigDir,
			Path: "/catalog/api/products/1", Body: `{"id":1,"name":"`,
			// Three lookups by id spread over the catalogue, then a page of a category.
			Request: func(i int) string {
				if i%4 == 3 {
					return fmt.Sprintf("/catalog/api/products?category=c%d&limit=20", i%catalogCategories)
				}
				return fmt.Sprintf("/catalog/api/products/%d", 1+(i*7919)%catalogSize)
			}},
	}
	var out []workload
	for _, w := range all {
		if slices.Contains(c.Workloads, w.Key) {
			out = append(out, w)
		}
	}
	return out
}

// latency sends n requests, one after the other on one keep-alive connection, to base plus the
// workload's paths, and returns their times (ms). Every answer must be 2xx.
func latency(ctx context.Context, base string, w *workload, n int) ([]float64, error) {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	out := make([]float64, 0, n)
	for i := 0; i < n; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+w.Request(i), nil)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("request %d (%s): %w", i+1, req.URL.Path, err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, ms(time.Since(t0)))
		if err != nil {
			return nil, fmt.Errorf("request %d (%s): %w", i+1, req.URL.Path, err)
		}
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("request %d (%s): HTTP %d", i+1, req.URL.RequestURI(), resp.StatusCode)
		}
	}
	return out, nil
}

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of xs (NaN for none).
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return nan()
	}
	s := slices.Sorted(slices.Values(xs))
	rank := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(rank, len(s)-1))]
}

// procStatus is one process's Name and VmRSS lines, as `grep -H` prints them from /proc/*/status.
var procStatus = regexp.MustCompile(`(?m)^/proc/(\d+)/status:(Name|VmRSS):\s+(\S+)`)

// JavaRSSBytes returns the largest VmRSS of a process named java in `grep -H -e ^Name -e ^VmRSS
// /proc/[0-9]*/status` output: the server, whether it is PID 1 (a cold start) or not (a restore).
func JavaRSSBytes(out string) (int64, bool) {
	names, rss := map[string]string{}, map[string]int64{}
	for _, m := range procStatus.FindAllStringSubmatch(out, -1) {
		if m[2] == "Name" {
			names[m[1]] = m[3]
		} else if kb, err := strconv.ParseInt(m[3], 10, 64); err == nil {
			rss[m[1]] = kb * 1024
		}
	}
	var best int64
	for pid, name := range names {
		if strings.HasPrefix(name, "java") && rss[pid] > best {
			best = rss[pid]
		}
	}
	return best, best > 0
}

// serverRSS reads the server's VmRSS inside a running container.
func (b *bench) serverRSS(ctx context.Context, name string) (float64, error) {
	out, err := run(ctx, "podman", "exec", name, "sh", "-c", "grep -H -e ^Name -e ^VmRSS /proc/[0-9]*/status")
	if err != nil && len(out) == 0 {
		return nan(), err
	}
	rss, ok := JavaRSSBytes(string(out))
	if !ok {
		return nan(), fmt.Errorf("%s: no java process in /proc", name)
	}
	return float64(rss), nil
}
