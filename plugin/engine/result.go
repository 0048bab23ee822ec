package engine

import (
	"fmt"
	"strings"
	"time"
)

// Timing is how long one named step took.
type Timing struct {
	Name     string
	Duration time.Duration
}

// Verdict is what a restore turned out to be.
type Verdict int

const (
	// Restored: the server resumed from its checkpoint (Liberty CWWKC0452I).
	Restored Verdict = iota + 1
	// ColdStart: the restore failed and the server started from scratch (CWWKE0961I/CWWKE0957I).
	ColdStart
)

func (v Verdict) String() string {
	switch v {
	case Restored:
		return "restored"
	case ColdStart:
		return "cold-start"
	}
	return "unknown"
}

// RestoreOutcome is what Restore observed.
type RestoreOutcome struct {
	Verdict    Verdict
	Ready      time.Duration // from starting the container to ready
	Evidence   string        // the log line the verdict rests on
	URL        string        // where the HTTP probe answered
	HTTPStatus int
	Published  map[uint32]string // container port -> host address
	Process    *ServerProcess    // the server process, when the image records its start
}

// ServerProcess is the restored container's server process as /proc shows it.
type ServerProcess struct {
	PID              int
	Started          time.Time // LCP_JVM_STARTED_MS from its environment
	ContainerCreated time.Time
	CapEff           string // hex, as /proc/<pid>/status writes it
	NoNewPrivs       bool
	Seccomp          int
}

// StartedBeforeContainer reports whether the process started before its container was created:
// a process a cold start cannot produce.
func (p *ServerProcess) StartedBeforeContainer() bool {
	return p != nil && !p.Started.IsZero() && !p.ContainerCreated.IsZero() && p.Started.Before(p.ContainerCreated)
}

// String describes the fact: "pid 1007 started 8.213 s before its container was created".
func (p *ServerProcess) String() string {
	if p == nil {
		return ""
	}
	d := p.ContainerCreated.Sub(p.Started)
	when := "before"
	if d < 0 {
		d, when = -d, "after"
	}
	return fmt.Sprintf("pid %d started %.3f s %s its container was created", p.PID, d.Seconds(), when)
}

// DoctorSummary counts doctor checks by status.
type DoctorSummary struct {
	OK, Warn, Fail, Skip int
}

// Add counts one check.
func (d *DoctorSummary) Add(s CheckStatus) {
	switch s {
	case CheckOK:
		d.OK++
	case CheckWarn:
		d.Warn++
	case CheckFail:
		d.Fail++
	case CheckSkip:
		d.Skip++
	}
}

// Result is what a successful operation returns.
type Result struct {
	Operation      string
	Image          string // reference produced or run
	ImageID        string
	ImageSize      int64 // bytes
	ContainerID    string
	ContainerName  string
	Phase          Phase
	CheckpointSize int64 // bytes of the checkpoint: its CRIU image files, or (a checkpoint run) all the run wrote, the files and its logs; 0 when unknown
	Timings        []Timing
	Restore        *RestoreOutcome
	Doctor         *DoctorSummary
	Kube           *KubeOutcome
	Prune          *PruneSummary
	Duration       time.Duration
	// ImageDigest is the registry's digest of a pushed manifest, PushedTo where it went.
	ImageDigest string
	PushedTo    string
}

// PruneSummary is what Prune removed: only what operations whose process has ended left behind.
type PruneSummary struct {
	Containers  []string // containers removed
	Images      []string // temporary image names removed
	Volumes     []string // lock volumes removed
	Directories []string // temporary directories removed
	Processes   int      // helper processes (transient Podman services) ended
	// InUse counts the objects left alone because their operation still runs, or ran on another
	// machine whose processes cannot be seen from here.
	InUse int
}

// Removed is the number of objects removed.
func (p *PruneSummary) Removed() int {
	if p == nil {
		return 0
	}
	return len(p.Containers) + len(p.Images) + len(p.Volumes) + len(p.Directories) + p.Processes
}

// Add adds o's counts to p.
func (p *PruneSummary) Add(o *PruneSummary) {
	if o == nil {
		return
	}
	p.Containers = append(p.Containers, o.Containers...)
	p.Images = append(p.Images, o.Images...)
	p.Volumes = append(p.Volumes, o.Volumes...)
	p.Directories = append(p.Directories, o.Directories...)
	p.Processes += o.Processes
	p.InUse += o.InUse
}

// CanonicalImageID writes an image id the way results carry it: "sha256:" and 64 hex digits
// (podman's API gives the bare hex).
func CanonicalImageID(id string) string {
	if id == "" || strings.Contains(id, ":") {
		return id
	}
	return "sha256:" + id
}

// AddTiming appends a step duration.
func (r *Result) AddTiming(name string, d time.Duration) {
	r.Timings = append(r.Timings, Timing{Name: name, Duration: d})
}
