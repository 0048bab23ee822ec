package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// JSON writes one event per line: the protojson form of the API's Event message, so the proto is
// the one schema of the stream (contract/EVENTS.md).
type JSON struct {
	mu sync.Mutex
	w  io.Writer
	// FrontEnd and Command spell an error's message and fix as the build tool that ran Command
	// spells settings, goals and switches (settings.FrontEnd.Rewrite).
	FrontEnd settings.FrontEnd
	Command  string
}

func (j *JSON) write(ev *pb.Event) {
	if ev == nil {
		return
	}
	b, err := protojson.Marshal(ev)
	if err != nil {
		return // an Event always marshals
	}
	// protojson varies its whitespace on purpose; a stream read by scripts and compared with a
	// golden file is compacted to one stable form.
	var line bytes.Buffer
	if err := json.Compact(&line, b); err != nil {
		return
	}
	line.WriteByte('\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	_, _ = j.w.Write(line.Bytes())
}

func (j *JSON) Start(op string) {
	j.write(&pb.Event{Kind: &pb.Event_Accepted{Accepted: &pb.Accepted{Operation: op, Schema: contract.EventSchema}}})
}

func (j *JSON) Event(ev engine.Event) { j.write(contract.EventProto(ev)) }

func (j *JSON) Result(r *engine.Result) { j.write(contract.ResultProto(r)) }

func (j *JSON) Error(err error, exitCode int) {
	e := engine.AsError(err)
	// Settings in the text are named by their keys (configDirectory), which the Maven and Gradle
	// users write, not by the API's field names (config_dir).
	f := &pb.Failure{Code: e.Code.String(), Message: settings.Spell(e.Detail(), settings.KeyOf), Field: e.Field,
		Fix: settings.Spell(e.Fix, settings.KeyOf), LogTail: e.LogTail, ExitCode: int32(exitCode)}
	if s, ok := settings.ByField(e.Field); ok {
		f.Setting, f.Flag = s.Key, s.Flag
	}
	if j.FrontEnd != "" {
		// The setting as the build tool's goal takes it, also when only the message names its flag.
		var failing *settings.Setting
		if s, ok := j.FrontEnd.Failing(j.Command, e.Field, f.Message); ok {
			failing, f.Setting = &s, s.Key
		}
		f.Message = j.FrontEnd.Rewrite(f.Message, j.Command, failing)
		f.Fix = j.FrontEnd.Rewrite(f.Fix, j.Command, failing)
	}
	j.write(&pb.Event{Kind: &pb.Event_Error{Error: f}})
}

// ReadEvents parses a JSON-lines event stream, as scripts and tests read the CLI's output.
func ReadEvents(r io.Reader) ([]*pb.Event, error) {
	var out []*pb.Event
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		ev := &pb.Event{}
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(sc.Bytes(), ev); err != nil {
			return out, fmt.Errorf("not an event line: %q: %w", sc.Text(), err)
		}
		out = append(out, ev)
	}
	return out, sc.Err()
}
