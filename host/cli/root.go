// Package cli is the liberty-checkpoint command line: one thin command per operation over the
// engine the plugin serves, plus serve and version. Commands take their dependencies (output
// writers, how to open the engine) from Deps, so tests drive them without a process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/pluginhost"
	"github.com/liberty-checkpoint/liberty-checkpoint/host/render"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Version is set at build time (-ldflags -X).
var Version = "dev"

// Exit codes.
const (
	ExitOK        = 0
	ExitFailed    = 1   // the operation failed, or doctor found a failing check
	ExitUsage     = 2   // bad flags or a bad request (InvalidArgument, NotFound)
	ExitCancelled = 130 // interrupted
)

// Deps is what commands need from the outside world.
type Deps struct {
	Out, Err io.Writer
	// OpenEngine returns the engine and a function that releases it. Default: launch the plugin.
	OpenEngine func(ctx context.Context, g *GlobalOptions) (engine.Engine, func(), error)
}

// GlobalOptions are the flags every command has.
type GlobalOptions struct {
	Output    string // text or json
	PodmanURL string
	Plugin    string
	LogLevel  string
	Verbose   bool
}

// Logger returns the host's logger; the plugin's logs are routed into it.
func (g *GlobalOptions) Logger(w io.Writer) hclog.Logger {
	level := hclog.LevelFromString(g.LogLevel)
	if level == hclog.NoLevel {
		level = hclog.Warn
	}
	return hclog.New(&hclog.LoggerOptions{Name: "liberty-checkpoint", Level: level, Output: w})
}

// LaunchPlugin is the default OpenEngine: it starts the plugin binary through go-plugin.
func LaunchPlugin(ctx context.Context, g *GlobalOptions, logw io.Writer) (engine.Engine, func(), error) {
	path, err := pluginhost.Find(g.Plugin)
	if err != nil {
		return nil, nil, err
	}
	p, err := pluginhost.Launch(ctx, path, g.Logger(logw))
	if err != nil {
		return nil, nil, err
	}
	return p.Engine, p.Close, nil
}

// ExitError carries an exit code for an error that has already been reported.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	switch engine.CodeOf(err) {
	case engine.CodeInvalidArgument, engine.CodeNotFound:
		return ExitUsage
	case engine.CodeCanceled:
		return ExitCancelled
	}
	return ExitFailed
}

// NewRootCommand builds the command tree.
func NewRootCommand(d *Deps) *cobra.Command {
	g := &GlobalOptions{}
	if d.OpenEngine == nil {
		d.OpenEngine = func(ctx context.Context, g *GlobalOptions) (engine.Engine, func(), error) {
			return LaunchPlugin(ctx, g, d.Err)
		}
	}
	root := &cobra.Command{
		Use:   "liberty-checkpoint",
		Short: "Build Open Liberty InstantOn images: checkpoint a started server with CRIU, restore it in milliseconds",
		Long: `liberty-checkpoint turns a Java web application into an Open Liberty InstantOn container image:
the server is started once, checkpointed with CRIU, and the checkpoint is committed into the image,
so that containers of it restore the running server instead of booting it.

The usual path is one command:

  liberty-checkpoint checkpoint-image --app-archive target/app.war \
      --server-xml-file src/main/liberty/config/server.xml --image localhost/app:1.0-instanton
  liberty-checkpoint restore --image localhost/app:1.0-instanton --publish 9080

Every command talks to Podman (--podman-url, $CONTAINER_HOST, or the default socket; a transient
podman service is started when none answers). --output json prints one JSON event per line.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetOut(d.Out)
	root.SetErr(d.Err)
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Output, "output", "o", "text", "output format: text, or json (one event per line, for programs)")
	stringFlag(pf, &g.PodmanURL, "podmanUrl", "")
	pf.StringVar(&g.Plugin, "plugin", "", "path of the "+pluginhost.BinaryName+" binary (default: next to this one, then $PATH; or $"+pluginhost.EnvPlugin+")")
	pf.StringVar(&g.LogLevel, "log-level", "warn", "log level of the host and plugin logs on stderr: trace, debug, info, warn, error")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "show debug lines (full build and container output)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.Output != "text" && g.Output != "json" {
			return engine.Invalid("output", "use --output text or --output json", "unknown output format %q", g.Output)
		}
		return nil
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return engine.Invalid("", "see --help for the flags", "%v", err)
	})
	root.AddCommand(
		newBuildBaseImageCommand(d, g),
		newContainerizeCommand(d, g),
		newCheckpointCommand(d, g),
		newCommitCommand(d, g),
		newRestoreCommand(d, g),
		newCheckpointImageCommand(d, g),
		newDoctorCommand(d, g),
		newPushCommand(d, g),
		newServeCommand(d, g),
		newVersionCommand(d),
	)
	return root
}

// Execute runs the command line and returns the exit code. Errors are reported on the way
// (as text on stderr, or as a JSON error event on stdout with --output json).
func Execute(ctx context.Context, d *Deps, args []string) int {
	root := NewRootCommand(d)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code // already reported
	}
	var engErr *engine.Error
	if !errors.As(err, &engErr) {
		// Everything the commands return is an *engine.Error; the rest is cobra's usage errors
		// (unknown command or flag, wrong arguments).
		err = engine.Invalid("", "see liberty-checkpoint --help", "%v", err)
	}
	code := ExitCode(err)
	output, _ := root.PersistentFlags().GetString("output")
	if output == "json" {
		render.New("json", d.Out, false).Error(err, code)
	} else {
		render.New("text", d.Err, false).Error(err, code)
	}
	return code
}

// runOp is the body of every operation command: open the engine, stream events to the renderer,
// print the result or the error.
func runOp(ctx context.Context, d *Deps, g *GlobalOptions, op string,
	call func(ctx context.Context, e engine.Engine, sink engine.Sink) (*engine.Result, error)) error {
	r := renderer(d, g)
	r.Start(op)
	fail := func(err error) error {
		code := ExitCode(err)
		r.Error(err, code)
		return &ExitError{Code: code, Err: err}
	}
	e, release, err := d.OpenEngine(ctx, g)
	if err != nil {
		return fail(err)
	}
	res, err := call(ctx, e, r.Event)
	release()
	if err != nil {
		if ctx.Err() != nil && !engine.IsCanceled(err) {
			err = &engine.Error{Code: engine.CodeCanceled, Message: "cancelled", Err: err}
		}
		return fail(err)
	}
	r.Result(res)
	if res.Doctor != nil && res.Doctor.Fail > 0 {
		return &ExitError{Code: ExitFailed, Err: fmt.Errorf("%d doctor checks failed", res.Doctor.Fail)}
	}
	return nil
}

func renderer(d *Deps, g *GlobalOptions) render.Renderer {
	if g.Output == "json" {
		return render.New("json", d.Out, true)
	}
	return render.New("text", d.Out, g.Verbose)
}

// DefaultDeps are the real process's dependencies.
func DefaultDeps() *Deps { return &Deps{Out: os.Stdout, Err: os.Stderr} }
