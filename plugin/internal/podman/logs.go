package podman

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/containers"
)

// tailLines is how many lines of a log an error carries.
const tailLines = 30

// lineSplitter turns a byte stream into lines (without the line end) for emit. Write may be
// given partial lines; Flush emits what is left.
type lineSplitter struct {
	buf  []byte
	emit func(string)
}

func (l *lineSplitter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		l.emit(strings.TrimRight(string(l.buf[:i]), "\r"))
		l.buf = l.buf[i+1:]
	}
	return len(p), nil
}

func (l *lineSplitter) Flush() {
	if len(l.buf) > 0 {
		l.emit(strings.TrimRight(string(l.buf), "\r"))
		l.buf = nil
	}
}

// ringLog keeps the last max lines.
type ringLog struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func newRingLog(max int) *ringLog { return &ringLog{max: max} }

func (r *ringLog) Add(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, line)
	if len(r.lines) > r.max {
		r.lines = append([]string(nil), r.lines[len(r.lines)-r.max:]...)
	}
}

func (r *ringLog) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// logFollower streams a container's output, line by line, to onLine from its start until the
// container exits or stop is called.
type logFollower struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// followLogs starts streaming. onLine is called from one goroutine at a time.
func followLogs(ctx context.Context, nameOrID string, onLine func(string)) *logFollower {
	lctx, cancel := context.WithCancel(ctx)
	f := &logFollower{cancel: cancel, done: make(chan struct{})}
	go func() {
		f.err = streamLogs(lctx, nameOrID, true, onLine)
		close(f.done)
	}()
	return f
}

// streamLogs passes a container's stdout and stderr, line by line, to onLine (one call at a
// time) and returns when containers.Logs does, after every line has been delivered.
// containers.Logs writes to its channels and never closes them: the drains run until it has
// returned.
func streamLogs(ctx context.Context, nameOrID string, follow bool, onLine func(string)) error {
	var mu sync.Mutex
	emit := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		onLine(s)
	}
	stdout, stderr := make(chan string), make(chan string)
	outSplit, errSplit := &lineSplitter{emit: emit}, &lineSplitter{emit: emit}
	logsDone := make(chan struct{})
	var drains sync.WaitGroup
	drain := func(ch chan string, sp *lineSplitter) {
		defer drains.Done()
		for {
			select {
			case s := <-ch:
				_, _ = sp.Write([]byte(s))
			case <-logsDone:
				return
			}
		}
	}
	drains.Add(2)
	go drain(stdout, outSplit)
	go drain(stderr, errSplit)
	yes := true
	err := containers.Logs(ctx, nameOrID, &containers.LogOptions{Follow: &follow, Stdout: &yes, Stderr: &yes}, stdout, stderr)
	close(logsDone)
	drains.Wait()
	outSplit.Flush()
	errSplit.Flush()
	return err
}

// wait waits up to grace for the stream to end by itself (the container exited), then stops it.
func (f *logFollower) wait(grace time.Duration) {
	select {
	case <-f.done:
	case <-time.After(grace):
	}
	f.stop()
}

// stop ends the stream and waits until every line has been delivered.
func (f *logFollower) stop() {
	f.cancel()
	<-f.done
}

// readLogs returns a container's output so far (not following).
func readLogs(ctx context.Context, nameOrID string) ([]string, error) {
	var lines []string
	err := streamLogs(ctx, nameOrID, false, func(s string) { lines = append(lines, s) })
	return lines, err
}
