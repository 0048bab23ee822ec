package engine

import (
	"fmt"
	"strings"
)

// Phase is when the server checkpoints itself.
type Phase string

const (
	// BeforeAppStart: applications' metadata processed, no application code run yet.
	BeforeAppStart Phase = "beforeAppStart"
	// AfterAppStart: applications started, ports not yet open. The fastest restore.
	AfterAppStart Phase = "afterAppStart"
	// DefaultPhase is used when a request leaves the phase empty.
	DefaultPhase = AfterAppStart
)

// ParsePhase accepts the current names (any case), maps the prototype-era names deployment and
// applications and returns a note saying so, and rejects features, which Liberty removed.
func ParsePhase(field, s string) (p Phase, note string, err error) {
	const fix = "use beforeAppStart or afterAppStart"
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return DefaultPhase, "", nil
	case "beforeappstart":
		return BeforeAppStart, "", nil
	case "afterappstart":
		return AfterAppStart, "", nil
	case "deployment":
		return BeforeAppStart, fmt.Sprintf("phase %q is the old name of %s; using %s", s, BeforeAppStart, BeforeAppStart), nil
	case "applications":
		return AfterAppStart, fmt.Sprintf("phase %q is the old name of %s; using %s", s, AfterAppStart, AfterAppStart), nil
	case "features":
		return "", "", Invalid(field, "use beforeAppStart (the earliest phase Liberty still supports) or afterAppStart",
			"phase %q is no longer supported: Open Liberty removed the features checkpoint phase", s)
	}
	return "", "", Invalid(field, fix, "unknown checkpoint phase %q", s)
}
