// Package render prints an operation's events for people (text) or for programs (JSON lines,
// the protojson form of the API's Event that the Maven and Gradle shims read; see
// contract/EVENTS.md).
package render

import (
	"io"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Renderer prints one operation: Start once, then events, then Result or Error.
type Renderer interface {
	Start(operation string)
	Event(ev engine.Event)
	Result(res *engine.Result)
	Error(err error, exitCode int)
}

// New returns the renderer for format ("text" or "json"). Verbose text output includes debug
// lines; JSON output always does and lets the reader filter by level.
func New(format string, out io.Writer, verbose bool) Renderer {
	if format == "json" {
		return &JSON{w: out}
	}
	return &Text{w: out, Verbose: verbose}
}

// NewJSON is the JSON renderer whose errors are spelled for a front end's command (FrontEnd).
func NewJSON(out io.Writer, frontEnd settings.FrontEnd, command string) *JSON {
	return &JSON{w: out, FrontEnd: frontEnd, Command: command}
}
