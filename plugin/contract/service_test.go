package contract

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// serve starts the service over an in-memory connection and returns a raw client.
func serve(t *testing.T, e engine.Engine) (pb.LibertyCheckpointClient, *grpc.ClientConn) {
	t.Helper()
	l := bufconn.Listen(1 << 20)
	s := grpc.NewServer()
	Register(s, e, nil)
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return l.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return pb.NewLibertyCheckpointClient(conn), conn
}

// files writes an app archive, a server.xml, a config dir and a few bad files.
type files struct{ dir, war, xml, badXML, notServer, txt, configDir, emptyConfig, seccomp string }

func fixtures(t *testing.T) files {
	d := t.TempDir()
	f := files{dir: d, war: filepath.Join(d, "app.war"), xml: filepath.Join(d, "server.xml"),
		badXML: filepath.Join(d, "broken.xml"), notServer: filepath.Join(d, "pom.xml"), txt: filepath.Join(d, "notes.txt"),
		configDir: filepath.Join(d, "config"), emptyConfig: filepath.Join(d, "empty"), seccomp: filepath.Join(d, "seccomp.json")}
	write := func(p, s string) { require.NoError(t, os.WriteFile(p, []byte(s), 0o644)) }
	write(f.war, "PK")
	write(f.xml, `<?xml version="1.0"?><server description="x"><featureManager/></server>`)
	write(f.badXML, `<server><featureManager></server>`)
	write(f.notServer, `<project/>`)
	write(f.txt, "hello")
	write(f.seccomp, "not json")
	require.NoError(t, os.MkdirAll(f.configDir, 0o755))
	require.NoError(t, os.MkdirAll(f.emptyConfig, 0o755))
	write(filepath.Join(f.configDir, "server.xml"), `<server/>`)
	return f
}

// firstError drains a stream and returns its error.
func firstError(st grpc.ServerStreamingClient[pb.Event], err error) error {
	if err != nil {
		return err
	}
	for {
		if _, err := st.Recv(); err != nil {
			return err
		}
	}
}

func TestValidation(t *testing.T) {
	f := fixtures(t)
	client, _ := serve(t, &enginetest.Fake{})
	ctx := context.Background()
	okCI := func(mod func(r *pb.CheckpointImageRequest)) *pb.CheckpointImageRequest {
		r := &pb.CheckpointImageRequest{AppArchive: f.war, ServerXml: f.xml, Image: "localhost/app:1"}
		mod(r)
		return r
	}
	restore := func(mod func(r *pb.RestoreRequest)) *pb.RestoreRequest {
		r := &pb.RestoreRequest{Image: "localhost/app:1", Ports: []*pb.Port{{ContainerPort: 9080}}}
		mod(r)
		return r
	}
	ci := func(r *pb.CheckpointImageRequest) func() error {
		return func() error { return firstError(client.CheckpointImage(ctx, r)) }
	}
	rs := func(r *pb.RestoreRequest) func() error {
		return func() error { return firstError(client.Restore(ctx, r)) }
	}

	cases := []struct {
		name  string
		call  func() error
		code  codes.Code
		field string
		in    string // text the message must contain
	}{
		{"empty image", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Image = "" })), codes.InvalidArgument, "image", "no image"},
		{"uppercase image", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Image = "localhost/MyApp:1" })), codes.InvalidArgument, "image", "lowercase"},
		{"image with digest", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Image = "localhost/app@sha256:" + strings.Repeat("a", 64) })), codes.InvalidArgument, "image", "digest"},
		{"image replaces base", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Image = engine.DefaultBaseImage })), codes.InvalidArgument, "image", "base image"},
		{"malformed base image", ci(okCI(func(r *pb.CheckpointImageRequest) { r.BaseImage = "open liberty" })), codes.InvalidArgument, "base_image", "whitespace"},
		{"no app archive", ci(okCI(func(r *pb.CheckpointImageRequest) { r.AppArchive = "" })), codes.InvalidArgument, "app_archive", "no application archive"},
		{"missing app archive", ci(okCI(func(r *pb.CheckpointImageRequest) { r.AppArchive = filepath.Join(f.dir, "nope.war") })), codes.NotFound, "app_archive", "does not exist"},
		{"app archive not an archive", ci(okCI(func(r *pb.CheckpointImageRequest) { r.AppArchive = f.txt })), codes.InvalidArgument, "app_archive", "not an application archive"},
		{"app archive is a directory", ci(okCI(func(r *pb.CheckpointImageRequest) { r.AppArchive = f.configDir })), codes.InvalidArgument, "app_archive", "directory"},
		{"no server.xml", ci(okCI(func(r *pb.CheckpointImageRequest) { r.ServerXml = "" })), codes.InvalidArgument, "server_xml", "no server.xml"},
		{"config dir without server.xml", ci(okCI(func(r *pb.CheckpointImageRequest) { r.ServerXml, r.ConfigDir = "", f.emptyConfig })), codes.InvalidArgument, "server_xml", "no server.xml"},
		{"missing server.xml", ci(okCI(func(r *pb.CheckpointImageRequest) { r.ServerXml = filepath.Join(f.dir, "x.xml") })), codes.NotFound, "server_xml", "does not exist"},
		{"broken server.xml", ci(okCI(func(r *pb.CheckpointImageRequest) { r.ServerXml = f.badXML })), codes.InvalidArgument, "server_xml", "not well-formed"},
		{"server.xml of something else", ci(okCI(func(r *pb.CheckpointImageRequest) { r.ServerXml = f.notServer })), codes.InvalidArgument, "server_xml", "<project>"},
		{"missing config dir", ci(okCI(func(r *pb.CheckpointImageRequest) { r.ConfigDir = filepath.Join(f.dir, "nodir") })), codes.NotFound, "config_dir", "does not exist"},
		{"bad server name", ci(okCI(func(r *pb.CheckpointImageRequest) { r.ServerName = "my server" })), codes.InvalidArgument, "server_name", "not a Liberty server name"},
		{"features phase", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Phase = "features" })), codes.InvalidArgument, "phase", "no longer supported"},
		{"unknown phase", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Phase = "afterStart" })), codes.InvalidArgument, "phase", "unknown checkpoint phase"},
		{"unknown method", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Method = "commit" })), codes.InvalidArgument, "method", "run-and-commit (the default) or build"},
		{"bad env name", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Env = map[string]string{"1BAD": "x"} })), codes.InvalidArgument, `env["1BAD"]`, "invalid name"},
		{"env sets WLP_CHECKPOINT", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Env = map[string]string{"WLP_CHECKPOINT": "x"} })), codes.InvalidArgument, `env["WLP_CHECKPOINT"]`, "managed by the tool"},
		{"bad label", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Labels = map[string]string{"a b": "x"} })), codes.InvalidArgument, `labels["a b"]`, "invalid label"},
		{"missing containerfile", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Containerfile = filepath.Join(f.dir, "Containerfile") })), codes.NotFound, "containerfile", "does not exist"},
		{"seccomp not json", ci(okCI(func(r *pb.CheckpointImageRequest) { r.SeccompProfile = f.seccomp })), codes.InvalidArgument, "seccomp_profile", "not JSON"},
		{"bad connection uri", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Connection = &pb.Connection{Uri: "http://localhost:8080"} })), codes.InvalidArgument, "connection.uri", "unsupported scheme"},
		{"relative socket", ci(okCI(func(r *pb.CheckpointImageRequest) { r.Connection = &pb.Connection{Uri: "unix://run/podman.sock"} })), codes.InvalidArgument, "connection.uri", "not absolute"},
		{"timeout too long", ci(okCI(func(r *pb.CheckpointImageRequest) { r.TimeoutSeconds = 100000 })), codes.InvalidArgument, "timeout_seconds", "longer than"},
		{"container port 0", rs(restore(func(r *pb.RestoreRequest) { r.Ports[0].ContainerPort = 0 })), codes.InvalidArgument, "ports[0].container_port", "not a port"},
		{"container port too big", rs(restore(func(r *pb.RestoreRequest) { r.Ports[0].ContainerPort = 70000 })), codes.InvalidArgument, "ports[0].container_port", "70000"},
		{"host port too big", rs(restore(func(r *pb.RestoreRequest) { r.Ports[0].HostPort = 65536 })), codes.InvalidArgument, "ports[0].host_port", "65536"},
		{"duplicate host port", rs(restore(func(r *pb.RestoreRequest) {
			r.Ports = []*pb.Port{{ContainerPort: 9080, HostPort: 8080}, {ContainerPort: 9443, HostPort: 8080}}
		})), codes.InvalidArgument, "ports[1].host_port", "already published"},
		{"bad host ip", rs(restore(func(r *pb.RestoreRequest) { r.Ports[0].HostIp = "localhost:1" })), codes.InvalidArgument, "ports[0].host_ip", "not an IP"},
		{"bad protocol", rs(restore(func(r *pb.RestoreRequest) { r.Ports[0].Protocol = "sctp" })), codes.InvalidArgument, "ports[0].protocol", "unknown protocol"},
		{"ready path without port", rs(restore(func(r *pb.RestoreRequest) {
			r.Ports = nil
			r.Readiness = &pb.Readiness{Probe: &pb.Readiness_HttpUrl{HttpUrl: "/health"}}
		})), codes.InvalidArgument, "readiness.http_url", "published port"},
		{"ready url not http", rs(restore(func(r *pb.RestoreRequest) {
			r.Readiness = &pb.Readiness{Probe: &pb.Readiness_HttpUrl{HttpUrl: "ftp://x/"}}
		})), codes.InvalidArgument, "readiness.http_url", "not an HTTP URL"},
		{"restore without image", rs(restore(func(r *pb.RestoreRequest) { r.Image = "" })), codes.InvalidArgument, "image", "no image"},
		{"bad container name", rs(restore(func(r *pb.RestoreRequest) { r.ContainerName = "-x" })), codes.InvalidArgument, "container_name", "not a valid container name"},
		{"checkpoint bad phase", func() error {
			return firstError(client.Checkpoint(ctx, &pb.CheckpointRequest{Image: "localhost/app:1", Phase: "bogus"}))
		}, codes.InvalidArgument, "phase", "unknown"},
		{"commit without container", func() error {
			return firstError(client.Commit(ctx, &pb.CommitRequest{Image: "localhost/app:1-instanton"}))
		}, codes.InvalidArgument, "container", "no container"},
		{"containerize missing archive", func() error {
			return firstError(client.Containerize(ctx, &pb.ContainerizeRequest{AppArchive: "/nonexistent/app.war", ServerXml: f.xml, Image: "localhost/a:1"}))
		}, codes.NotFound, "app_archive", "does not exist"},
		{"base image context missing", func() error {
			return firstError(client.BuildBaseImage(ctx, &pb.BuildBaseImageRequest{ContextDir: filepath.Join(f.dir, "nope")}))
		}, codes.NotFound, "context_dir", "does not exist"},
		{"base image containerfile missing", func() error {
			return firstError(client.BuildBaseImage(ctx, &pb.BuildBaseImageRequest{ContextDir: f.dir, Containerfile: "Nope"}))
		}, codes.NotFound, "containerfile", "does not exist"},
		{"bad build arg", func() error {
			return firstError(client.BuildBaseImage(ctx, &pb.BuildBaseImageRequest{ContextDir: f.dir, Containerfile: f.txt, BuildArgs: map[string]string{"A-B": "1"}}))
		}, codes.InvalidArgument, `build_args["A-B"]`, "invalid name"},
		{"doctor bad image", func() error {
			return firstError(client.Doctor(ctx, &pb.DoctorRequest{Image: "UPPER"}))
		}, codes.InvalidArgument, "image", "lowercase"},
		{"cancel without id", func() error {
			_, err := client.Cancel(ctx, &pb.CancelRequest{})
			return err
		}, codes.InvalidArgument, "operation_id", "no operation id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			st, ok := status.FromError(err)
			require.True(t, ok, "want a gRPC status, got %v", err)
			assert.Equal(t, tc.code, st.Code(), st.Message())
			assert.Contains(t, st.Message(), tc.in)
			assert.True(t, strings.HasPrefix(st.Message(), tc.field+": "), "message %q should start with the field", st.Message())
			info := errorInfo(st)
			require.NotNil(t, info, "no ErrorInfo detail")
			assert.Equal(t, tc.field, info.GetMetadata()["field"])
			assert.NotEmpty(t, info.GetMetadata()["fix"], "every validation error says how to fix it")
		})
	}
	assert.GreaterOrEqual(t, len(cases), 15)
}

func errorInfo(st *status.Status) *errdetails.ErrorInfo {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info
		}
	}
	return nil
}

func TestValidRequestReachesEngineNormalized(t *testing.T) {
	f := fixtures(t)
	fake := &enginetest.Fake{}
	client, _ := serve(t, fake)
	events, err := collect(client.CheckpointImage(context.Background(), &pb.CheckpointImageRequest{
		ConfigDir: f.configDir, AppArchive: f.war, Image: "localhost/app:1", Phase: "deployment"}))
	require.NoError(t, err)
	calls := fake.Calls()
	require.Len(t, calls, 1)
	o := calls[0].Options.(engine.CheckpointImageOptions)
	assert.Equal(t, engine.BeforeAppStart, o.Phase, "old phase name mapped")
	assert.Equal(t, engine.MethodRunAndCommit, o.Method, "the default method")
	assert.Equal(t, filepath.Join(f.configDir, "server.xml"), o.ServerXML, "server.xml taken from the config dir")
	assert.Equal(t, engine.DefaultBaseImage, o.BaseImage)
	assert.Equal(t, engine.DefaultServerName, o.ServerName)
	assert.Equal(t, engine.DefaultTimeouts[engine.OpCheckpointImage], o.Timeout)
	// The mapping is announced, and the stream has the documented shape.
	assert.NotNil(t, events[0].GetAccepted(), "first event is Accepted")
	assert.NotNil(t, events[len(events)-1].GetResult(), "last event is the Result")
	var warned bool
	for _, ev := range events {
		if l := ev.GetLog(); l != nil && l.GetLevel() == pb.Log_LEVEL_WARN && strings.Contains(l.GetLine(), "old name") {
			warned = true
		}
	}
	assert.True(t, warned, "a warning says deployment is the old name of beforeAppStart")
}

func collect(st grpc.ServerStreamingClient[pb.Event], err error) ([]*pb.Event, error) {
	if err != nil {
		return nil, err
	}
	var out []*pb.Event
	for {
		ev, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestStreamingThroughClientAdapter(t *testing.T) {
	fake := &enginetest.Fake{StepDelay: 10 * time.Millisecond}
	_, conn := serve(t, fake)
	c := NewClient(conn)
	var rec enginetest.Recorder
	res, err := c.Restore(context.Background(), engine.RestoreOptions{Image: "localhost/app:1",
		Ports: []engine.Port{{ContainerPort: 9080, HostPort: 8080}}, KeepRunning: true}, rec.Sink())
	require.NoError(t, err)
	events := rec.Snapshot()
	enginetest.CheckEventContract(t, events)
	assert.Len(t, events, 5, "2 steps x start/done + one container log line")
	assert.Equal(t, engine.Restored, res.Restore.Verdict)
	assert.Equal(t, "127.0.0.1:8080", res.Restore.Published[9080])
	assert.Equal(t, "/", res.Restore.URL, "default readiness is / on the first port")
	assert.NotEmpty(t, res.ContainerName)
	for i := 1; i < len(events); i++ {
		assert.GreaterOrEqual(t, events[i].Elapsed, events[i-1].Elapsed, "elapsed time never goes back")
	}
}

func TestErrorDetailsSurviveTheWire(t *testing.T) {
	fake := &enginetest.Fake{Errors: map[string]error{engine.OpCheckpoint: &engine.Error{
		Code: engine.CodeFailedPrecondition, Message: "criu dump failed", Fix: "use a newer criu",
		LogTail: []string{"Error (criu/vdso.c:123): Unexpected rt vDSO area bounds", "Dumping FAILED."}}}}
	_, conn := serve(t, fake)
	_, err := NewClient(conn).Checkpoint(context.Background(), engine.CheckpointOptions{Image: "localhost/app:1"}, nil)
	var e *engine.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, engine.CodeFailedPrecondition, e.Code)
	assert.Equal(t, "criu dump failed", e.Message)
	assert.Equal(t, "use a newer criu", e.Fix)
	assert.Equal(t, []string{"Error (criu/vdso.c:123): Unexpected rt vDSO area bounds", "Dumping FAILED."}, e.LogTail)
}

// Cancelling the caller's context goes through Cancel: the engine sees it, its clean-up events
// still arrive, and the call returns only after the clean-up.
func TestCancelReachesEngineAndWaitsForCleanup(t *testing.T) {
	var cleaned atomic.Bool
	fake := &enginetest.Fake{StepDelay: time.Minute, OnCancel: func(string) {
		time.Sleep(200 * time.Millisecond)
		cleaned.Store(true)
	}}
	_, conn := serve(t, fake)
	ctx, cancel := context.WithCancel(context.Background())
	var rec enginetest.Recorder
	sink := rec.Sink()
	start := time.Now()
	f := fixtures(t)
	_, err := NewClient(conn).CheckpointImage(ctx, engine.CheckpointImageOptions{Image: "localhost/app:1", AppInputs: engine.AppInputs{AppArchive: f.war, ServerXML: f.xml}}, func(ev engine.Event) {
		sink(ev)
		if ev.Progress != nil {
			cancel()
		}
	})
	assert.True(t, engine.IsCanceled(err), "got %v", err)
	assert.True(t, cleaned.Load(), "the call returned before the engine's clean-up finished")
	assert.Less(t, time.Since(start), 30*time.Second)
	var sawCleanup bool
	for _, ev := range rec.Snapshot() {
		if ev.Log != nil && strings.Contains(ev.Log.Line, "removing fake container") {
			sawCleanup = true
		}
	}
	assert.True(t, sawCleanup, "clean-up log lines are streamed after the cancel")
}

// A client that just drops the stream (grpcurl, Ctrl-C) cancels the operation too.
func TestDroppedStreamCancelsEngine(t *testing.T) {
	cancelled := make(chan string, 1)
	fake := &enginetest.Fake{StepDelay: time.Minute, OnCancel: func(op string) { cancelled <- op }}
	client, _ := serve(t, fake)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := client.Checkpoint(ctx, &pb.CheckpointRequest{Image: "localhost/app:1"})
	require.NoError(t, err)
	_, err = st.Recv() // Accepted
	require.NoError(t, err)
	cancel()
	select {
	case op := <-cancelled:
		assert.Equal(t, engine.OpCheckpoint, op)
	case <-time.After(10 * time.Second):
		t.Fatal("the engine never saw the cancellation")
	}
}

func TestCancelRPC(t *testing.T) {
	fake := &enginetest.Fake{StepDelay: time.Minute}
	client, _ := serve(t, fake)
	st, err := client.Doctor(context.Background(), &pb.DoctorRequest{})
	require.NoError(t, err)
	first, err := st.Recv()
	require.NoError(t, err)
	id := first.GetAccepted().GetOperationId()
	require.NotEmpty(t, id)
	resp, err := client.Cancel(context.Background(), &pb.CancelRequest{OperationId: id})
	require.NoError(t, err)
	assert.True(t, resp.GetCancelled())
	_, err = collect(st, nil)
	assert.Equal(t, codes.Canceled, status.Code(err))
	resp, err = client.Cancel(context.Background(), &pb.CancelRequest{OperationId: id})
	require.NoError(t, err)
	assert.False(t, resp.GetCancelled(), "a finished operation cannot be cancelled")
}

func TestTimeoutIsDeadlineExceeded(t *testing.T) {
	client, _ := serve(t, &enginetest.Fake{StepDelay: time.Minute})
	_, err := collect(client.Doctor(context.Background(), &pb.DoctorRequest{TimeoutSeconds: 1}))
	st := status.Convert(err)
	assert.Equal(t, codes.DeadlineExceeded, st.Code(), st.Message())
	assert.Equal(t, "timeout_seconds", errorInfo(st).GetMetadata()["field"])
}

func TestDrainWaitsForRunningOperations(t *testing.T) {
	var done atomic.Bool
	fake := &enginetest.Fake{StepDelay: time.Minute, OnCancel: func(string) { time.Sleep(300 * time.Millisecond); done.Store(true) }}
	svc := NewService(fake, nil)
	l := bufconn.Listen(1 << 20)
	s := grpc.NewServer()
	registerService(s, svc)
	go func() { _ = s.Serve(l) }()
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return l.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	st, err := pb.NewLibertyCheckpointClient(conn).Checkpoint(context.Background(), &pb.CheckpointRequest{Image: "localhost/a:1"})
	require.NoError(t, err)
	_, err = st.Recv()
	require.NoError(t, err)
	s.Stop() // what go-plugin's Shutdown does
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, svc.Drain(ctx))
	assert.True(t, done.Load(), "Drain returned before the operation cleaned up")
}
