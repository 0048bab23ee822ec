// Command fakeplugin is a liberty-checkpoint plugin backed by enginetest.Fake, for tests of the
// host, the CLI and the build-tool shims that must not need Podman. It speaks the real go-plugin
// protocol (AutoMTLS and all). Environment:
//
//	LCP_FAKE_STEP_DELAY    duration of each step (default 20ms)
//	LCP_FAKE_FAIL          op=Code:message, for example checkpoint=FailedPrecondition:criu too old
//	LCP_FAKE_CALLS         file to append each call to, as a JSON line {"op":...,"options":{...}}
//	LCP_FAKE_CANCEL_MARKER file to create when an operation was cancelled and cleaned up
//	LCP_FAKE_CLEANUP_DELAY how long that clean-up takes (default 300ms)
//	LCP_FAKE_DRAIN_TIMEOUT the plugin's bound on waiting for clean-ups when it stops (contract.DrainTimeout)
package main

import (
	"encoding/json"
	"os"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

var codes = map[string]engine.Code{
	"InvalidArgument": engine.CodeInvalidArgument, "NotFound": engine.CodeNotFound,
	"FailedPrecondition": engine.CodeFailedPrecondition, "Internal": engine.CodeInternal,
	"Unavailable": engine.CodeUnavailable, "DeadlineExceeded": engine.CodeDeadlineExceeded,
}

func main() {
	logger := contract.Logger("fakeplugin")
	fake := &enginetest.Fake{StepDelay: 20 * time.Millisecond, Errors: map[string]error{}}
	if d, err := time.ParseDuration(os.Getenv("LCP_FAKE_STEP_DELAY")); err == nil {
		fake.StepDelay = d
	}
	if spec := os.Getenv("LCP_FAKE_FAIL"); spec != "" {
		op, rest, _ := strings.Cut(spec, "=")
		code, msg, _ := strings.Cut(rest, ":")
		fake.Errors[op] = &engine.Error{Code: codes[code], Message: msg, Fix: "this is the fake engine's scripted failure",
			LogTail: []string{"fake log line 1", "fake log line 2"}}
	}
	if marker := os.Getenv("LCP_FAKE_CANCEL_MARKER"); marker != "" {
		cleanup := 300 * time.Millisecond // a clean-up that takes a while, like removing a container
		if d, err := time.ParseDuration(os.Getenv("LCP_FAKE_CLEANUP_DELAY")); err == nil {
			cleanup = d
		}
		fake.OnCancel = func(op string) {
			time.Sleep(cleanup)
			_ = os.WriteFile(marker, []byte(op+"\n"), 0o644)
		}
	}
	if d, err := time.ParseDuration(os.Getenv("LCP_FAKE_DRAIN_TIMEOUT")); err == nil {
		contract.DrainTimeout = d
	}
	if path := os.Getenv("LCP_FAKE_CALLS"); path != "" {
		fake.OnCall = func(c enginetest.Call) {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			if err != nil {
				logger.Error("cannot record call", "error", err)
				return
			}
			defer f.Close()
			_ = json.NewEncoder(f).Encode(map[string]any{"op": c.Op, "options": c.Options})
		}
	}
	logger.Debug("fake engine ready", "step_delay", fake.StepDelay.String())
	contract.Serve(fake, logger)
}
