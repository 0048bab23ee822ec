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
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/pluginhost"
	"github.com/liberty-checkpoint/liberty-checkpoint/host/render"
	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
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
	// Identity is the ssh key for an ssh:// Podman connection (--identity).
	Identity string
	Plugin   string
	LogLevel string
	Verbose  bool
	// OutputDir is where checkpoint-image and push leave the image's files (--output-dir).
	OutputDir string
	// FrontEnd is the build tool that runs this command (hidden --front-end, $LCP_FRONT_END):
	// the JSON error event's message and fix name settings and commands as it does.
	FrontEnd string
}

// EnvFrontEnd names the build tool that runs the CLI (maven, gradle), as the shims set it.
const EnvFrontEnd = "LCP_FRONT_END"

// Connection is the Podman connection the global flags name.
func (g *GlobalOptions) Connection() engine.Connection {
	return engine.Connection{URI: g.PodmanURL, Identity: g.Identity}
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
	return pluginEngine{p.Engine, p}, p.Close, nil
}

// pluginEngine is the engine a plugin process serves, and that process: runOp asks it whether
// the process died in the middle of an operation.
type pluginEngine struct {
	engine.Engine
	p *pluginhost.Plugin
}

// crashed reports whether the plugin process died on its own (the stream broke because the
// process is gone), giving go-plugin a moment to notice the exit.
func (e pluginEngine) crashed() (bool, int) {
	for deadline := time.Now().Add(time.Second); !e.p.Crashed() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	return e.p.Crashed(), e.p.PID
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

Every command talks to Podman: --podman-url (with --identity for ssh://), else Podman's own
settings ($CONTAINER_HOST, $CONTAINER_CONNECTION, podman system connection's default, such as
podman machine's on macOS and Windows), else the default socket; on Linux a transient podman
service is started when none answers. --output json prints one JSON event per line.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version,
	}
	root.SetOut(d.Out)
	root.SetErr(d.Err)
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Output, "output", "o", "text", "output format: text, or json (one event per line, for programs)")
	stringFlag(pf, &g.PodmanURL, "podmanUrl", "")
	stringFlag(pf, &g.Identity, "identity", "")
	pf.StringVar(&g.Plugin, "plugin", "", "path of the "+pluginhost.BinaryName+" binary (default: next to this one, then $PATH; or $"+pluginhost.EnvPlugin+")")
	pf.StringVar(&g.LogLevel, "log-level", "warn", "log level of the host and plugin logs on stderr: trace, debug, info, warn, error")
	pf.BoolVarP(&g.Verbose, "verbose", "v", false, "show debug lines (full build and container output)")
	pf.StringVar(&g.FrontEnd, "front-end", os.Getenv(EnvFrontEnd), "the build tool that runs this command (maven, gradle): errors in --output json spell settings its way")
	_ = pf.MarkHidden("front-end")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if g.Output != "text" && g.Output != "json" {
			return engine.Invalid("output", "use --output text or --output json", "unknown output format %q", g.Output)
		}
		if fe := settings.FrontEnd(g.FrontEnd); fe != "" && fe != settings.Maven && fe != settings.Gradle {
			return engine.Invalid("", "use --front-end maven or --front-end gradle ($"+EnvFrontEnd+")", "unknown front end %q", g.FrontEnd)
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
		newKubeCommand(d, g),
		newPruneCommand(d, g),
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
	cmd, err := root.ExecuteContextC(ctx)
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
	frontEnd, _ := root.PersistentFlags().GetString("front-end")
	if output == "json" {
		name := ""
		if cmd != nil {
			name = cmd.Name()
		}
		render.NewJSON(d.Out, settings.FrontEnd(frontEnd), name).Error(err, code)
	} else {
		render.New("text", d.Err, false).Error(err, code)
	}
	return code
}

// runOp is the body of every operation command: open the engine, stream events to the renderer,
// print the result or the error.
func runOp(ctx context.Context, d *Deps, g *GlobalOptions, op string,
	call func(ctx context.Context, e engine.Engine, sink engine.Sink) (*engine.Result, error)) error {
	r := renderer(d, g, op)
	r.Start(op)
	fail := func(err error) error {
		code := ExitCode(err)
		errorRenderer(d, g, r).Error(err, code)
		return &ExitError{Code: code, Err: err}
	}
	if g.OutputDir != "" && op == engine.OpCheckpointImage {
		if err := clearImageOutputs(g.OutputDir); err != nil {
			return fail(err)
		}
	}
	e, release, err := d.OpenEngine(ctx, g)
	if err != nil {
		return fail(err)
	}
	res, err := call(ctx, e, r.Event)
	dead, pid := false, 0
	if pe, ok := e.(pluginEngine); ok && engine.CodeOf(err) == engine.CodeUnavailable {
		dead, pid = pe.crashed()
	}
	release()
	if err != nil {
		if ctx.Err() != nil && !engine.IsCanceled(err) {
			err = &engine.Error{Code: engine.CodeCanceled, Message: "cancelled", Err: err}
		}
		if dead && op != engine.OpPrune {
			err = recoverFromCrash(ctx, d, g, r, pid, err)
		}
		return fail(err)
	}
	if g.OutputDir != "" && (op == engine.OpCheckpointImage || op == engine.OpPush) {
		notes, err := writeImageOutputs(g.OutputDir, res)
		if err != nil {
			return fail(err)
		}
		for _, n := range notes {
			r.Event(engine.Event{Log: &engine.Log{Source: engine.SourceTool, Level: engine.LevelInfo, Line: n}})
		}
	}
	r.Result(res)
	if res.Doctor != nil && res.Doctor.Fail > 0 {
		return &ExitError{Code: ExitFailed, Err: fmt.Errorf("%d doctor checks failed", res.Doctor.Fail)}
	}
	return nil
}

// recoverFromCrash runs when the plugin process died during an operation (someone killed it):
// what it had made is left behind, owned by a process that is gone. A new plugin removes it at
// once (prune), so the failure leaves nothing, and the user learns what happened.
func recoverFromCrash(ctx context.Context, d *Deps, g *GlobalOptions, r render.Renderer, pid int, opErr error) error {
	crash := &engine.Error{Code: engine.CodeUnavailable,
		Message: fmt.Sprintf("the plugin process (pid %d) died during the operation: it was killed or crashed", pid),
		Fix:     "run the command again; run with --log-level debug to see the plugin's last output", Err: opErr}
	warn := func(format string, args ...any) {
		r.Event(engine.Event{Log: &engine.Log{Source: engine.SourceTool, Level: engine.LevelWarn, Line: fmt.Sprintf(format, args...)}})
	}
	warn("the plugin process (pid %d) died; starting a new one to remove what it left behind", pid)
	pctx := context.WithoutCancel(ctx)
	e, release, err := d.OpenEngine(pctx, g)
	if err != nil {
		warn("cannot start a new plugin: %v; run liberty-checkpoint prune later", err)
		return crash
	}
	defer release()
	res, err := e.Prune(pctx, engine.PruneOptions{Common: engine.Common{Connection: engine.Connection{URI: g.PodmanURL}}}, func(ev engine.Event) {
		if ev.Log != nil { // the prune's own steps would interleave with the failed operation's
			r.Event(ev)
		}
	})
	if err != nil {
		warn("prune failed: %v; run liberty-checkpoint prune later", engine.AsError(err).Detail())
		return crash
	}
	crash.Fix = fmt.Sprintf("run the command again (what the dead plugin left is removed: %d object(s)); "+
		"run with --log-level debug to see the plugin's last output", res.Prune.Removed())
	return crash
}

// errorRenderer is where errors go: with the events in JSON (one stream for programs), on
// stderr in text (with every other error: a flag error, a bad request, a failed operation).
func errorRenderer(d *Deps, g *GlobalOptions, r render.Renderer) render.Renderer {
	if g.Output == "json" {
		return r
	}
	return render.New("text", d.Err, false)
}

func renderer(d *Deps, g *GlobalOptions, op string) render.Renderer {
	if g.Output == "json" {
		return render.NewJSON(d.Out, settings.FrontEnd(g.FrontEnd), op)
	}
	return render.New("text", d.Out, g.Verbose)
}

// DefaultDeps are the real process's dependencies.
func DefaultDeps() *Deps { return &Deps{Out: os.Stdout, Err: os.Stderr} }
