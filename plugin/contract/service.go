package contract

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Service serves an engine.Engine as the LibertyCheckpoint gRPC service. It validates every
// request before the engine sees it, applies the request's timeout, streams the engine's events,
// and keeps a table of running operations for Cancel.
type Service struct {
	pb.UnimplementedLibertyCheckpointServer
	engine engine.Engine
	admit  Admission

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
	closing bool // CancelAll was called: no new operations
	wg      sync.WaitGroup
}

// Admission decides whether the caller may make a request: op is the operation, opts a pointer to
// its options, which it may rewrite (to resolved paths, say). It is asked twice: before
// validation reads any file the request names, and after validation has filled in defaults and
// derived paths. An error refuses the request before the engine sees it. `liberty-checkpoint
// serve` confines paths and the Podman connection with one.
type Admission func(op string, opts any) error

// NewService returns a Service backed by e. admit, if not nil, is asked about every request.
func NewService(e engine.Engine, admit Admission) *Service {
	return &Service{engine: e, admit: admit, running: map[string]context.CancelCauseFunc{}}
}

// Drain waits until every running operation has returned (and so cleaned up), or until ctx is
// done. The plugin calls it before it exits.
func (s *Service) Drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CancelAll cancels every running operation (each then cleans up and returns). The plugin calls
// it when it is told to stop, or when its host is gone.
func (s *Service) CancelAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	for _, cancel := range s.running {
		cancel(errShutdown)
	}
	return len(s.running)
}

// errCancelRPC is the cause recorded when an operation is stopped through Cancel.
var errCancelRPC = errors.New("cancelled by Cancel request")

// errShutdown is the cause recorded when the serving process stops (CancelAll).
var errShutdown = errors.New("cancelled: the plugin is stopping")

// stream is the send side all server-streaming RPCs share.
type stream = grpc.ServerStreamingServer[pb.Event]

// run is the common body of every streaming RPC: validate, admit, register, run the engine with
// a sink that forwards events, send the result or map the error. opts is the pointer that
// validate fills in and call reads.
func (s *Service) run(st stream, op string, opts any, validate func() error, timeout func() time.Duration,
	call func(ctx context.Context, sink engine.Sink) (*engine.Result, error)) error {
	admit := func() error {
		if s.admit == nil {
			return nil
		}
		return s.admit(op, opts)
	}
	// Admission comes before validation, which reads the files a request names, and again
	// after it, which derives more of them.
	for _, check := range []func() error{admit, validate, admit} {
		if err := check(); err != nil {
			return toStatus(err)
		}
	}
	start := time.Now()
	ctx, cancel := context.WithCancelCause(st.Context())
	defer cancel(nil)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout())
	defer cancelTimeout()

	id := newOperationID()
	ctx = engine.WithOperationID(ctx, id)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return toStatus(&engine.Error{Code: engine.CodeUnavailable, Message: "the plugin is stopping",
			Fix: "run the command again"})
	}
	s.wg.Add(1)
	defer s.wg.Done()
	s.running[id] = cancel
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, id)
		s.mu.Unlock()
	}()

	var mu sync.Mutex
	closed := false
	send := func(ev *pb.Event) {
		mu.Lock()
		defer mu.Unlock()
		if closed || ev == nil {
			return
		}
		ev.ElapsedMs = time.Since(start).Milliseconds()
		if err := st.Send(ev); err != nil {
			closed = true // the client is gone; the context tells the engine
		}
	}
	send(&pb.Event{Kind: &pb.Event_Accepted{Accepted: &pb.Accepted{OperationId: id, Operation: op, Schema: EventSchema}}})
	res, err := call(ctx, func(ev engine.Event) { send(pbEvent(ev)) })
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		mu.Lock()
		closed = true
		mu.Unlock()
		switch {
		case (errors.Is(context.Cause(ctx), errCancelRPC) || errors.Is(context.Cause(ctx), errShutdown)) && !engine.IsCanceled(err):
			err = &engine.Error{Code: engine.CodeCanceled, Message: "cancelled", Err: err}
		case errors.Is(ctx.Err(), context.DeadlineExceeded) && st.Context().Err() == nil &&
			engine.CodeOf(err) != engine.CodeDeadlineExceeded && engine.AsError(err).Field == "":
			err = &engine.Error{Code: engine.CodeDeadlineExceeded, Field: "timeout_seconds",
				Message: fmt.Sprintf("%s did not finish within %s", op, timeout()), Err: err,
				Fix: "raise timeout_seconds (--timeout), or look at the last log lines for what it waited on"}
		}
		return toStatus(err)
	}
	if res == nil {
		res = &engine.Result{}
	}
	if res.Operation == "" {
		res.Operation = op
	}
	if res.Duration == 0 {
		res.Duration = time.Since(start)
	}
	send(&pb.Event{Kind: &pb.Event_Result{Result: pbResult(res)}})
	mu.Lock()
	closed = true
	mu.Unlock()
	return nil
}

func newOperationID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Cancel stops a running operation.
func (s *Service) Cancel(_ context.Context, r *pb.CancelRequest) (*pb.CancelResponse, error) {
	if err := engine.ValidateOperationID(r.GetOperationId()); err != nil {
		return nil, toStatus(err)
	}
	s.mu.Lock()
	cancel, ok := s.running[r.GetOperationId()]
	s.mu.Unlock()
	if ok {
		cancel(errCancelRPC)
	}
	return &pb.CancelResponse{Cancelled: ok}, nil
}

func (s *Service) BuildBaseImage(r *pb.BuildBaseImageRequest, st stream) error {
	o := buildBaseImageOptions(r)
	return s.run(st, engine.OpBuildBaseImage, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.BuildBaseImage(ctx, o, sink)
		})
}

func (s *Service) Containerize(r *pb.ContainerizeRequest, st stream) error {
	o := containerizeOptions(r)
	return s.run(st, engine.OpContainerize, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.Containerize(ctx, o, sink)
		})
}

func (s *Service) Checkpoint(r *pb.CheckpointRequest, st stream) error {
	o := checkpointOptions(r)
	return s.run(st, engine.OpCheckpoint, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			notePhase(sink, r.GetPhase())
			return s.engine.Checkpoint(ctx, o, sink)
		})
}

func (s *Service) Commit(r *pb.CommitRequest, st stream) error {
	o := commitOptions(r)
	return s.run(st, engine.OpCommit, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.Commit(ctx, o, sink)
		})
}

func (s *Service) Restore(r *pb.RestoreRequest, st stream) error {
	o, err := restoreOptions(r)
	validate := func() error {
		if err != nil {
			return err
		}
		return o.Validate()
	}
	return s.run(st, engine.OpRestore, &o, validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.Restore(ctx, o, sink)
		})
}

func (s *Service) CheckpointImage(r *pb.CheckpointImageRequest, st stream) error {
	o := checkpointImageOptions(r)
	return s.run(st, engine.OpCheckpointImage, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			notePhase(sink, r.GetPhase())
			return s.engine.CheckpointImage(ctx, o, sink)
		})
}

func (s *Service) Doctor(r *pb.DoctorRequest, st stream) error {
	o := doctorOptions(r)
	return s.run(st, engine.OpDoctor, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.Doctor(ctx, o, sink)
		})
}

func (s *Service) Prune(r *pb.PruneRequest, st stream) error {
	o := pruneOptions(r)
	return s.run(st, engine.OpPrune, &o, o.Validate, func() time.Duration { return o.Timeout },
		func(ctx context.Context, sink engine.Sink) (*engine.Result, error) {
			return s.engine.Prune(ctx, o, sink)
		})
}

// notePhase tells the user when an old phase name was mapped to a current one.
func notePhase(sink engine.Sink, requested string) {
	if _, note, err := engine.ParsePhase("phase", requested); err == nil && note != "" {
		sink.Warnf("%s", note)
	}
}
