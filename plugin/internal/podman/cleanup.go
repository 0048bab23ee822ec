package podman

import (
	"context"
	"errors"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// cleanupTimeout bounds the clean-up after a failure or a cancel.
const cleanupTimeout = 2 * time.Minute

// cleanup removes what a call created, last first: the temporary things always, the rest only
// when the call fails (or is cancelled). It runs on a context of its own (the connection's
// values, none of its cancellation) and streams what it does as log events.
type cleanup struct {
	ctx   context.Context
	sink  engine.Sink
	tasks []*cleanupTask
	// unreachable is set when a task failed because Podman could not be reached.
	unreachable bool
}

type cleanupTask struct {
	what   string
	always bool
	done   bool
	fn     func(ctx context.Context) error
}

func newCleanup(ctx context.Context, sink engine.Sink) *cleanup {
	return &cleanup{ctx: ctx, sink: sink}
}

// onFailure registers fn to run if the call fails; what says what it removes ("container x").
func (c *cleanup) onFailure(what string, fn func(ctx context.Context) error) *cleanupTask {
	t := &cleanupTask{what: what, fn: fn}
	c.tasks = append(c.tasks, t)
	return t
}

// always registers fn to run when the call ends, whatever the outcome.
func (c *cleanup) always(what string, fn func(ctx context.Context) error) *cleanupTask {
	t := c.onFailure(what, fn)
	t.always = true
	return t
}

// cancel drops a task (its object was handed over, or already removed).
func (t *cleanupTask) cancel() { t.done = true }

// finish runs the tasks: all of them if *errp is set, else only the always ones.
func (c *cleanup) finish(errp *error) {
	failed := errp != nil && *errp != nil
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), cleanupTimeout)
	defer cancel()
	defer func() {
		if c.unreachable {
			c.sink.Warnf("clean-up: Podman cannot be reached; once it runs again, liberty-checkpoint prune " +
				"(or the next operation) removes what is left, since this operation will have ended")
		}
	}()
	for i := len(c.tasks) - 1; i >= 0; i-- {
		t := c.tasks[i]
		if t.done || (!failed && !t.always) {
			continue
		}
		t.done = true
		if err := t.fn(ctx); err != nil {
			if errors.Is(err, errNothingRemoved) {
				c.sink.Debugf("clean-up: %s was not there", t.what)
				continue
			}
			c.unreachable = c.unreachable || isConnectionLost(err)
			c.sink.Warnf("clean-up: could not remove %s: %v", t.what, err)
			continue
		}
		if failed {
			c.sink.Infof("clean-up: removed %s", t.what)
		} else {
			c.sink.Debugf("removed %s", t.what)
		}
	}
}
