package cli

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// One constructor per operation. Each binds flags to the engine's options and makes one call;
// validation happens behind the API, so every front end gets the same errors.

func newBuildBaseImageCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.BuildBaseImageOptions
	cmd := &cobra.Command{
		Use:   "build-base-image",
		Short: "Build the InstantOn base image (UBI + OpenJ9 with CRIU + Open Liberty, or the local flavor)",
		Example: `  liberty-checkpoint build-base-image                                  # beta-image/Dockerfile.ubi.openjdk11
  liberty-checkpoint build-base-image --containerfile Dockerfile.local --image localhost/open-liberty:local-checkpoint`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection = g.Connection()
			return runOp(cmd.Context(), d, g, engine.OpBuildBaseImage, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.BuildBaseImage(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	stringFlag(fs, &o.ContextDir, "contextDirectory", engine.DefaultContextDir)
	fs.StringVar(&o.Containerfile, flagName("containerfile"), engine.DefaultContainerfile, "Containerfile, relative to the context or absolute")
	fs.StringVar(&o.Image, flagName("image"), engine.DefaultBaseImage, "reference to tag the base image with")
	mapFlag(fs, &o.BuildArgs, "buildArgs", false)
	mapFlag(fs, &o.Labels, "labels", false)
	timeoutFlag(fs, &o.Timeout)
	return cmd
}

// addAppFlags binds the flags containerize and checkpoint-image share: the application inputs and
// the image it builds, with its labels and environment.
func addAppFlags(fs *pflag.FlagSet, a *engine.AppInputs, image *string, labels, env *map[string]string) {
	stringFlag(fs, &a.BaseImage, "baseImage", "")
	stringFlag(fs, &a.AppArchive, "appArchive", "")
	stringFlag(fs, &a.ServerXML, "serverXmlFile", "")
	stringFlag(fs, &a.ConfigDir, "configDirectory", "")
	stringFlag(fs, &a.ServerName, "serverName", "")
	stringFlag(fs, &a.Containerfile, "containerfile", "")
	stringFlag(fs, image, "image", "")
	mapFlag(fs, labels, "labels", false)
	mapFlag(fs, env, "env", true)
}

// addRunFlags binds the flags of the container checkpoint and restore run.
func addRunFlags(fs *pflag.FlagSet, r *engine.RunSettings) {
	mapFlag(fs, &r.Env, "env", true)
	stringFlag(fs, &r.ContainerName, "containerName", "")
	stringFlag(fs, &r.SeccompProfile, "seccompProfile", "")
	networkFlag(fs, &r.Network)
}

func newContainerizeCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.ContainerizeOptions
	cmd := &cobra.Command{
		Use:     "containerize",
		Short:   "Build the application image: the app archive and server.xml on the base image",
		Example: "  liberty-checkpoint containerize --app-archive target/app.war --server-xml-file src/main/liberty/config/server.xml --image localhost/app:1.0",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection = g.Connection()
			return runOp(cmd.Context(), d, g, engine.OpContainerize, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Containerize(ctx, o, s)
			})
		},
	}
	addAppFlags(cmd.Flags(), &o.AppInputs, &o.Image, &o.Labels, &o.Env)
	timeoutFlag(cmd.Flags(), &o.Timeout)
	return cmd
}

func newCheckpointCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.CheckpointOptions
	var phase string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Run the application image once with WLP_CHECKPOINT=<phase>; the server checkpoints itself and the container stops",
		Long: `Runs the application image with WLP_CHECKPOINT=<phase> and only the capabilities CRIU needs
(CHECKPOINT_RESTORE, SYS_PTRACE, SETPCAP; never --privileged). The server checkpoints itself and the
container exits; the stopped container is kept for commit.`,
		Example: "  liberty-checkpoint checkpoint --image localhost/app:1.0 --phase afterAppStart",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection, o.Phase = g.Connection(), engine.Phase(phase)
			return runOp(cmd.Context(), d, g, engine.OpCheckpoint, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Checkpoint(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	stringFlag(fs, &o.Image, "image", "")
	stringFlag(fs, &phase, "phase", "")
	addRunFlags(fs, &o.RunSettings)
	timeoutFlag(fs, &o.Timeout)
	return cmd
}

func newCommitCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.CommitOptions
	cmd := &cobra.Command{
		Use:     "commit",
		Short:   "Commit a checkpointed container as the InstantOn image and remove the container",
		Example: "  liberty-checkpoint commit --container lcp-checkpoint-1a2b3c --image localhost/app:1.0-instanton",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection = g.Connection()
			return runOp(cmd.Context(), d, g, engine.OpCommit, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Commit(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	stringFlag(fs, &o.Container, "container", "")
	stringFlag(fs, &o.Image, "image", "")
	mapFlag(fs, &o.Labels, "labels", false)
	boolFlag(fs, &o.KeepContainer, "keepContainer")
	timeoutFlag(fs, &o.Timeout)
	return cmd
}

func newRestoreCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.RestoreOptions
	var registry func()
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Run an InstantOn image, wait until it is ready, and report whether it restored or started cold",
		Long: `Runs the InstantOn image with CHECKPOINT_RESTORE and SETPCAP only (no SYS_PTRACE, never
--privileged), waits for readiness (HTTP 2xx or a log line) and reports the time from start to ready
and the verdict: restored from the checkpoint, or fell back to a cold start. By default the container
is stopped and removed afterwards; --keep-running leaves it up.`,
		Example: `  liberty-checkpoint restore --image localhost/app:1.0-instanton --publish 9080 --ready-url /app/
  liberty-checkpoint restore --image localhost/app:1.0-instanton --publish 127.0.0.1:9080:9080 --keep-running`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection = g.Connection()
			registry()
			return runOp(cmd.Context(), d, g, engine.OpRestore, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Restore(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	stringFlag(fs, &o.Image, "image", "")
	fs.VarP(&portsFlag{&o.Ports}, flagName("ports"), "p", setting("ports").Doc+" (repeatable)")
	addRunFlags(fs, &o.RunSettings)
	stringFlag(fs, &o.Readiness.HTTPURL, "readyUrl", "")
	stringFlag(fs, &o.Readiness.LogLine, "readyLog", "")
	boolFlag(fs, &o.DisableRecovery, "disableRecovery")
	boolFlag(fs, &o.KeepRunning, "keepRunning")
	stringFlag(fs, &o.Memory, "memory", "")
	registry = registryFlags(fs, &o.Registry)
	timeoutFlag(fs, &o.Timeout)
	return cmd
}

func newCheckpointImageCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.CheckpointImageOptions
	var phase, method string
	var registry func()
	cmd := &cobra.Command{
		Use:   "checkpoint-image",
		Short: "Containerize, checkpoint and commit in one go: the InstantOn image from an app archive",
		Long: `Builds the application image, checkpoints it and produces the InstantOn image. --method
run-and-commit (the default) runs the application image once with WLP_CHECKPOINT=<phase> and commits
the stopped container. --method build is Open Liberty's build flow: the application image's build
ends with RUN checkpoint.sh <phase>, which Podman runs with CHECKPOINT_RESTORE, SYS_PTRACE and SETPCAP
(never --privileged) and seccomp unconfined or --seccomp-profile; the checkpoint is that step's layer.`,
		Example: `  liberty-checkpoint checkpoint-image --app-archive target/app.war \
      --config-directory src/main/liberty/config --image localhost/app:1.0-instanton
  liberty-checkpoint checkpoint-image --method build --containerfile Containerfile --image localhost/app:1.0-instanton`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection, o.Phase, o.Method = g.Connection(), engine.Phase(phase), engine.Method(method)
			registry()
			return runOp(cmd.Context(), d, g, engine.OpCheckpointImage, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.CheckpointImage(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	addAppFlags(fs, &o.AppInputs, &o.Image, &o.Labels, &o.Env)
	stringFlag(fs, &phase, "phase", "")
	stringFlag(fs, &method, "method", "")
	boolFlag(fs, &o.KeepAppImage, "keepAppImage")
	stringFlag(fs, &o.SeccompProfile, "seccompProfile", "")
	boolFlag(fs, &o.Push, "push")
	networkFlag(fs, &o.Network)
	registry = registryFlags(fs, &o.Registry)
	outputDirFlag(fs, g)
	timeoutFlag(fs, &o.Timeout)
	return cmd
}

func newDoctorCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.DoctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that this host, its container engine and (optionally) an image can checkpoint and restore",
		Long: `Checks the kernel, Podman and its OCI runtime, the capabilities containers can get, and, given
an image, that CRIU inside it can really dump and restore a process on this host. Prints one line per
check (ok, warn, fail) with the fix, and exits non-zero when any check fails.`,
		Example: "  liberty-checkpoint doctor --image localhost/app:1.0-instanton",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection = g.Connection()
			return runOp(cmd.Context(), d, g, engine.OpDoctor, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Doctor(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.Image, flagName("image"), "", "an image to check as well (CRIU in it, and for an InstantOn image the kernel and CPU it was checkpointed on)")
	stringFlag(fs, &o.Memory, "memory", "")
	timeoutFlag(fs, &o.Timeout)
	return cmd
}

func newPruneCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.PruneOptions
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove what killed operations left behind (containers, temporary images, temp directories, helper processes)",
		Long: `Removes what liberty-checkpoint operations whose process has ended (killed, crashed, or cut off
from Podman) left behind: their containers, their temporary images (localhost/lcp-tmp-*), lock
volumes, temporary directories and transient Podman services. Every object the tool makes records
its operation and process (label io.liberty-checkpoint.owner), so prune removes only what belongs
to an operation that is over, never what a running one uses, nor your images, a checkpoint
container you are about to commit, or a restore you left running. Every operation prunes first.`,
		Example: "  liberty-checkpoint prune",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection.URI = g.PodmanURL
			return runOp(cmd.Context(), d, g, engine.OpPrune, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Prune(ctx, o, s)
			})
		},
	}
	timeoutFlag(cmd.Flags(), &o.Timeout)
	return cmd
}

func newVersionCommand(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			cmd.Printf("liberty-checkpoint %s\n", Version)
		},
	}
}
