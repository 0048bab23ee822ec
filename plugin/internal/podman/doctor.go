package podman

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/containers/podman/v4/pkg/bindings/containers"
	"github.com/containers/podman/v4/pkg/bindings/images"
	"github.com/containers/podman/v4/pkg/bindings/system"
	"github.com/containers/podman/v4/pkg/specgen"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/doctor"
)

// Doctor runs the doctor checks (package doctor) against this engine's Podman service. When the
// service cannot be reached the host checks still run and the podman check fails with the fix.
func (e *Engine) Doctor(ctx context.Context, o engine.DoctorOptions, sink engine.Sink) (*engine.Result, error) {
	ctx = withOperation(ctx)
	tctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var rt doctor.Runtime
	runCtx := tctx
	c, err := e.connect(tctx, o.Connection, sink)
	if err != nil {
		if tctx.Err() != nil {
			return nil, classify(ctx, tctx, engine.OpDoctor, o.Timeout, err)
		}
		rt = unreachable{err}
	} else {
		defer c.close(sink)
		rt, runCtx = doctorRuntime{c}, c.ctx
		autoPrune(c.ctx, sink)
	}
	res, err := doctor.New(rt).Run(runCtx, o, sink)
	if err != nil {
		return nil, classify(ctx, tctx, engine.OpDoctor, o.Timeout, err)
	}
	return res, nil
}

// doctorRuntime is doctor's view of the Podman service through the bindings. Every ctx it gets
// carries the bindings connection (c.ctx or a context derived from it).
type doctorRuntime struct{ c *conn }

var _ doctor.Runtime = doctorRuntime{}

func (r doctorRuntime) Info(ctx context.Context) (*doctor.EngineInfo, error) {
	info, err := system.Info(ctx, nil)
	if err != nil {
		return nil, failed(err, engine.CodeUnavailable, "check the Podman service's log; podman info on the Podman host shows the same", "podman info failed")
	}
	out := &doctor.EngineInfo{
		Version: info.Version.Version, APIVersion: info.Version.APIVersion,
		Rootless:      info.Host.Security.Rootless,
		CgroupVersion: info.Host.CgroupsVersion, CgroupManager: info.Host.CgroupManager,
		Kernel: info.Host.Kernel, Arch: info.Host.Arch,
		SELinux: info.Host.Security.SELinuxEnabled, AppArmor: info.Host.Security.AppArmorEnabled,
		Seccomp: info.Host.Security.SECCOMPEnabled, SeccompProfile: info.Host.Security.SECCOMPProfilePath,
		Service: r.c.describe(), Remote: !r.c.local,
	}
	out.CgroupControllers = info.Host.CgroupControllers
	for _, m := range info.Host.IDMappings.UIDMap {
		out.UIDMapSize += uint64(m.Size)
	}
	for _, m := range info.Host.IDMappings.GIDMap {
		out.GIDMapSize += uint64(m.Size)
	}
	out.Slirp4netns = info.Host.Slirp4NetNS.Executable
	if info.Store != nil {
		out.StorageDriver = info.Store.GraphDriverName
		out.StorageMountProgram = doctor.MountProgram(info.Store.GraphOptions)
	}
	if rt := info.Host.OCIRuntime; rt != nil {
		out.OCIRuntime, out.OCIRuntimeVersion = rt.Name, rt.Version
	}
	return out, nil
}

func (doctorRuntime) Image(ctx context.Context, ref string) (*doctor.ImageInfo, error) {
	img, err := inspectImage(ctx, ref, "image", "check the image name (podman images lists them)")
	if err != nil {
		return nil, err
	}
	return &doctor.ImageInfo{ID: img.ID, Arch: img.Architecture, OS: img.Os, Labels: img.Labels}, nil
}

// Run runs a throwaway probe container to its end and always removes it.
func (doctorRuntime) Run(ctx context.Context, spec doctor.RunSpec) (*doctor.RunResult, error) {
	s := specgen.NewSpecGenerator(spec.Image, false)
	s.Name = spec.Name
	s.Entrypoint = append([]string(nil), spec.Command...) // an entrypoint set here drops the image's CMD
	s.User = spec.User
	s.CapDrop = append([]string(nil), spec.CapDrop...)
	s.CapAdd = append([]string(nil), spec.CapAdd...)
	s.Env = maps.Clone(spec.Env)
	if spec.SeccompUnconfined {
		s.SeccompProfilePath = "unconfined"
	}
	if spec.NoNetwork {
		s.NetNS = specgen.Namespace{NSMode: specgen.NoNetwork}
	}
	s.Labels = containerLabels(ctx, spec.Name, engine.OpDoctor, "")
	resp, err := containers.CreateWithSpec(ctx, s, nil)
	if err != nil {
		return nil, failed(err, engine.CodeFailedPrecondition, "", "cannot create container %s from %s", spec.Name, spec.Image)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		_ = removeContainer(rctx, resp.ID, 0)
	}()
	if spec.CopyIn != nil {
		copyFn, err := containers.CopyFromArchive(ctx, resp.ID, "/", spec.CopyIn)
		if err == nil {
			err = copyFn()
		}
		if err != nil {
			return nil, fmt.Errorf("copy into container %s: %w", spec.Name, err)
		}
	}
	if err := containers.Start(ctx, resp.ID, nil); err != nil {
		return nil, fmt.Errorf("start container %s: %w", spec.Name, err)
	}
	code, err := waitExit(ctx, resp.ID)
	if err != nil {
		return nil, err
	}
	lines, err := readLogs(ctx, resp.ID)
	if err != nil {
		return nil, err
	}
	return &doctor.RunResult{ExitCode: int(code), Output: strings.Join(lines, "\n")}, nil
}

func (doctorRuntime) ImportImage(ctx context.Context, ref string, rootfs io.Reader) error {
	var changes []string
	for k, v := range imageLabels(ctx, ref, engine.OpDoctor) {
		changes = append(changes, "LABEL "+k+"="+v)
	}
	_, err := images.Import(ctx, rootfs, new(images.ImportOptions).WithReference(ref).WithChanges(changes))
	return err
}

func (doctorRuntime) RemoveImage(ctx context.Context, ref string) error { return removeImage(ctx, ref) }

// unreachable is the Runtime of a Podman service the engine could not connect to: every method
// returns the connection error, whose fix doctor shows.
type unreachable struct{ err error }

func (u unreachable) Info(context.Context) (*doctor.EngineInfo, error)         { return nil, u.err }
func (u unreachable) Image(context.Context, string) (*doctor.ImageInfo, error) { return nil, u.err }
func (u unreachable) Run(context.Context, doctor.RunSpec) (*doctor.RunResult, error) {
	return nil, u.err
}
func (u unreachable) ImportImage(context.Context, string, io.Reader) error { return u.err }
func (u unreachable) RemoveImage(context.Context, string) error            { return u.err }
