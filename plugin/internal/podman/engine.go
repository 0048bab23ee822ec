package podman

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Engine is the Podman engine. The zero value is not usable: call New.
type Engine struct {
	// Version is recorded in the images the engine commits (engine.LabelToolVersion).
	Version string
	// PodmanBinary is the podman executable that runs a transient service when no service
	// answers. Default "podman" (from $PATH).
	PodmanBinary string
	// DefaultSockets are tried, in order, when neither the request nor Podman's settings name a
	// service. Default: the rootful socket for root, the user's socket otherwise.
	DefaultSockets []string
	// TransientService lets the engine start a podman system service of its own when no service
	// is named and none answers at DefaultSockets. Default: on Linux.
	TransientService bool

	// restoreCaps replaces the capabilities a restore run gets (names without CAP_). Tests set it
	// to check that a restore without the capability CRIU needs is never reported as restored.
	restoreCaps []string
}

var _ engine.Engine = (*Engine)(nil)

// New returns an engine with the defaults.
func New(version string) *Engine {
	return &Engine{Version: version, PodmanBinary: "podman", DefaultSockets: defaultSockets(), TransientService: runtime.GOOS == "linux"}
}

// Names of what the engine creates; every name carries a random suffix so parallel calls on the
// same Podman never collide.
const (
	checkpointPrefix = "lcp-checkpoint-"
	restorePrefix    = "lcp-restore-"
	tempImagePrefix  = "localhost/lcp-tmp-"
	// labelOwner marks containers and images the engine created, with the operation.
	labelOwner = "io.liberty-checkpoint.created-by"
)

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// operation is what one Engine call runs once it is connected.
type operation func(ctx context.Context, c *conn) (*engine.Result, error)

// call runs op under the request's timeout on a connection to Podman, then turns what it
// returns into the engine's error vocabulary: cancellation, an expired timeout, or the typed
// error the operation returned.
func (e *Engine) call(ctx context.Context, name string, c engine.Connection, timeout time.Duration, sink engine.Sink, op operation) (*engine.Result, error) {
	start := time.Now()
	ctx = withOperation(ctx)
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := e.connect(tctx, c, sink)
	if err != nil {
		return nil, classify(ctx, tctx, name, timeout, err)
	}
	defer conn.close(sink)
	if name != engine.OpPrune {
		autoPrune(conn.ctx, sink) // what killed operations left behind goes first
	}
	res, err := op(conn.ctx, conn)
	if err != nil {
		return nil, classify(ctx, tctx, name, timeout, err)
	}
	res.Operation = name
	res.Duration = time.Since(start)
	return res, nil
}

// classify maps err to an *engine.Error: the caller's cancellation wins, then the timeout, then
// the operation's own typed error; anything else is a lost connection or an internal error.
func classify(parent, ctx context.Context, op string, timeout time.Duration, err error) error {
	var typed *engine.Error
	errors.As(err, &typed)
	switch {
	case parent.Err() != nil:
		if typed != nil && typed.Code == engine.CodeCanceled {
			return typed
		}
		return &engine.Error{Code: engine.CodeCanceled, Message: op + " cancelled", Err: parent.Err()}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		if typed != nil && typed.Code == engine.CodeDeadlineExceeded {
			return typed
		}
		out := &engine.Error{Code: engine.CodeDeadlineExceeded, Field: "timeout_seconds",
			Message: fmt.Sprintf("%s did not finish within %s", op, timeout),
			Fix:     "raise timeout_seconds (--timeout), or look at the log above for what it waited on", Err: err}
		if typed != nil {
			out.Message += " (" + typed.Detail() + ")"
			out.LogTail = typed.LogTail
		}
		return out
	case typed != nil:
		return typed
	case isConnectionLost(err):
		return engine.Wrap(concise(err), engine.CodeUnavailable, "check that the Podman service is still running (podman system service), then retry; "+
			"the next operation (or liberty-checkpoint prune) removes what this one could not",
			"lost the connection to Podman during %s", op)
	}
	return engine.Wrap(err, engine.CodeInternal, "retry; if it fails again, report it with the log above", "%s failed", op)
}

// failed wraps an API error of a step: a lost connection or a typed error passes through,
// anything else becomes code with the fix.
func failed(err error, code engine.Code, fix, format string, args ...any) error {
	var typed *engine.Error
	if errors.As(err, &typed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if isConnectionLost(err) {
		return engine.Wrap(concise(err), engine.CodeUnavailable, "check that the Podman service is still running, then retry; "+
			"once it runs, the next operation (or liberty-checkpoint prune) removes what this one could not", format, args...)
	}
	return engine.Wrap(err, code, fix, format, args...)
}

// concise drops the request URL (with every query parameter) from a failed API call's error:
// what matters is why the call failed.
func concise(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
