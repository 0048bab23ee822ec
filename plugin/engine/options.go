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

// Common is what every operation takes: the Podman service to use and how long the operation may
// take. Validate checks the connection and fills in the operation's default timeout.
type Common struct {
	Connection Connection
	Timeout    time.Duration // 0: DefaultTimeouts[op]; at most MaxTimeout
}

// AppInputs is what an application image is built from: the application archive and its Liberty
// configuration on a base image, or the user's own Containerfile. Validate fills in the defaults,
// makes the paths absolute and checks the files.
type AppInputs struct {
	BaseImage     string // default DefaultBaseImage
	AppArchive    string // .war/.ear/.rar/.jar/.eba; required unless Containerfile is set
	ServerXML     string // required unless ConfigDir holds server.xml or Containerfile is set
	ConfigDir     string // optional Liberty config dir copied to /config/
	ServerName    string // default DefaultServerName
	Containerfile string // the user's own Containerfile (its directory is the context)
}

// RunSettings are the settings of a container the engine runs from an image.
type RunSettings struct {
	Env            map[string]string
	ContainerName  string // default: unique generated
	SeccompProfile string // a profile file, "unconfined", or "" for the step's default (internal/privilege)
	// Network is the container's network (default NetworkDefault); a restore with NetworkHost
	// publishes nothing, its Ports only name the container ports, which are the host's.
	Network Network
}

// MemoryLimit is a container's memory limit as podman run --memory takes it ("" for none);
// Validate fills in MemoryBytes.
type MemoryLimit struct {
	Memory      string
	MemoryBytes int64
}

// BuildBaseImageOptions builds the InstantOn base image.
type BuildBaseImageOptions struct {
	Common
	ContextDir    string // default DefaultContextDir
	Containerfile string // relative to ContextDir or absolute; default DefaultContainerfile
	Image         string // default DefaultBaseImage
	BuildArgs     map[string]string
	Labels        map[string]string
}

// ContainerizeOptions builds the application image.
type ContainerizeOptions struct {
	Common
	AppInputs
	Image  string // required
	Labels map[string]string
	Env    map[string]string
}

// CheckpointOptions runs the application image once with WLP_CHECKPOINT=Phase.
type CheckpointOptions struct {
	Common
	Image string // required
	Phase Phase  // default DefaultPhase
	RunSettings
}

// CommitOptions turns a checkpointed container into the InstantOn image.
type CommitOptions struct {
	Common
	Container     string // required
	Image         string // required
	Labels        map[string]string
	KeepContainer bool
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
	Common
	Image           string // required
	Ports           []Port
	Readiness       Readiness
	DisableRecovery bool // CRIU_RESTORE_DISABLE_RECOVERY=true: a failed restore is an error
	KeepRunning     bool
	RunSettings
	MemoryLimit
	// Registry is for pulling Image when Podman's storage does not hold it.
	Registry Registry
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
	Common
	AppInputs
	Phase          Phase
	Method         Method // default DefaultMethod
	Image          string // the InstantOn image; required
	Labels         map[string]string
	Env            map[string]string // the application image's environment (Containerize's Env)
	KeepAppImage   bool              // keep the application image, tagged AppImageRef(Image)
	SeccompProfile string            // the checkpoint run's (RunSettings.SeccompProfile)
	Network        Network           // the checkpoint run's (RunSettings.Network)
	// Push pushes Image to its registry once it is built, with Registry's settings.
	Push     bool
	Registry Registry
}

// PushOptions returns the push step of the chain.
func (o CheckpointImageOptions) PushOptions() PushOptions {
	return PushOptions{Common: o.Common, Image: o.Image, Destination: o.Image, Registry: o.Registry}
}

// ContainerizeOptions returns the containerize step of the chain, building appImage.
func (o CheckpointImageOptions) ContainerizeOptions(appImage string) ContainerizeOptions {
	return ContainerizeOptions{Common: o.Common, AppInputs: o.AppInputs, Image: appImage, Env: o.Env}
}

// CheckpointOptions returns the checkpoint step of the chain, run on appImage.
func (o CheckpointImageOptions) CheckpointOptions(appImage string) CheckpointOptions {
	return CheckpointOptions{Common: o.Common, Image: appImage, Phase: o.Phase,
		RunSettings: RunSettings{SeccompProfile: o.SeccompProfile, Network: o.Network}}
}

// CommitOptions returns the commit step of the chain for container.
func (o CheckpointImageOptions) CommitOptions(container string) CommitOptions {
	return CommitOptions{Common: o.Common, Container: container, Image: o.Image, Labels: o.Labels}
}

// DoctorOptions checks the host, the container engine and optionally an image.
type DoctorOptions struct {
	Common
	Image string
	// MemoryLimit is the memory limit a restore of Image will get ("" for none), compared with
	// the memory the image recorded.
	MemoryLimit
}

// PruneOptions removes what ended operations left behind.
type PruneOptions struct {
	Common
}
