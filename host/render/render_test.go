package render

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// script is a checkpoint-image run and a restore, covering every event type, used for the
// golden files that the Maven and Gradle shims' parsers read too.
func script(r Renderer) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	r.Start(engine.OpCheckpointImage)
	r.Event(engine.Event{Elapsed: ms(1), Progress: &engine.Progress{Step: 1, Total: 3, Name: "containerize", State: engine.StepStarted}})
	r.Event(engine.Event{Elapsed: ms(40), Log: &engine.Log{Source: engine.SourceBuild, Level: engine.LevelInfo, Line: "STEP 1/4: FROM localhost/open-liberty:local-checkpoint"}})
	r.Event(engine.Event{Elapsed: ms(41), Log: &engine.Log{Source: engine.SourceBuild, Level: engine.LevelDebug, Line: "--> 3f2a1b"}})
	r.Event(engine.Event{Elapsed: ms(2300), Progress: &engine.Progress{Step: 1, Total: 3, Name: "containerize", State: engine.StepDone, Duration: ms(2299), Detail: "sha256:3f2a1b"}})
	r.Event(engine.Event{Elapsed: ms(2301), Progress: &engine.Progress{Step: 2, Total: 3, Name: "checkpoint", State: engine.StepStarted}})
	r.Event(engine.Event{Elapsed: ms(5000), Log: &engine.Log{Source: engine.SourceContainer, Level: engine.LevelInfo, Line: `[AUDIT   ] CWWKC0451I: A server checkpoint "afterAppStart" was requested.`}})
	r.Event(engine.Event{Elapsed: ms(5100), Log: &engine.Log{Source: engine.SourceTool, Level: engine.LevelWarn, Line: `phase "applications" is the old name of afterAppStart; using afterAppStart`}})
	r.Event(engine.Event{Elapsed: ms(9000), Progress: &engine.Progress{Step: 2, Total: 3, Name: "checkpoint", State: engine.StepDone, Duration: ms(6699)}})
	r.Event(engine.Event{Elapsed: ms(9001), Progress: &engine.Progress{Step: 3, Total: 3, Name: "commit", State: engine.StepStarted}})
	r.Event(engine.Event{Elapsed: ms(9800), Progress: &engine.Progress{Step: 3, Total: 3, Name: "commit", State: engine.StepDone, Duration: ms(799)}})
	r.Result(&engine.Result{Operation: engine.OpCheckpointImage, Image: "localhost/sample:1.0-instanton", ImageID: "sha256:9c8b7a6d5e4f",
		ImageSize: 412_345_678, Phase: engine.AfterAppStart, CheckpointSize: 58_000_000, Duration: ms(9800),
		Timings: []engine.Timing{{Name: "containerize", Duration: ms(2299)}, {Name: "checkpoint", Duration: ms(6699)}, {Name: "commit", Duration: ms(799)}}})
	r.Start(engine.OpRestore)
	r.Result(&engine.Result{Operation: engine.OpRestore, Image: "localhost/sample:1.0-instanton", Duration: ms(700),
		Restore: &engine.RestoreOutcome{Verdict: engine.Restored, Ready: ms(612), URL: "http://127.0.0.1:40123/sample/hello", HTTPStatus: 200,
			Evidence:  "[AUDIT   ] CWWKC0452I: The Liberty server process resumed operation from a checkpoint in 0.251 seconds.",
			Published: map[uint32]string{9080: "127.0.0.1:40123"},
			Process: &engine.ServerProcess{PID: 1007, Started: time.UnixMilli(1796079260415), ContainerCreated: time.UnixMilli(1796079267235),
				CapEff: "0000000000000000", NoNewPrivs: true, Seccomp: 2}}})
	r.Start(engine.OpDoctor)
	r.Event(engine.Event{Elapsed: ms(3), Check: &engine.Check{ID: "kernel.version", Status: engine.CheckOK, Found: "Linux 6.18.44"}})
	r.Event(engine.Event{Elapsed: ms(90), Check: &engine.Check{ID: "podman.runtime", Status: engine.CheckFail, Found: "crun 1.8.1 on hybrid cgroups",
		Fix: `set runtime = "runc" in /etc/containers/containers.conf`}})
	r.Result(&engine.Result{Operation: engine.OpDoctor, Doctor: &engine.DoctorSummary{OK: 1, Fail: 1}, Duration: ms(95)})
	r.Start(engine.OpCheckpointImage)
	r.Error(&engine.Error{Code: engine.CodeNotFound, Field: "app_archive", Message: "/src/target/sample.war does not exist",
		Fix: "build the application first (mvn package / gradle war) or correct the path"}, 2)
	r.Start(engine.OpCheckpoint)
	r.Error(&engine.Error{Code: engine.CodeFailedPrecondition, Message: "criu dump failed (exit 1)",
		Fix: "run liberty-checkpoint doctor --image localhost/sample:1.0", LogTail: []string{"Error (criu/vdso.c:123): Unexpected rt vDSO area bounds"}}, 1)
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got), "%s is stale: UPDATE_GOLDEN=1 go test ./host/render", path)
}

// The JSON lines are the protojson form of the proto's Event: every golden line reads back into
// an Event with no field left over, and the first line of each stream carries the schema.
func TestJSONGolden(t *testing.T) {
	var b bytes.Buffer
	script(New("json", &b, true))
	golden(t, "../../contract/events.jsonl", b.Bytes())
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		ev := &pb.Event{}
		require.NoError(t, protojson.Unmarshal([]byte(line), ev), line)
		require.NotNil(t, ev.GetKind(), "every line is one kind of event: %s", line)
		if a := ev.GetAccepted(); a != nil {
			assert.EqualValues(t, 2, a.GetSchema(), line)
		}
	}
	lines := strings.Count(b.String(), "\n")
	events, err := ReadEvents(&b)
	require.NoError(t, err)
	assert.Len(t, events, lines)
}

func TestTextGolden(t *testing.T) {
	var b bytes.Buffer
	script(New("text", &b, false))
	golden(t, "testdata/events.txt", b.Bytes())
	assert.NotContains(t, b.String(), "--> 3f2a1b", "debug lines only with --verbose")
	b.Reset()
	script(New("text", &b, true))
	assert.Contains(t, b.String(), "--> 3f2a1b")
}

func TestErrorNamesCLIFlag(t *testing.T) {
	var b bytes.Buffer
	New("json", &b, false).Error(&engine.Error{Code: engine.CodeInvalidArgument, Field: "ports[1].host_port", Message: "bad"}, 2)
	events, err := ReadEvents(&b)
	require.NoError(t, err)
	assert.Equal(t, "ports", events[0].GetError().GetSetting())
	assert.Equal(t, "--publish", events[0].GetError().GetFlag())
	b.Reset()
	New("json", &b, false).Error(errors.New("plain"), 1)
	events, err = ReadEvents(&b)
	require.NoError(t, err)
	assert.Equal(t, "Unknown", events[0].GetError().GetCode())
}

// An error names settings the way the user wrote them: the CLI's flags in text, the keys (which
// Maven and Gradle users write) in JSON; never the API's field names.
func TestErrorsSpellSettingsForTheirReader(t *testing.T) {
	err := &engine.Error{Code: engine.CodeDeadlineExceeded, Field: "timeout_seconds",
		Message: "containerize did not finish within 10m0s", Fix: "raise timeout_seconds, or set config_dir to a smaller directory"}
	var text bytes.Buffer
	New("text", &text, false).Error(err, 1)
	assert.Contains(t, text.String(), "setting: --timeout\n")
	assert.Contains(t, text.String(), "fix: raise --timeout, or set --config-directory to a smaller directory")
	assert.NotContains(t, text.String(), "timeout_seconds")

	var js bytes.Buffer
	New("json", &js, false).Error(err, 1)
	events, rerr := ReadEvents(&js)
	require.NoError(t, rerr)
	f := events[0].GetError()
	assert.Equal(t, "raise timeout, or set configDirectory to a smaller directory", f.GetFix())
	assert.Equal(t, "timeout_seconds", f.GetField(), "the API field stays available as field")
	assert.Equal(t, "timeout", f.GetSetting())
}
