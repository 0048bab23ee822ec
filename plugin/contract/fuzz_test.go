package contract

import (
	"reflect"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// FuzzRestoreRequest: a Restore request off the wire (ports as uint32, host IP, protocol,
// readiness, environment, timeout) is converted and validated without panicking; a refusal
// names its field and keeps it, with its fix, through the gRPC status; what is accepted travels
// back through the client's request unchanged.
func FuzzRestoreRequest(f *testing.F) {
	f.Add("localhost/app:1", uint32(9080), uint32(0), "", "", "", "", "A", "1", uint32(0))
	f.Add("localhost/app:1", uint32(0), uint32(8080), "localhost:1", "sctp", "/health", "", "1BAD", "x", uint32(100000))
	f.Add("localhost/app:1", uint32(70000), uint32(65536), "::1", "UDP", "ftp://x/", "CWWKF0011I", "WLP_CHECKPOINT", "x", uint32(60))
	f.Add("", uint32(9443), uint32(9443), "0.0.0.0", "tcp", "http://127.0.0.1:9080/", "", "K", " v", uint32(86400))
	f.Add("localhost/app:1", uint32(9080), uint32(8080), "127.0.0.1", "TCP", "/", "ready", "K", "v\n", uint32(1))
	f.Fuzz(func(t *testing.T, image string, containerPort, hostPort uint32, hostIP, protocol, httpURL, logLine, envK, envV string, timeout uint32) {
		r := &pb.RestoreRequest{Image: image, Env: map[string]string{envK: envV}, TimeoutSeconds: timeout,
			Ports: []*pb.Port{{ContainerPort: containerPort, HostPort: hostPort, HostIp: hostIP, Protocol: protocol}}}
		switch {
		case httpURL != "":
			r.Readiness = &pb.Readiness{Probe: &pb.Readiness_HttpUrl{HttpUrl: httpURL}}
		case logLine != "":
			r.Readiness = &pb.Readiness{Probe: &pb.Readiness_LogLine{LogLine: logLine}}
		}
		if _, err := proto.Marshal(r); err != nil {
			return // not a request a client can send (strings must be UTF-8)
		}
		o, err := restoreOptions(r)
		if err == nil {
			err = o.Validate()
		}
		if err != nil {
			e := engine.AsError(err)
			if e.Field == "" || e.Fix == "" || e.Code != engine.CodeInvalidArgument {
				t.Fatalf("a refusal names the field and the fix: %#v", e)
			}
			back := engine.AsError(fromStatus(toStatus(err)))
			if back.Code != e.Code || back.Field != e.Field || back.Fix != e.Fix || back.Message != e.Detail() {
				t.Fatalf("the refusal changed on the wire:\n%#v\n%#v", e, back)
			}
			return
		}
		sent := restoreRequest(o)
		wire, err := proto.Marshal(sent)
		if err != nil {
			t.Fatalf("an accepted request does not marshal: %v", err)
		}
		var got pb.RestoreRequest
		if err := proto.Unmarshal(wire, &got); err != nil {
			t.Fatal(err)
		}
		o2, err := restoreOptions(&got)
		if err == nil {
			err = o2.Validate()
		}
		if err != nil || !reflect.DeepEqual(o, o2) {
			t.Fatalf("an accepted request changed on its way through the client (%v):\n%+v\n%+v", err, o, o2)
		}
	})
}

// FuzzTimeoutSeconds: a timeout travels as whole seconds, rounded up, so the server never gives
// an operation less time than the caller asked for, and no more than a second extra.
func FuzzTimeoutSeconds(f *testing.F) {
	for _, d := range []time.Duration{0, -1, 1, time.Millisecond, 999 * time.Millisecond, time.Second, 90 * time.Second,
		engine.MaxTimeout, engine.MaxTimeout + 1, 1<<63 - 1, -1 << 63} {
		f.Add(int64(d))
	}
	f.Fuzz(func(t *testing.T, n int64) {
		d := time.Duration(n)
		s := toSeconds(d)
		back := seconds(s)
		switch {
		case d <= 0:
			if s != 0 {
				t.Fatalf("%s travels as %d seconds, want 0 (the default)", d, s)
			}
		case d <= engine.MaxTimeout:
			if back < d || back-d >= time.Second {
				t.Fatalf("%s travels as %d seconds (%s)", d, s, back)
			}
		default:
			if back <= engine.MaxTimeout {
				t.Fatalf("%s travels as %s, which validation would accept", d, back)
			}
		}
	})
}
