package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// podmanCLI is a Runtime on the podman command line, for the real-host tests; the plugin's
// Runtime uses the Podman bindings.
type podmanCLI struct {
	env []string // extra environment, e.g. CONTAINERS_CONF=...
}

var _ Runtime = podmanCLI{}

func (p podmanCLI) podman(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "podman", args...)
	cmd.Env = append(cmd.Environ(), p.env...)
	cmd.Stdin = stdin
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("podman %s: %w: %s", args[0], err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

func (p podmanCLI) Info(ctx context.Context) (*EngineInfo, error) {
	out, err := p.podman(ctx, nil, "info", "--format", "json")
	if err != nil {
		return nil, err
	}
	var raw struct {
		Host struct {
			Arch, Kernel, CgroupManager, CgroupVersion string
			OCIRuntime                                 struct{ Name, Version string }
			Security                                   struct {
				Rootless                                        bool
				SELinuxEnabled, AppArmorEnabled, SECCOMPEnabled bool
				SECCOMPProfilePath                              string
			}
		}
		Version struct{ Version, APIVersion string }
		Store   struct {
			GraphDriverName string
			GraphOptions    map[string]any
		}
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		return nil, err
	}
	h := raw.Host
	return &EngineInfo{
		Version: raw.Version.Version, APIVersion: raw.Version.APIVersion, Rootless: h.Security.Rootless,
		OCIRuntime: h.OCIRuntime.Name, OCIRuntimeVersion: h.OCIRuntime.Version,
		CgroupVersion: h.CgroupVersion, CgroupManager: h.CgroupManager, Kernel: h.Kernel, Arch: h.Arch,
		SELinux: h.Security.SELinuxEnabled, AppArmor: h.Security.AppArmorEnabled,
		Seccomp: h.Security.SECCOMPEnabled, SeccompProfile: h.Security.SECCOMPProfilePath,
		StorageDriver: raw.Store.GraphDriverName, StorageMountProgram: MountProgram(raw.Store.GraphOptions),
	}, nil
}

func (p podmanCLI) Image(ctx context.Context, ref string) (*ImageInfo, error) {
	if _, err := p.podman(ctx, nil, "image", "exists", ref); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 1 {
			return nil, engine.Errorf(engine.CodeNotFound, "image", "", "image %s not found", ref)
		}
		return nil, err
	}
	out, err := p.podman(ctx, nil, "image", "inspect", "--format", "json", ref)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		ID           string `json:"Id"`
		Architecture string
		Os           string
		Labels       map[string]string
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil || len(raw) != 1 {
		return nil, fmt.Errorf("image inspect %s: %v (%d results)", ref, err, len(raw))
	}
	return &ImageInfo{ID: raw[0].ID, Arch: raw[0].Architecture, OS: raw[0].Os, Labels: raw[0].Labels}, nil
}

func (p podmanCLI) Run(ctx context.Context, spec RunSpec) (*RunResult, error) {
	entry, _ := json.Marshal(spec.Command)
	args := []string{"create", "--pull", "never", "--name", spec.Name, "--entrypoint", string(entry)}
	if spec.User != "" {
		args = append(args, "--user", spec.User)
	}
	for _, c := range spec.CapDrop {
		args = append(args, "--cap-drop", c)
	}
	for _, c := range spec.CapAdd {
		args = append(args, "--cap-add", c)
	}
	if spec.SeccompUnconfined {
		args = append(args, "--security-opt", "seccomp=unconfined")
	}
	if spec.NoNetwork {
		args = append(args, "--network", "none")
	}
	keys := make([]string, 0, len(spec.Env))
	for k := range spec.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--env", k+"="+spec.Env[k])
	}
	args = append(args, spec.Image)
	if _, err := p.podman(ctx, nil, args...); err != nil {
		return nil, err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = p.podman(rctx, nil, "rm", "--force", "--time", "0", spec.Name)
	}()
	if spec.CopyIn != nil {
		if _, err := p.podman(ctx, spec.CopyIn, "cp", "-", spec.Name+":/"); err != nil {
			return nil, err
		}
	}
	if _, err := p.podman(ctx, nil, "start", spec.Name); err != nil {
		return nil, err
	}
	code, err := p.podman(ctx, nil, "wait", spec.Name)
	if err != nil {
		return nil, err
	}
	// Both streams, as containers.Logs gives them.
	cmd := exec.CommandContext(ctx, "podman", "logs", spec.Name)
	cmd.Env = append(cmd.Environ(), p.env...)
	logs, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("podman logs: %w: %s", err, logs)
	}
	var exit int
	if _, err := fmt.Sscan(strings.TrimSpace(code), &exit); err != nil {
		return nil, fmt.Errorf("podman wait: %q: %w", code, err)
	}
	return &RunResult{ExitCode: exit, Output: string(logs)}, nil
}

func (p podmanCLI) ImportImage(ctx context.Context, ref string, rootfs io.Reader) error {
	_, err := p.podman(ctx, rootfs, "import", "--quiet", "-", ref)
	return err
}

func (p podmanCLI) RemoveImage(ctx context.Context, ref string) error {
	_, err := p.podman(ctx, nil, "rmi", "--force", "--ignore", ref)
	return err
}
