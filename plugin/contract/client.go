package contract

import (
	"context"
	"errors"
	"io"
	"time"

	"google.golang.org/grpc"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// DefaultCleanupGrace bounds how long a cancelled call waits for the server to report its
// clean-up before it abandons the stream: as long as a stopping plugin waits for it (DrainTimeout).
var DefaultCleanupGrace = DrainTimeout

// Client is an engine.Engine that calls a LibertyCheckpoint service.
//
// Cancelling a call's context does not cut the stream: the client sends Cancel with the
// operation id and keeps reading, so the server's clean-up (removing containers and images) is
// streamed to the sink and finished before the call returns. Only if the server does not end the
// stream within CleanupGrace is the stream itself cancelled.
type Client struct {
	rpc          pb.LibertyCheckpointClient
	CleanupGrace time.Duration
}

var _ engine.Engine = (*Client)(nil)

// NewClient returns a Client on conn.
func NewClient(conn grpc.ClientConnInterface) *Client {
	return &Client{rpc: pb.NewLibertyCheckpointClient(conn), CleanupGrace: DefaultCleanupGrace}
}

type recv struct {
	ev  *pb.Event
	err error
}

// call runs one streaming RPC to its end.
func (c *Client) call(ctx context.Context, sink engine.Sink,
	open func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error)) (*engine.Result, error) {
	if sink == nil {
		sink = engine.Discard
	}
	// The stream outlives ctx's cancellation on purpose (see Client); it keeps ctx's values.
	streamCtx, cancelStream := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelStream()
	st, err := open(streamCtx)
	if err != nil {
		return nil, fromStatus(err)
	}
	events := make(chan recv)
	go func() {
		for {
			ev, err := st.Recv()
			select {
			case events <- recv{ev, err}:
			case <-streamCtx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	var (
		opID      string
		result    *engine.Result
		cancelled bool
		done      = ctx.Done()
		grace     <-chan time.Time
	)
	for {
		select {
		case r := <-events:
			if r.err != nil {
				if errors.Is(r.err, io.EOF) {
					if result == nil {
						return nil, &engine.Error{Code: engine.CodeInternal, Message: "the server ended the stream without a result"}
					}
					return result, nil
				}
				err := fromStatus(r.err)
				if cancelled && ctx.Err() != nil {
					return nil, &engine.Error{Code: engine.CodeCanceled, Message: "cancelled", Err: ctx.Err()}
				}
				return nil, err
			}
			switch k := r.ev.GetKind().(type) {
			case *pb.Event_Accepted:
				opID = k.Accepted.GetOperationId()
				if cancelled {
					c.sendCancel(ctx, opID)
				}
			case *pb.Event_Result:
				result = engineResult(k.Result)
			default:
				if ev, ok := engineEvent(r.ev); ok {
					sink(ev)
				}
			}
		case <-done:
			done = nil
			cancelled = true
			grace = time.After(c.CleanupGrace)
			if opID != "" {
				c.sendCancel(ctx, opID)
			}
		case <-grace:
			cancelStream()
			return nil, &engine.Error{Code: engine.CodeCanceled, Message: "cancelled; the server did not finish its clean-up in time",
				Fix: "run liberty-checkpoint prune once it has stopped: it removes what a stopped operation left behind", Err: ctx.Err()}
		}
	}
}

func (c *Client) sendCancel(ctx context.Context, id string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, _ = c.rpc.Cancel(cctx, &pb.CancelRequest{OperationId: id})
}

func (c *Client) BuildBaseImage(ctx context.Context, o engine.BuildBaseImageOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.BuildBaseImage(ctx, buildBaseImageRequest(o))
	})
}

func (c *Client) Containerize(ctx context.Context, o engine.ContainerizeOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Containerize(ctx, containerizeRequest(o))
	})
}

func (c *Client) Checkpoint(ctx context.Context, o engine.CheckpointOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Checkpoint(ctx, checkpointRequest(o))
	})
}

func (c *Client) Commit(ctx context.Context, o engine.CommitOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Commit(ctx, commitRequest(o))
	})
}

func (c *Client) Restore(ctx context.Context, o engine.RestoreOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Restore(ctx, restoreRequest(o))
	})
}

func (c *Client) CheckpointImage(ctx context.Context, o engine.CheckpointImageOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.CheckpointImage(ctx, checkpointImageRequest(o))
	})
}

func (c *Client) Doctor(ctx context.Context, o engine.DoctorOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Doctor(ctx, doctorRequest(o))
	})
}

func (c *Client) Prune(ctx context.Context, o engine.PruneOptions, sink engine.Sink) (*engine.Result, error) {
	return c.call(ctx, sink, func(ctx context.Context) (grpc.ServerStreamingClient[pb.Event], error) {
		return c.rpc.Prune(ctx, pruneRequest(o))
	})
}
