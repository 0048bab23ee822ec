package engine

import "time"

// Connection says which Podman service to use. An empty URI means Podman's own settings:
// $CONTAINER_HOST, else $CONTAINER_CONNECTION or the default connection of `podman system
// connection` (podman-connections.json, containers.conf), else the default socket, else a
// transient service the engine starts itself (on Linux).
type Connection struct {
	URI string
	// Identity is the ssh private key for an ssh:// service; empty: $CONTAINER_SSHKEY, the
	// connection's own identity, or ssh-agent.
	Identity string
}

// Defaults used when a request leaves a field empty.
const (
	DefaultBaseImage     = "open-liberty:beta-checkpoint-ubi"
	DefaultContextDir    = "beta-image"
	DefaultContainerfile = "Dockerfile.ubi.openjdk11"
	DefaultServerName    = "defaultServer"
	DefaultHostIP        = "127.0.0.1"
	// DefaultReadyLogLine is Liberty's "server is ready to run a smarter planet" message id.
	DefaultReadyLogLine = "CWWKF0011I"
	// MaxTimeout bounds every timeout a request may set.
	MaxTimeout = 24 * time.Hour
)

// Default timeouts per operation.
var DefaultTimeouts = map[string]time.Duration{
	OpBuildBaseImage:  30 * time.Minute,
	OpContainerize:    10 * time.Minute,
	OpCheckpoint:      10 * time.Minute,
	OpCommit:          5 * time.Minute,
	OpRestore:         2 * time.Minute,
	OpCheckpointImage: 20 * time.Minute,
	OpDoctor:          5 * time.Minute,
	OpKube:            DefaultKubeTimeout,
	OpPrune:           5 * time.Minute,
}

// BuildBaseImageOptions builds the InstantOn base image.
type BuildBaseImageOptions struct {
	Connection    Connection
	ContextDir    string // default DefaultContextDir
	Containerfile string // relative to ContextDir or absolute; default DefaultContainerfile
	Image         string // default DefaultBaseImage
	BuildArgs     map[string]string
	Labels        map[string]string
	Timeout       time.Duration
}

// ContainerizeOptions builds the application image.
type ContainerizeOptions struct {
	Connection    Connection
	BaseImage     string // default DefaultBaseImage
	AppArchive    string // .war/.ear/.rar/.jar/.eba; required unless Containerfile is set
	ServerXML     string // required unless ConfigDir holds server.xml or Containerfile is set
	ConfigDir     string // optional Liberty config dir copied to /config/
	ServerName    string // default DefaultServerName
	Containerfile string // the user's own Containerfile (its directory is the context)
	Image         string // required
	Labels        map[string]string
	Env           map[string]string
	Timeout       time.Duration
}

// CheckpointOptions runs the application image once with WLP_CHECKPOINT=Phase.
type CheckpointOptions struct {
	Connection     Connection
	Image          string // required
	Phase          Phase  // default DefaultPhase
	Env            map[string]string
	ContainerName  string // default: unique generated
	SeccompProfile string // default: unconfined
	Timeout        time.Duration
	Network        Network // default NetworkDefault
}

// CommitOptions turns a checkpointed container into the InstantOn image.
type CommitOptions struct {
	Connection    Connection
	Container     string // required
	Image         string // required
	Labels        map[string]string
	KeepContainer bool
	Timeout       time.Duration
}

// Port publishes a container port on the host.
type Port struct {
	ContainerPort uint16
	HostPort      uint16 // 0: a free port
	HostIP        string // default DefaultHostIP
	Protocol      string // tcp (default) or udp
}

// Readiness says when a restored server counts as ready. At most one field is set; when both are
// empty, Validate fills in the default.
type Readiness struct {
	HTTPURL string // absolute URL, or a path on the first published port
	LogLine string
}

// RestoreOptions runs an InstantOn image.
type RestoreOptions struct {
	Connection      Connection
	Image           string // required
	Ports           []Port
	Env             map[string]string
	Readiness       Readiness
	DisableRecovery bool // CRIU_RESTORE_DISABLE_RECOVERY=true: a failed restore is an error
	KeepRunning     bool
	ContainerName   string
	SeccompProfile  string
	Timeout         time.Duration
	// Memory is the container's memory limit as podman run --memory takes it ("" for none);
	// Validate fills in MemoryBytes.
	Memory      string
	MemoryBytes int64
	// Registry is for pulling Image when Podman's storage does not hold it.
	Registry Registry
	// Network is the container's network (default NetworkDefault); with NetworkHost nothing is
	// published and Ports only name the container ports, which are the host's.
	Network Network
}

// Method is how checkpoint-image takes the checkpoint.
type Method string

const (
	// MethodRunAndCommit runs the application image once with WLP_CHECKPOINT=<phase> and commits
	// the stopped container (works with any container engine that can run it).
	MethodRunAndCommit Method = "run-and-commit"
	// MethodBuild is Open Liberty's documented build flow: `RUN checkpoint.sh <phase>` as the last
	// step of the application image's build, given the checkpoint's capabilities (Podman only).
	MethodBuild Method = "build"
	// DefaultMethod is used when a request names none.
	DefaultMethod = MethodRunAndCommit
)

// CheckpointImageOptions is Containerize, Checkpoint and Commit in one call.
type CheckpointImageOptions struct {
	Connection     Connection
	BaseImage      string
	AppArchive     string
	ServerXML      string
	ConfigDir      string
	ServerName     string
	Containerfile  string
	Phase          Phase
	Method         Method // default DefaultMethod
	Image          string // the InstantOn image; required
	Labels         map[string]string
	Env            map[string]string
	KeepAppImage   bool // keep the application image, tagged AppImageRef(Image)
	SeccompProfile string
	Timeout        time.Duration
	// Push pushes Image to its registry once it is built, with Registry's settings.
	Push     bool
	Registry Registry
	// Network is the checkpoint run's network (default NetworkDefault).
	Network Network
}

// PushOptions returns the push step of the chain.
func (o CheckpointImageOptions) PushOptions() PushOptions {
	return PushOptions{Connection: o.Connection, Image: o.Image, Destination: o.Image, Registry: o.Registry, Timeout: o.Timeout}
}

// ContainerizeOptions returns the containerize step of the chain, building appImage.
func (o CheckpointImageOptions) ContainerizeOptions(appImage string) ContainerizeOptions {
	return ContainerizeOptions{
		Connection: o.Connection, BaseImage: o.BaseImage, AppArchive: o.AppArchive, ServerXML: o.ServerXML,
		ConfigDir: o.ConfigDir, ServerName: o.ServerName, Containerfile: o.Containerfile, Image: appImage,
		Env: o.Env, Timeout: o.Timeout,
	}
}

// CheckpointOptions returns the checkpoint step of the chain, run on appImage.
func (o CheckpointImageOptions) CheckpointOptions(appImage string) CheckpointOptions {
	return CheckpointOptions{Connection: o.Connection, Image: appImage, Phase: o.Phase,
		SeccompProfile: o.SeccompProfile, Timeout: o.Timeout, Network: o.Network}
}

// CommitOptions returns the commit step of the chain for container.
func (o CheckpointImageOptions) CommitOptions(container string) CommitOptions {
	return CommitOptions{Connection: o.Connection, Container: container, Image: o.Image, Labels: o.Labels,
		Timeout: o.Timeout}
}

// DoctorOptions checks the host, the container engine and optionally an image.
type DoctorOptions struct {
	Connection Connection
	Image      string
	Timeout    time.Duration
	// Memory is the memory limit a restore of Image will get ("" for none), compared with the
	// memory the image recorded; Validate fills in MemoryBytes.
	Memory      string
	MemoryBytes int64
}

// PruneOptions removes what ended operations left behind.
type PruneOptions struct {
	Connection Connection
	Timeout    time.Duration
}
