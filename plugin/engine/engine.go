package engine

import "context"

// Engine performs the operations. Every method streams events to sink while it works, returns
// one Result on success, and on failure returns an *Error (or an error wrapping one) saying what
// went wrong and how to fix it. When ctx is cancelled an implementation removes whatever it
// created (containers, images, files) before it returns, using a context of its own for that
// clean-up, and then returns an error for which IsCanceled is true.
//
// Options reach an Engine validated (see the Validate methods); an Engine may assume that.
type Engine interface {
	BuildBaseImage(ctx context.Context, opts BuildBaseImageOptions, sink Sink) (*Result, error)
	Containerize(ctx context.Context, opts ContainerizeOptions, sink Sink) (*Result, error)
	Checkpoint(ctx context.Context, opts CheckpointOptions, sink Sink) (*Result, error)
	Commit(ctx context.Context, opts CommitOptions, sink Sink) (*Result, error)
	Restore(ctx context.Context, opts RestoreOptions, sink Sink) (*Result, error)
	CheckpointImage(ctx context.Context, opts CheckpointImageOptions, sink Sink) (*Result, error)
	Doctor(ctx context.Context, opts DoctorOptions, sink Sink) (*Result, error)
	Push(ctx context.Context, opts PushOptions, sink Sink) (*Result, error)
	Kube(ctx context.Context, opts KubeOptions, sink Sink) (*Result, error)
	// Prune removes what operations whose process has ended left behind (containers, temporary
	// images and directories, helper processes), and nothing else. Engines also do it at the
	// start of every operation.
	Prune(ctx context.Context, opts PruneOptions, sink Sink) (*Result, error)
}

// Operation names, as they appear in events, results and the CLI.
const (
	OpBuildBaseImage  = "build-base-image"
	OpContainerize    = "containerize"
	OpCheckpoint      = "checkpoint"
	OpCommit          = "commit"
	OpRestore         = "restore"
	OpCheckpointImage = "checkpoint-image"
	OpDoctor          = "doctor"
	OpPrune           = "prune"
)
