package podman

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// prober tells whether a server is ready.
type prober interface {
	// Probe checks once and says whether the server is ready, with a description of what it
	// found.
	Probe(ctx context.Context) (ready bool, detail string)
	String() string
}

// httpProber is ready when a GET of URL answers 2xx.
type httpProber struct {
	URL    string
	Client *http.Client

	mu     sync.Mutex
	status int
}

// newHTTPProber probes url; dial, when set, makes its connections (through the ssh connection
// to a remote Podman host, from that host).
func newHTTPProber(url string, dial func(ctx context.Context, network, addr string) (net.Conn, error)) *httpProber {
	return &httpProber{URL: url, Client: &http.Client{
		Timeout: 2 * time.Second,
		// Each probe on a fresh connection: a connection made before the server listened
		// (port forwarding accepts early) must not be reused.
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil, DialContext: dial},
	}}
}

func (p *httpProber) Probe(ctx context.Context) (bool, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return false, err.Error()
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	p.mu.Lock()
	p.status = resp.StatusCode
	p.mu.Unlock()
	return resp.StatusCode >= 200 && resp.StatusCode < 300, fmt.Sprintf("HTTP %d", resp.StatusCode)
}

// Status is the last HTTP status seen (0: none).
func (p *httpProber) Status() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

func (p *httpProber) String() string { return "HTTP 2xx from " + p.URL }

// logProber is ready once a line containing Needle has been observed.
type logProber struct {
	Needle string

	mu   sync.Mutex
	line string
}

// Observe looks at one line of output.
func (p *logProber) Observe(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line == "" && strings.Contains(line, p.Needle) {
		p.line = line
	}
}

func (p *logProber) Probe(context.Context) (bool, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line != "" {
		return true, p.line
	}
	return false, "no line with " + p.Needle + " yet"
}

func (p *logProber) String() string { return "a log line containing " + p.Needle }

// errExited means the container exited before it was ready.
var errExited = errors.New("the container exited before it was ready")

// waitReady probes every interval until the prober says ready, the exited channel closes or
// ctx ends. It returns the last probe's detail.
func waitReady(ctx context.Context, p prober, interval time.Duration, exited <-chan struct{}) (string, error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	detail := "not probed yet"
	for {
		ok, d := p.Probe(ctx)
		if d != "" {
			detail = d
		}
		if ok {
			return detail, nil
		}
		select {
		case <-exited:
			return detail, errExited
		case <-ctx.Done():
			return detail, ctx.Err()
		case <-tick.C:
		}
	}
}
