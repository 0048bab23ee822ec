package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// readyBy says when a start-up variant counts as done.
type readyBy int

const (
	// firstHTTP200: the first 2xx answer of the workload's URL through the published port.
	firstHTTP200 readyBy = iota
	// firstOutput: the container's first line of output (conmon's timestamp): its process ran.
	firstOutput
	// exited: `podman run` (attached) returned.
	exited
)

// startupVariant is one way of starting a container, timed from the start of `podman run`.
type startupVariant struct {
	Key, Label string
	// Workload is the application that starts (nil for the no-op floors).
	Workload *workload
	Image    string
	Env      map[string]string // the container's environment besides the image's
	// Entrypoint replaces the image's (the no-op floors' echo); empty: the image's own.
	Entrypoint string
	Command    []string // after the image
	Port       bool     // publish 9080 on a free 127.0.0.1 port
	// Service: create and start the container through the bench's running Podman service (as
	// liberty-checkpoint restore and container engines under an orchestrator do); otherwise with
	// the podman CLI (`podman run`).
	Service bool
	Ready   readyBy
	// Restore: the server must resume from its checkpoint (CWWKC0452I, no fallback); otherwise
	// a server must start from scratch.
	Restore bool
	// CriuLog: read criu's restore.log for its own time (needs CRIU_LOG_LEVEL >= 3).
	CriuLog bool
	// Latency: after the first answer, time the workload's requests and read the server's RSS.
	Latency bool
	Color   color.RGBA
}

// startupSample is one round of one variant; times in ms from the start of `podman run`, NaN
// when they do not apply.
type startupSample struct {
	Ready float64 // first HTTP 200, first output or exit
	// Restored is when conmon read CWWKC0452I; ResumeReported is the seconds that message
	// reports (the entrypoint's start to the resumed server); Criu is criu's own restore time.
	Restored, ResumeReported, Criu float64
	// P50 and P99 are the latency run's percentiles (ms), RSS the server's VmRSS after it (bytes).
	P50, P99, RSS float64
}

func nan() float64 { return math.NaN() }

// failedSample is a round that measured nothing.
func failedSample() startupSample {
	return startupSample{Ready: nan(), Restored: nan(), ResumeReported: nan(), Criu: nan(), P50: nan(), P99: nan(), RSS: nan()}
}

// commonRunOptions are what every timed run gets: the restore policy (internal/privilege, which
// liberty-checkpoint restore applies too: every capability dropped but CHECKPOINT_RESTORE and
// SETPCAP, Podman's default seccomp profile), so only the image differs between cold start and
// restore.
var commonRunOptions = privilege.Restore.PodmanArgs("")

// noopMarker is what the no-op variants echo.
const noopMarker = "lcp-bench-noop"

func (b *bench) measureStartup(ctx context.Context, v startupVariant, round int) (s startupSample, err error) {
	s = failedSample()
	name := fmt.Sprintf("%s-r%d-%s", b.prefix, round, strings.ReplaceAll(v.Key, "/", "-"))
	var url, base string
	port := 0
	if v.Port {
		if port, err = freePort(); err != nil {
			return s, err
		}
		base = fmt.Sprintf("http://127.0.0.1:%d", port)
		if v.Workload != nil {
			url = base + v.Workload.Path
		}
	}
	if v.Service && b.svc == nil {
		return s, errNoService
	}

	b.res.addContainer(name)
	defer func() {
		if rerr := b.res.removeContainer(context.WithoutCancel(ctx), name); rerr != nil && err == nil {
			err = rerr
		}
	}()
	pctx, stopProbe := context.WithTimeout(ctx, b.cfg.ReadyTimeout)
	defer stopProbe()
	probed := make(chan probeResult, 1)

	t0 := time.Now()
	if v.Ready == firstHTTP200 {
		go func() { probed <- probe(pctx, url, t0) }()
	}
	if v.Service {
		err = b.svc.run(ctx, v.serviceSpec(name, port, b.cfg.ContainerPort))
	} else {
		_, err = run(ctx, "podman", v.podmanRunArgs(name, port, b.cfg.ContainerPort)...)
	}
	if err != nil {
		return s, err
	}
	switch v.Ready {
	case exited:
		s.Ready = ms(time.Since(t0))
		return s, nil
	case firstOutput:
		line, err := b.waitForLine(pctx, name, noopMarker)
		if err != nil {
			return s, err
		}
		s.Ready = ms(line.At.Sub(t0))
		return s, nil
	}

	p := <-probed
	if p.err != nil {
		lines, _ := b.logs(context.WithoutCancel(ctx), name)
		return s, fmt.Errorf("%s: no HTTP 200 from %s: %w%s", name, url, p.err, tail(texts(lines), 15))
	}
	s.Ready = ms(p.at)
	if !strings.HasPrefix(p.body, v.Workload.Body) {
		return s, fmt.Errorf("%s: %s answered %q, not %q...", name, url, firstLine(p.body), v.Workload.Body)
	}
	if v.Latency {
		lat, err := latency(ctx, base, v.Workload, b.cfg.Requests)
		if err != nil {
			return s, fmt.Errorf("%s: latency run: %w", name, err)
		}
		s.P50, s.P99 = Percentile(lat, 50), Percentile(lat, 99)
		if s.RSS, err = b.serverRSS(ctx, name); err != nil {
			return s, err
		}
	}
	lines, err := b.logs(ctx, name)
	if err != nil {
		return s, err
	}
	if v.Restore {
		// conmon may pass the restore message on after the resumed server's first answer: wait
		// for the verdict line rather than call a restore a cold start.
		if lines, err = b.waitForVerdict(pctx, name, lines); err != nil {
			return s, err
		}
	}
	restored, ok := FirstLine(lines, engine.MsgRestored)
	for _, msg := range []string{engine.MsgRestoreFailed, engine.MsgRestoreFailedOld} {
		if fallback, bad := FirstLine(lines, msg); bad {
			return s, fmt.Errorf("%s: the restore failed and the server started from scratch: %s", name, fallback.Text)
		}
	}
	switch {
	case v.Restore && !ok:
		return s, fmt.Errorf("%s: answered without a restore message (CWWKC0452I) in its output:%s", name, tail(texts(lines), 15))
	case !v.Restore && ok:
		return s, fmt.Errorf("%s: expected a cold start, but it restored a checkpoint: %s", name, restored.Text)
	case !v.Restore:
		return s, nil
	}
	s.Restored = ms(restored.At.Sub(t0))
	if d, ok := RestoredIn(restored.Text); ok {
		s.ResumeReported = ms(d)
	}
	if v.CriuLog {
		l, err := b.criuLog(ctx, name)
		if err != nil {
			return s, err
		}
		if l.Finished == 0 {
			return s, fmt.Errorf("%s: restore.log has no \"Restore finished successfully\" line (%d timestamped lines): is CRIU_LOG_LEVEL 3 or more?", name, l.Stamped)
		}
		s.Criu = ms(l.Finished)
	}
	return s, nil
}

// podmanRunArgs are the podman CLI's arguments that start the variant's container.
func (v startupVariant) podmanRunArgs(name string, port, containerPort int) []string {
	args := append([]string{"run", "--name", name}, commonRunOptions...)
	if v.Ready != exited {
		args = append(args, "--detach")
	}
	if v.Port {
		args = append(args, "--publish", fmt.Sprintf("127.0.0.1:%d:%d", port, containerPort))
	}
	for _, k := range slices.Sorted(maps.Keys(v.Env)) {
		args = append(args, "--env", k+"="+v.Env[k])
	}
	if v.Entrypoint != "" {
		args = append(args, "--entrypoint", v.Entrypoint)
	}
	return append(append(args, v.Image), v.Command...)
}

// serviceSpec is the same container as podmanRunArgs, for the service's create call.
func (v startupVariant) serviceSpec(name string, port, containerPort int) serviceSpec {
	spec := serviceSpec{Name: name, Image: v.Image, Env: v.Env, Command: v.Command,
		CapAdd: privilege.Restore.CapAdd(), CapDrop: privilege.Restore.CapDrop(), Seccomp: privilege.Restore.SeccompFor("")}
	if v.Entrypoint != "" {
		spec.Entrypoint = []string{v.Entrypoint}
	}
	if v.Port {
		spec.PortMapping = []servicePort{{HostIP: "127.0.0.1", HostPort: uint16(port), ContainerPort: uint16(containerPort), Protocol: "tcp"}}
	}
	return spec
}

type probeResult struct {
	at   time.Duration // since t0, when the first 2xx answer's headers arrived
	body string
	err  error
}

// probeInterval is how often the bench tries the URL: often enough to see the first answer within
// a few ms, seldom enough not to take much CPU from the server on a 2-core machine.
const probeInterval = 10 * time.Millisecond

// probe GETs url until it answers 2xx; every try on a new connection, since a connection made
// before the server listened may be accepted by the port forwarding and then dropped.
func probe(ctx context.Context, url string, t0 time.Time) probeResult {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	last := errors.New("not tried")
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return probeResult{err: err}
		}
		resp, err := client.Do(req)
		at := time.Since(t0)
		if err == nil {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode/100 == 2 && rerr == nil {
				return probeResult{at: at, body: string(body)}
			}
			last = fmt.Errorf("HTTP %d", resp.StatusCode)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return probeResult{err: fmt.Errorf("%w (last try: %v)", ctx.Err(), last)}
		case <-time.After(probeInterval):
		}
	}
}

// freePort returns a TCP port nothing listens on at 127.0.0.1 now. The bench picks the port
// itself so it can probe from the moment `podman run` starts.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logs reads a container's output with conmon's timestamps.
func (b *bench) logs(ctx context.Context, name string) ([]TimedLine, error) {
	out, err := run(ctx, "podman", "logs", "--timestamps", name)
	if err != nil {
		return nil, err
	}
	return ParseTimedLogs(bytes.NewReader(out))
}

// waitForLine reads a container's output until a line holds needle.
func (b *bench) waitForLine(ctx context.Context, name, needle string) (TimedLine, error) {
	for {
		lines, err := b.logs(ctx, name)
		if err != nil {
			return TimedLine{}, err
		}
		if l, ok := FirstLine(lines, needle); ok && !l.At.IsZero() {
			return l, nil
		}
		select {
		case <-ctx.Done():
			return TimedLine{}, fmt.Errorf("%s: no line with %q in its output: %w", name, needle, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// verdictWait bounds how long a restore's output may lag behind its first answer.
const verdictWait = 10 * time.Second

// waitForVerdict reads a restoring container's output until it has the restore message or one of a
// failed restore, starting from lines.
func (b *bench) waitForVerdict(ctx context.Context, name string, lines []TimedLine) ([]TimedLine, error) {
	ctx, cancel := context.WithTimeout(ctx, verdictWait)
	defer cancel()
	for {
		for _, msg := range []string{engine.MsgRestored, engine.MsgRestoreFailed, engine.MsgRestoreFailedOld} {
			if _, ok := FirstLine(lines, msg); ok {
				return lines, nil
			}
		}
		select {
		case <-ctx.Done():
			return lines, fmt.Errorf("%s: answered, but its output has no restore message (CWWKC0452I) nor a failed restore's:%s", name, tail(texts(lines), 15))
		case <-time.After(20 * time.Millisecond):
		}
		var err error
		if lines, err = b.logs(ctx, name); err != nil {
			return nil, err
		}
	}
}

// criuLog copies restore.log out of the container (podman cp writes a tar to stdout).
func (b *bench) criuLog(ctx context.Context, name string) (CriuLog, error) {
	out, err := run(ctx, "podman", "cp", name+":"+engine.RestoreLog, "-")
	if err != nil {
		return CriuLog{}, err
	}
	tr := tar.NewReader(bytes.NewReader(out))
	if _, err := tr.Next(); err != nil {
		return CriuLog{}, fmt.Errorf("%s:%s: %w", name, engine.RestoreLog, err)
	}
	return ParseCriuLog(tr)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func texts(lines []TimedLine) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
