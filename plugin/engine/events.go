package engine

import (
	"fmt"
	"time"
)

// Source says where a log line came from.
type Source int

const (
	SourceTool      Source = iota + 1 // the tool itself
	SourceBuild                       // an image build
	SourceContainer                   // a container's output (Liberty, CRIU)
	SourceFile                        // a file read from a container (checkpoint.log, restore.log)
)

var sourceNames = map[Source]string{SourceTool: "tool", SourceBuild: "build", SourceContainer: "container", SourceFile: "file"}

func (s Source) String() string {
	if n, ok := sourceNames[s]; ok {
		return n
	}
	return "unknown"
}

// Level is the severity of a log line.
type Level int

const (
	LevelDebug Level = iota + 1
	LevelInfo
	LevelWarn
)

var levelNames = map[Level]string{LevelDebug: "debug", LevelInfo: "info", LevelWarn: "warn"}

func (l Level) String() string {
	if n, ok := levelNames[l]; ok {
		return n
	}
	return "info"
}

// Log is one line of output.
type Log struct {
	Source Source
	Level  Level
	Line   string
}

// StepState is the state a Progress event reports.
type StepState int

const (
	StepStarted StepState = iota + 1
	StepDone
)

func (s StepState) String() string {
	if s == StepDone {
		return "done"
	}
	return "started"
}

// Progress marks the start or end of one step of an operation.
type Progress struct {
	Step, Total int
	Name        string
	State       StepState
	Duration    time.Duration // for StepDone
	Detail      string
}

// CheckStatus is a doctor verdict.
type CheckStatus int

const (
	CheckOK CheckStatus = iota + 1
	CheckWarn
	CheckFail
	CheckSkip
)

var checkNames = map[CheckStatus]string{CheckOK: "ok", CheckWarn: "warn", CheckFail: "fail", CheckSkip: "skip"}

func (c CheckStatus) String() string {
	if n, ok := checkNames[c]; ok {
		return n
	}
	return "unknown"
}

// Check is one doctor finding: what was found and, unless it is ok, the exact fix.
type Check struct {
	ID     string
	Status CheckStatus
	Found  string
	Fix    string
}

// Event is one of Log, Progress or Check. Elapsed is the time since the operation started; the
// transport fills it in.
type Event struct {
	Elapsed  time.Duration
	Log      *Log
	Progress *Progress
	Check    *Check
}

// Sink receives an operation's events. It must be safe to call from several goroutines; the
// transports provided are.
type Sink func(Event)

// Discard is a Sink that drops every event.
func Discard(Event) {}

// Logf emits a log line.
func (s Sink) Logf(src Source, lvl Level, format string, args ...any) {
	s(Event{Log: &Log{Source: src, Level: lvl, Line: fmt.Sprintf(format, args...)}})
}

// Infof emits an info line from the tool.
func (s Sink) Infof(format string, args ...any) { s.Logf(SourceTool, LevelInfo, format, args...) }

// Debugf emits a debug line from the tool.
func (s Sink) Debugf(format string, args ...any) { s.Logf(SourceTool, LevelDebug, format, args...) }

// Warnf emits a warning from the tool.
func (s Sink) Warnf(format string, args ...any) { s.Logf(SourceTool, LevelWarn, format, args...) }

// Check emits a doctor finding.
func (s Sink) Check(c Check) { s(Event{Check: &c}) }

// Steps numbers the steps of an operation and emits their start and end.
type Steps struct {
	sink  Sink
	total int
	n     int
	name  string
	start time.Time
}

// NewSteps returns a step counter for an operation of total steps.
func NewSteps(sink Sink, total int) *Steps { return &Steps{sink: sink, total: total} }

// Start ends the current step, if any, and starts the next one.
func (s *Steps) Start(name string) {
	if s.name != "" {
		s.Done("")
	}
	s.n++
	s.name = name
	s.start = time.Now()
	s.sink(Event{Progress: &Progress{Step: s.n, Total: s.total, Name: name, State: StepStarted}})
}

// Done ends the current step with an optional detail (an image id, a size) and returns its
// duration.
func (s *Steps) Done(detail string) time.Duration {
	if s.name == "" {
		return 0
	}
	d := time.Since(s.start)
	s.sink(Event{Progress: &Progress{Step: s.n, Total: s.total, Name: s.name, State: StepDone, Duration: d, Detail: detail}})
	s.name = ""
	return d
}
