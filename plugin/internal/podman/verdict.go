package podman

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// restoreEvidence collects what a restored container's output says about the restore: the
// first line of each kind Liberty prints. Safe for concurrent use.
type restoreEvidence struct {
	mu               sync.Mutex
	restored         string // CWWKC0452I: resumed from the checkpoint
	fallback         string // CWWKE0961I / CWWKE0957I: restore failed, started from scratch
	recoveryDisabled string // CWWKE0964E: restore failed and falling back is disabled
}

// restoredRE is Liberty's restore message as Liberty writes it (after a log prefix, if any, such
// as "[AUDIT   ] "): an application line that merely contains the id does not count.
var restoredRE = regexp.MustCompile(`(?:^|[\s\]])` + engine.MsgRestored +
	`: The Liberty server process resumed operation from a checkpoint in \d+(?:[.,]\d+)? seconds\.\s*$`)

// Observe looks at one line of output.
func (r *restoreEvidence) Observe(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case restoredRE.MatchString(line):
		if r.restored == "" {
			r.restored = line
		}
	case strings.Contains(line, engine.MsgRestoreFailed) || strings.Contains(line, engine.MsgRestoreFailedOld):
		if r.fallback == "" {
			r.fallback = line
		}
	case strings.Contains(line, engine.MsgRecoveryDisabled):
		if r.recoveryDisabled == "" {
			r.recoveryDisabled = line
		}
	}
}

// Any reports whether any evidence was seen.
func (r *restoreEvidence) Any() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.restored != "" || r.fallback != "" || r.recoveryDisabled != ""
}

// RecoveryDisabled returns the CWWKE0964E line, if one was seen.
func (r *restoreEvidence) RecoveryDisabled() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recoveryDisabled
}

// Verdict decides, for a server that became ready, whether it was restored, and returns the
// line the verdict rests on. Only the restore message counts as a restore, and any sign of a
// failed restore outweighs it: a cold start must never pass for a restore.
func (r *restoreEvidence) Verdict() (engine.Verdict, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.fallback != "":
		return engine.ColdStart, r.fallback
	case r.recoveryDisabled != "":
		return engine.ColdStart, r.recoveryDisabled
	case r.restored != "":
		return engine.Restored, r.restored
	}
	return engine.ColdStart, noRestoreEvidence
}

// noRestoreEvidence is the evidence of a server that became ready without saying it restored.
const noRestoreEvidence = "the server became ready without " + engine.MsgRestored +
	" (resumed from a checkpoint) in its output: it started from scratch"

// judgeProcess weighs the server process against the output's verdict. A restored server started
// before its container existed (it kept the checkpoint run's start); one that started after it
// is a cold start, whatever its output says. Without the fact (an image that does not record
// the start) the output's verdict stands.
func judgeProcess(v engine.Verdict, because string, p *engine.ServerProcess) (engine.Verdict, string) {
	if p == nil || p.Started.IsZero() || p.ContainerCreated.IsZero() {
		return v, because
	}
	switch {
	case p.StartedBeforeContainer() && v == engine.Restored:
		return v, because + " (" + p.String() + ")"
	case !p.StartedBeforeContainer() && v == engine.Restored:
		return engine.ColdStart, fmt.Sprintf("the server process %s: a cold start, although the output said %q", p, because)
	}
	return v, because
}
