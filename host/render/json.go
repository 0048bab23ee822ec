package render

import (
	"encoding/json"
	"io"
	"strconv"
	"sync"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// SchemaVersion is the version of the JSON-lines event format. It changes only when a field
// changes meaning or goes away; new fields may appear at any time.
const SchemaVersion = 1

// JSON writes one JSON object per line (see EVENTS.md).
type JSON struct {
	mu sync.Mutex
	w  io.Writer
}

type jsonStart struct {
	Type      string `json:"type"`
	Schema    int    `json:"schema"`
	Operation string `json:"operation"`
}

type jsonLog struct {
	Type      string `json:"type"`
	ElapsedMs int64  `json:"elapsedMs"`
	Source    string `json:"source"`
	Level     string `json:"level"`
	Line      string `json:"line"`
}

type jsonProgress struct {
	Type       string `json:"type"`
	ElapsedMs  int64  `json:"elapsedMs"`
	Step       int    `json:"step"`
	TotalSteps int    `json:"totalSteps"`
	Name       string `json:"name"`
	State      string `json:"state"`
	DurationMs int64  `json:"durationMs,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

type jsonCheck struct {
	Type      string `json:"type"`
	ElapsedMs int64  `json:"elapsedMs"`
	ID        string `json:"id"`
	Status    string `json:"status"`
	Found     string `json:"found"`
	Fix       string `json:"fix,omitempty"`
}

type jsonTiming struct {
	Name string `json:"name"`
	Ms   int64  `json:"ms"`
}

type jsonRestore struct {
	Verdict    string            `json:"verdict"`
	ReadyMs    int64             `json:"readyMs"`
	Evidence   string            `json:"evidence,omitempty"`
	URL        string            `json:"url,omitempty"`
	HTTPStatus int               `json:"httpStatus,omitempty"`
	Published  map[string]string `json:"published,omitempty"`
}

type jsonDoctor struct {
	OK   int `json:"ok"`
	Warn int `json:"warn"`
	Fail int `json:"fail"`
	Skip int `json:"skip"`
}

type jsonResult struct {
	Type                string       `json:"type"`
	Operation           string       `json:"operation"`
	Image               string       `json:"image,omitempty"`
	ImageID             string       `json:"imageId,omitempty"`
	ImageSizeBytes      int64        `json:"imageSizeBytes,omitempty"`
	ContainerID         string       `json:"containerId,omitempty"`
	ContainerName       string       `json:"containerName,omitempty"`
	Phase               string       `json:"phase,omitempty"`
	CheckpointSizeBytes int64        `json:"checkpointSizeBytes,omitempty"`
	Timings             []jsonTiming `json:"timings,omitempty"`
	Restore             *jsonRestore `json:"restore,omitempty"`
	Doctor              *jsonDoctor  `json:"doctor,omitempty"`
	Prune               *jsonPrune   `json:"prune,omitempty"`
	DurationMs          int64        `json:"durationMs"`
}

type jsonPrune struct {
	Containers  []string `json:"containers,omitempty"`
	Images      []string `json:"images,omitempty"`
	Volumes     []string `json:"volumes,omitempty"`
	Directories []string `json:"directories,omitempty"`
	Processes   int      `json:"processes,omitempty"`
	InUse       int      `json:"inUse,omitempty"`
}

type jsonError struct {
	Type     string   `json:"type"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Field    string   `json:"field,omitempty"`
	Setting  string   `json:"setting,omitempty"`
	Flag     string   `json:"flag,omitempty"`
	Fix      string   `json:"fix,omitempty"`
	LogTail  []string `json:"logTail,omitempty"`
	ExitCode int      `json:"exitCode"`
}

func (j *JSON) write(v any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	enc := json.NewEncoder(j.w) // one line per value, with <, > and & left as they are
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func (j *JSON) Start(op string) {
	j.write(jsonStart{Type: "start", Schema: SchemaVersion, Operation: op})
}

func (j *JSON) Event(ev engine.Event) {
	ms := ev.Elapsed.Milliseconds()
	switch {
	case ev.Log != nil:
		j.write(jsonLog{Type: "log", ElapsedMs: ms, Source: ev.Log.Source.String(), Level: ev.Log.Level.String(), Line: ev.Log.Line})
	case ev.Progress != nil:
		p := ev.Progress
		j.write(jsonProgress{Type: "progress", ElapsedMs: ms, Step: p.Step, TotalSteps: p.Total, Name: p.Name,
			State: p.State.String(), DurationMs: p.Duration.Milliseconds(), Detail: p.Detail})
	case ev.Check != nil:
		c := ev.Check
		j.write(jsonCheck{Type: "check", ElapsedMs: ms, ID: c.ID, Status: c.Status.String(), Found: c.Found, Fix: c.Fix})
	}
}

func (j *JSON) Result(r *engine.Result) {
	out := jsonResult{Type: "result", Operation: r.Operation, Image: r.Image, ImageID: r.ImageID,
		ImageSizeBytes: r.ImageSize, ContainerID: r.ContainerID, ContainerName: r.ContainerName, Phase: string(r.Phase),
		CheckpointSizeBytes: r.CheckpointSize, DurationMs: r.Duration.Milliseconds()}
	for _, t := range r.Timings {
		out.Timings = append(out.Timings, jsonTiming{Name: t.Name, Ms: t.Duration.Milliseconds()})
	}
	if ro := r.Restore; ro != nil {
		out.Restore = &jsonRestore{Verdict: ro.Verdict.String(), ReadyMs: ro.Ready.Milliseconds(), Evidence: ro.Evidence,
			URL: ro.URL, HTTPStatus: ro.HTTPStatus}
		if len(ro.Published) > 0 {
			out.Restore.Published = map[string]string{}
			for k, v := range ro.Published {
				out.Restore.Published[strconv.Itoa(int(k))] = v
			}
		}
	}
	if d := r.Doctor; d != nil {
		out.Doctor = &jsonDoctor{OK: d.OK, Warn: d.Warn, Fail: d.Fail, Skip: d.Skip}
	}
	if p := r.Prune; p != nil {
		out.Prune = &jsonPrune{Containers: p.Containers, Images: p.Images, Volumes: p.Volumes, Directories: p.Directories,
			Processes: p.Processes, InUse: p.InUse}
	}
	j.write(out)
}

func (j *JSON) Error(err error, exitCode int) {
	e := engine.AsError(err)
	// Settings in the text are named by their keys (configDirectory), which the Maven and Gradle
	// users write, not by the API's field names (config_dir).
	out := jsonError{Type: "error", Code: e.Code.String(), Message: settings.Spell(e.Detail(), settings.KeyOf), Field: e.Field,
		Fix: settings.Spell(e.Fix, settings.KeyOf), LogTail: e.LogTail, ExitCode: exitCode}
	if s, ok := settings.ByField(e.Field); ok {
		out.Setting, out.Flag = s.Key, s.Flag
	}
	j.write(out)
}
