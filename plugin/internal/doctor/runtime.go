package doctor

import (
	"context"
	"io"
)

// Runtime is what doctor needs from the container engine. The Podman engine implements it with
// the Podman bindings; tests implement it on the podman CLI. Every method takes the caller's ctx
// and returns promptly when it is cancelled.
type Runtime interface {
	// Info describes the engine and the machine it runs on (system.Info). An error means the
	// engine cannot be reached; when it is an *engine.Error its Fix is shown to the user.
	Info(ctx context.Context) (*EngineInfo, error)

	// Image inspects a local image (images.GetImage). When the image does not exist it returns
	// an error for which engine.CodeOf is engine.CodeNotFound; it never pulls.
	Image(ctx context.Context, ref string) (*ImageInfo, error)

	// Run runs a throwaway container to completion and returns its exit code and output, and
	// always removes the container, also when ctx is cancelled (with a context of its own).
	// Steps, with the bindings: containers.CreateWithSpec, then containers.CopyFromArchive of
	// spec.CopyIn at "/", containers.Start, containers.Wait, containers.Logs (stdout and
	// stderr), containers.Remove (force). When the container cannot be created or started Run
	// returns an error whose text carries the OCI runtime's message (for example "error setting
	// rlimit type 7: operation not permitted"); doctor reads the cause from it.
	Run(ctx context.Context, spec RunSpec) (*RunResult, error)

	// ImportImage creates image ref from a root filesystem tarball (images.Import, like
	// `podman import - ref`). Doctor uses it for a probe image when it was given no image, and
	// removes the image again with RemoveImage.
	ImportImage(ctx context.Context, ref string, rootfs io.Reader) error

	// RemoveImage removes image ref (images.Remove, force); removing a missing image is not an
	// error.
	RemoveImage(ctx context.Context, ref string) error
}

// EngineInfo is the part of `podman info` doctor looks at.
type EngineInfo struct {
	// Service says where the engine was reached, e.g. unix:///run/podman/podman.sock, and how it
	// was found; optional.
	Service string
	// Remote is true when the engine's host is another machine (ssh://, tcp://, podman machine's
	// VM): this machine's files do not describe it, so doctor reads it in probe containers.
	Remote     bool
	Version    string // version.Version, e.g. 4.3.1
	APIVersion string // version.APIVersion
	Rootless   bool   // host.security.rootless
	// OCIRuntime is host.ociRuntime.name (runc, crun, ...); OCIRuntimeVersion is
	// host.ociRuntime.version, the runtime's own --version text ("runc version 1.1.5+ds1\n...").
	OCIRuntime, OCIRuntimeVersion string
	CgroupVersion                 string // host.cgroupVersion: v1 or v2
	CgroupManager                 string // host.cgroupManager: systemd or cgroupfs
	Kernel                        string // host.kernel: uname -r of the engine's machine
	Arch                          string // host.arch, Go spelling: amd64, arm64
	SELinux                       bool   // host.security.selinuxEnabled
	AppArmor                      bool   // host.security.apparmorEnabled
	Seccomp                       bool   // host.security.seccompEnabled
	SeccompProfile                string // host.security.seccompProfilePath
	// CgroupControllers is host.cgroupControllers: the controllers a container of this service
	// may use (for rootless Podman on cgroups v2, those delegated to the user).
	CgroupControllers []string
	// UIDMapSize and GIDMapSize count the ids of the service's user namespace
	// (host.idMappings; rootless only): 1 means no subordinate ids, only the user's own.
	UIDMapSize, GIDMapSize uint64
	// Slirp4netns is host.slirp4netns.executable: rootless networking's helper.
	Slirp4netns string
	// StorageDriver is store.graphDriverName (overlay, vfs, ...); StorageMountProgram is the
	// overlay mount program (fuse-overlayfs), empty for the kernel's own overlay.
	StorageDriver, StorageMountProgram string
}

// ImageInfo is the part of an image's inspect doctor looks at.
type ImageInfo struct {
	ID     string
	Arch   string // Architecture, Go spelling
	OS     string
	Labels map[string]string
}

// RunSpec describes a throwaway container.
type RunSpec struct {
	Name  string // container name, unique per call
	Image string
	// Command replaces the image's ENTRYPOINT and CMD: the entrypoint becomes Command and the
	// command is empty (specgen Entrypoint = Command, Command = nil).
	Command []string
	User    string   // e.g. "0"; empty: the image's USER
	CapDrop []string // e.g. ALL
	CapAdd  []string // e.g. CHECKPOINT_RESTORE (no CAP_ prefix)
	// SeccompUnconfined runs without a seccomp filter (specgen SeccompPolicy "", SeccompProfilePath
	// "unconfined"; CLI --security-opt seccomp=unconfined).
	SeccompUnconfined bool
	// NoNetwork gives the container only a loopback interface (specgen NetNS mode none).
	NoNetwork bool
	Env       map[string]string
	// CopyIn, if set, is a tar archive extracted at "/" in the container after it is created
	// and before it starts (containers.CopyFromArchive; CLI `podman cp - name:/`).
	CopyIn io.Reader
}

// RunResult is how a throwaway container ended.
type RunResult struct {
	ExitCode int
	Output   string // stdout and stderr
}

// MountProgram is the overlay mount program (fuse-overlayfs) that `podman info` names in
// store.graphOptions ("overlay.mount_program": {"Executable": ...}), or "".
func MountProgram(graphOptions map[string]any) string {
	mp, _ := graphOptions["overlay.mount_program"].(map[string]any)
	exe, _ := mp["Executable"].(string)
	return exe
}
