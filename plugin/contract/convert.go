package contract

import (
	"fmt"
	"time"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func seconds(s uint32) time.Duration { return time.Duration(s) * time.Second }

func toSeconds(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	s := (d + time.Second - 1) / time.Second
	if s > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(s)
}

func conn(c *pb.Connection) engine.Connection {
	return engine.Connection{URI: c.GetUri(), Identity: c.GetIdentity()}
}

func pbConn(c engine.Connection) *pb.Connection {
	if c.URI == "" && c.Identity == "" {
		return nil
	}
	return &pb.Connection{Uri: c.URI, Identity: c.Identity}
}

// Requests to options (server side). Phases travel as strings so that the API accepts the old
// names; validation maps them. The requests' shared fields become the options' shared structs
// through the generated getters, once each.

// commonRequest is every request: the Podman service and the timeout.
type commonRequest interface {
	GetConnection() *pb.Connection
	GetTimeoutSeconds() uint32
}

func common(r commonRequest) engine.Common {
	return engine.Common{Connection: conn(r.GetConnection()), Timeout: seconds(r.GetTimeoutSeconds())}
}

// appRequest is a request that builds an application image (Containerize, CheckpointImage).
type appRequest interface {
	GetBaseImage() string
	GetAppArchive() string
	GetServerXml() string
	GetConfigDir() string
	GetServerName() string
	GetContainerfile() string
}

func appInputs(r appRequest) engine.AppInputs {
	return engine.AppInputs{BaseImage: r.GetBaseImage(), AppArchive: r.GetAppArchive(), ServerXML: r.GetServerXml(),
		ConfigDir: r.GetConfigDir(), ServerName: r.GetServerName(), Containerfile: r.GetContainerfile()}
}

// runRequest is a request that runs a container (Checkpoint, Restore).
type runRequest interface {
	GetEnv() map[string]string
	GetContainerName() string
	GetSeccompProfile() string
	GetNetwork() string
}

func runSettings(r runRequest) engine.RunSettings {
	return engine.RunSettings{Env: r.GetEnv(), ContainerName: r.GetContainerName(), SeccompProfile: r.GetSeccompProfile(),
		Network: engine.Network(r.GetNetwork())}
}

func buildBaseImageOptions(r *pb.BuildBaseImageRequest) engine.BuildBaseImageOptions {
	return engine.BuildBaseImageOptions{Common: common(r), ContextDir: r.GetContextDir(),
		Containerfile: r.GetContainerfile(), Image: r.GetImage(), BuildArgs: r.GetBuildArgs(), Labels: r.GetLabels()}
}

func containerizeOptions(r *pb.ContainerizeRequest) engine.ContainerizeOptions {
	return engine.ContainerizeOptions{Common: common(r), AppInputs: appInputs(r), Image: r.GetImage(),
		Labels: r.GetLabels(), Env: r.GetEnv()}
}

func checkpointOptions(r *pb.CheckpointRequest) engine.CheckpointOptions {
	return engine.CheckpointOptions{Common: common(r), Image: r.GetImage(), Phase: engine.Phase(r.GetPhase()),
		RunSettings: runSettings(r)}
}

func commitOptions(r *pb.CommitRequest) engine.CommitOptions {
	return engine.CommitOptions{Common: common(r), Container: r.GetContainer(), Image: r.GetImage(),
		Labels: r.GetLabels(), KeepContainer: r.GetKeepContainer()}
}

// restoreOptions converts a RestoreRequest; it fails only for port numbers out of range, which a
// uint16 cannot hold.
func restoreOptions(r *pb.RestoreRequest) (engine.RestoreOptions, error) {
	o := engine.RestoreOptions{Common: common(r), Image: r.GetImage(), RunSettings: runSettings(r),
		Readiness:       engine.Readiness{HTTPURL: r.GetReadiness().GetHttpUrl(), LogLine: r.GetReadiness().GetLogLine()},
		DisableRecovery: r.GetDisableRecovery(), KeepRunning: r.GetKeepRunning(),
		MemoryLimit: engine.MemoryLimit{Memory: r.GetMemory()}, Registry: registry(r.GetRegistry())}
	for i, p := range r.GetPorts() {
		if p.GetContainerPort() > 65535 {
			return o, engine.Invalid(portField(i, "container_port"), "use a port number from 1 to 65535", "%d is not a port number", p.GetContainerPort())
		}
		if p.GetHostPort() > 65535 {
			return o, engine.Invalid(portField(i, "host_port"), "use a port number from 1 to 65535, or 0 for a free port", "%d is not a port number", p.GetHostPort())
		}
		o.Ports = append(o.Ports, engine.Port{ContainerPort: uint16(p.GetContainerPort()), HostPort: uint16(p.GetHostPort()),
			HostIP: p.GetHostIp(), Protocol: p.GetProtocol()})
	}
	return o, nil
}

func portField(i int, name string) string { return fmt.Sprintf("ports[%d].%s", i, name) }

func checkpointImageOptions(r *pb.CheckpointImageRequest) engine.CheckpointImageOptions {
	return engine.CheckpointImageOptions{Common: common(r), AppInputs: appInputs(r), Phase: engine.Phase(r.GetPhase()),
		Image: r.GetImage(), Labels: r.GetLabels(), Env: r.GetEnv(), KeepAppImage: r.GetKeepAppImage(),
		SeccompProfile: r.GetSeccompProfile(), Method: engine.Method(r.GetMethod()),
		Push: r.GetPush(), Registry: registry(r.GetRegistry()), Network: engine.Network(r.GetNetwork())}
}

func doctorOptions(r *pb.DoctorRequest) engine.DoctorOptions {
	return engine.DoctorOptions{Common: common(r), Image: r.GetImage(), MemoryLimit: engine.MemoryLimit{Memory: r.GetMemory()}}
}

func pruneOptions(r *pb.PruneRequest) engine.PruneOptions {
	return engine.PruneOptions{Common: common(r)}
}

// Options to requests (client side).

func buildBaseImageRequest(o engine.BuildBaseImageOptions) *pb.BuildBaseImageRequest {
	return &pb.BuildBaseImageRequest{Connection: pbConn(o.Connection), ContextDir: o.ContextDir,
		Containerfile: o.Containerfile, Image: o.Image, BuildArgs: o.BuildArgs, Labels: o.Labels,
		TimeoutSeconds: toSeconds(o.Timeout)}
}

func containerizeRequest(o engine.ContainerizeOptions) *pb.ContainerizeRequest {
	return &pb.ContainerizeRequest{Connection: pbConn(o.Connection), BaseImage: o.BaseImage, AppArchive: o.AppArchive,
		ServerXml: o.ServerXML, ConfigDir: o.ConfigDir, ServerName: o.ServerName, Containerfile: o.Containerfile,
		Image: o.Image, Labels: o.Labels, Env: o.Env, TimeoutSeconds: toSeconds(o.Timeout)}
}

func checkpointRequest(o engine.CheckpointOptions) *pb.CheckpointRequest {
	return &pb.CheckpointRequest{Connection: pbConn(o.Connection), Image: o.Image, Phase: string(o.Phase), Env: o.Env,
		ContainerName: o.ContainerName, SeccompProfile: o.SeccompProfile, TimeoutSeconds: toSeconds(o.Timeout),
		Network: string(o.Network)}
}

func commitRequest(o engine.CommitOptions) *pb.CommitRequest {
	return &pb.CommitRequest{Connection: pbConn(o.Connection), Container: o.Container, Image: o.Image,
		Labels: o.Labels, KeepContainer: o.KeepContainer, TimeoutSeconds: toSeconds(o.Timeout)}
}

func restoreRequest(o engine.RestoreOptions) *pb.RestoreRequest {
	r := &pb.RestoreRequest{Connection: pbConn(o.Connection), Image: o.Image, Env: o.Env,
		DisableRecovery: o.DisableRecovery, KeepRunning: o.KeepRunning, ContainerName: o.ContainerName,
		SeccompProfile: o.SeccompProfile, TimeoutSeconds: toSeconds(o.Timeout),
		Memory: o.Memory, Registry: pbRegistry(o.Registry), Network: string(o.Network)}
	for _, p := range o.Ports {
		r.Ports = append(r.Ports, &pb.Port{ContainerPort: uint32(p.ContainerPort), HostPort: uint32(p.HostPort),
			HostIp: p.HostIP, Protocol: p.Protocol})
	}
	switch {
	case o.Readiness.HTTPURL != "":
		r.Readiness = &pb.Readiness{Probe: &pb.Readiness_HttpUrl{HttpUrl: o.Readiness.HTTPURL}}
	case o.Readiness.LogLine != "":
		r.Readiness = &pb.Readiness{Probe: &pb.Readiness_LogLine{LogLine: o.Readiness.LogLine}}
	}
	return r
}

func checkpointImageRequest(o engine.CheckpointImageOptions) *pb.CheckpointImageRequest {
	return &pb.CheckpointImageRequest{Connection: pbConn(o.Connection), BaseImage: o.BaseImage, AppArchive: o.AppArchive,
		ServerXml: o.ServerXML, ConfigDir: o.ConfigDir, ServerName: o.ServerName, Containerfile: o.Containerfile,
		Phase: string(o.Phase), Image: o.Image, Labels: o.Labels, Env: o.Env, KeepAppImage: o.KeepAppImage,
		SeccompProfile: o.SeccompProfile, Method: string(o.Method), TimeoutSeconds: toSeconds(o.Timeout),
		Push: o.Push, Registry: pbRegistry(o.Registry), Network: string(o.Network)}
}

func doctorRequest(o engine.DoctorOptions) *pb.DoctorRequest {
	return &pb.DoctorRequest{Connection: pbConn(o.Connection), Image: o.Image, TimeoutSeconds: toSeconds(o.Timeout), Memory: o.Memory}
}

func pruneRequest(o engine.PruneOptions) *pb.PruneRequest {
	return &pb.PruneRequest{Connection: pbConn(o.Connection), TimeoutSeconds: toSeconds(o.Timeout)}
}

// Events and results.

// EventSchema is the version of the event schema that Accepted carries: 2 since the CLI's JSON
// lines became the protojson form of Event (contract/EVENTS.md).
const EventSchema = 2

// EventProto is the API's form of an engine event (nil for an empty one): what the gRPC stream
// carries and the CLI prints as a JSON line.
func EventProto(ev engine.Event) *pb.Event { return pbEvent(ev) }

// ResultProto is the Result event of an operation's result.
func ResultProto(r *engine.Result) *pb.Event {
	return &pb.Event{Kind: &pb.Event_Result{Result: pbResult(r)}}
}

func pbEvent(ev engine.Event) *pb.Event {
	out := &pb.Event{ElapsedMs: ev.Elapsed.Milliseconds()}
	switch {
	case ev.Log != nil:
		out.Kind = &pb.Event_Log{Log: &pb.Log{Source: pb.Log_Source(ev.Log.Source), Level: pb.Log_Level(ev.Log.Level), Line: ev.Log.Line}}
	case ev.Progress != nil:
		p := ev.Progress
		out.Kind = &pb.Event_Progress{Progress: &pb.Progress{Step: uint32(p.Step), TotalSteps: uint32(p.Total), Name: p.Name,
			State: pb.Progress_State(p.State), DurationMs: p.Duration.Milliseconds(), Detail: p.Detail}}
	case ev.Check != nil:
		c := ev.Check
		out.Kind = &pb.Event_Check{Check: &pb.Check{Id: c.ID, Status: pb.Check_Status(c.Status), Found: c.Found, Fix: c.Fix}}
	default:
		return nil
	}
	return out
}

func engineEvent(ev *pb.Event) (engine.Event, bool) {
	out := engine.Event{Elapsed: time.Duration(ev.GetElapsedMs()) * time.Millisecond}
	switch k := ev.GetKind().(type) {
	case *pb.Event_Log:
		out.Log = &engine.Log{Source: engine.Source(k.Log.GetSource()), Level: engine.Level(k.Log.GetLevel()), Line: k.Log.GetLine()}
	case *pb.Event_Progress:
		p := k.Progress
		out.Progress = &engine.Progress{Step: int(p.GetStep()), Total: int(p.GetTotalSteps()), Name: p.GetName(),
			State: engine.StepState(p.GetState()), Duration: time.Duration(p.GetDurationMs()) * time.Millisecond, Detail: p.GetDetail()}
	case *pb.Event_Check:
		c := k.Check
		out.Check = &engine.Check{ID: c.GetId(), Status: engine.CheckStatus(c.GetStatus()), Found: c.GetFound(), Fix: c.GetFix()}
	default:
		return out, false
	}
	return out, true
}

func pbResult(r *engine.Result) *pb.Result {
	out := &pb.Result{Operation: r.Operation, Image: r.Image, ImageId: r.ImageID, ImageSizeBytes: r.ImageSize,
		ContainerId: r.ContainerID, ContainerName: r.ContainerName, Phase: string(r.Phase),
		CheckpointSizeBytes: r.CheckpointSize, DurationMs: r.Duration.Milliseconds(),
		ImageDigest: r.ImageDigest, PushedTo: r.PushedTo}
	for _, t := range r.Timings {
		out.Timings = append(out.Timings, &pb.Timing{Name: t.Name, Ms: t.Duration.Milliseconds()})
	}
	if ro := r.Restore; ro != nil {
		out.Restore = &pb.RestoreOutcome{Verdict: pb.RestoreOutcome_Verdict(ro.Verdict), ReadyMs: ro.Ready.Milliseconds(),
			Evidence: ro.Evidence, Url: ro.URL, HttpStatus: int32(ro.HTTPStatus)}
		if p := ro.Process; p != nil {
			out.Restore.ServerProcess = &pb.ServerProcess{Pid: int32(p.PID), StartedMs: unixMs(p.Started),
				ContainerCreatedMs: unixMs(p.ContainerCreated), CapEff: p.CapEff, NoNewPrivs: p.NoNewPrivs, Seccomp: int32(p.Seccomp)}
		}
		if len(ro.Published) > 0 {
			out.Restore.Published = map[uint32]string{}
			for k, v := range ro.Published {
				out.Restore.Published[k] = v
			}
		}
	}
	if d := r.Doctor; d != nil {
		out.Doctor = &pb.DoctorSummary{Ok: int32(d.OK), Warn: int32(d.Warn), Fail: int32(d.Fail), Skip: int32(d.Skip)}
	}
	out.Kube = pbKubeOutcome(r.Kube)
	if p := r.Prune; p != nil {
		out.Prune = &pb.PruneSummary{Containers: p.Containers, Images: p.Images, Volumes: p.Volumes,
			Directories: p.Directories, Processes: int32(p.Processes), InUse: int32(p.InUse)}
	}
	return out
}

func engineResult(r *pb.Result) *engine.Result {
	out := &engine.Result{Operation: r.GetOperation(), Image: r.GetImage(), ImageID: r.GetImageId(),
		ImageSize: r.GetImageSizeBytes(), ContainerID: r.GetContainerId(), ContainerName: r.GetContainerName(),
		Phase: engine.Phase(r.GetPhase()), CheckpointSize: r.GetCheckpointSizeBytes(),
		Duration:    time.Duration(r.GetDurationMs()) * time.Millisecond,
		ImageDigest: r.GetImageDigest(), PushedTo: r.GetPushedTo()}
	for _, t := range r.GetTimings() {
		out.AddTiming(t.GetName(), time.Duration(t.GetMs())*time.Millisecond)
	}
	if ro := r.GetRestore(); ro != nil {
		out.Restore = &engine.RestoreOutcome{Verdict: engine.Verdict(ro.GetVerdict()),
			Ready: time.Duration(ro.GetReadyMs()) * time.Millisecond, Evidence: ro.GetEvidence(), URL: ro.GetUrl(),
			HTTPStatus: int(ro.GetHttpStatus()), Published: ro.GetPublished()}
		if p := ro.GetServerProcess(); p != nil {
			out.Restore.Process = &engine.ServerProcess{PID: int(p.GetPid()), Started: fromUnixMs(p.GetStartedMs()),
				ContainerCreated: fromUnixMs(p.GetContainerCreatedMs()), CapEff: p.GetCapEff(), NoNewPrivs: p.GetNoNewPrivs(), Seccomp: int(p.GetSeccomp())}
		}
	}
	if d := r.GetDoctor(); d != nil {
		out.Doctor = &engine.DoctorSummary{OK: int(d.GetOk()), Warn: int(d.GetWarn()), Fail: int(d.GetFail()), Skip: int(d.GetSkip())}
	}
	out.Kube = engineKubeOutcome(r.GetKube())
	if p := r.GetPrune(); p != nil {
		out.Prune = &engine.PruneSummary{Containers: p.GetContainers(), Images: p.GetImages(), Volumes: p.GetVolumes(),
			Directories: p.GetDirectories(), Processes: int(p.GetProcesses()), InUse: int(p.GetInUse())}
	}
	return out
}

// unixMs is t in Unix milliseconds, 0 for the zero time.
func unixMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromUnixMs is the time of Unix milliseconds ms, the zero time for 0.
func fromUnixMs(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
