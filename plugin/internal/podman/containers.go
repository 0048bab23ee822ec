package podman

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/containers/podman/v4/libpod/define"
	"github.com/containers/podman/v4/pkg/bindings/containers"
	"github.com/containers/podman/v4/pkg/specgen"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// run describes a container the engine runs (a checkpoint or a restore).
type run struct {
	Name    string
	Image   string
	Env     map[string]string
	Policy  privilege.Policy // the capabilities and default seccomp profile of the step
	Seccomp string           // the profile asked for: a path, privilege.Unconfined, or "" for the policy's
	Ports   []engine.Port
	Role    string // value of labelOwner
	Keep    string // value of labelKeep: the state in which the container is a product ("" none)
	Memory  int64  // memory limit in bytes; 0: none
	// Network is the container's network: engine.NetworkHost shares the host's network namespace
	// (and publishes nothing); anything else is Podman's default.
	Network engine.Network
}

// spec turns the run into a container spec. Never privileged: every capability is dropped but
// the policy's.
func (r run) spec(ctx context.Context) *specgen.SpecGenerator {
	s := specgen.NewSpecGenerator(r.Image, false)
	s.Name = r.Name
	s.Env = maps.Clone(r.Env)
	s.CapDrop = r.Policy.CapDrop()
	s.CapAdd = r.Policy.CapAdd()
	s.Privileged = false
	if r.Memory > 0 {
		limit := r.Memory
		s.ResourceLimits = &specs.LinuxResources{Memory: &specs.LinuxMemory{Limit: &limit}}
	}
	s.SeccompProfilePath = r.Policy.SeccompFor(r.Seccomp)
	s.Labels = containerLabels(ctx, r.Name, r.Role, r.Keep)
	if r.Network == engine.NetworkHost {
		s.NetNS = specgen.Namespace{NSMode: specgen.Host}
		return s
	}
	for _, p := range r.Ports {
		s.PortMappings = append(s.PortMappings, portMapping(p))
	}
	return s
}

// create creates the container and registers its removal with cu (on failure).
func (r run) create(ctx context.Context, cu *cleanup) (string, *cleanupTask, error) {
	resp, err := containers.CreateWithSpec(ctx, r.spec(ctx), nil)
	if err != nil {
		switch podmanCode(err) {
		case engine.CodeAlreadyExists:
			return "", nil, engine.Errorf(engine.CodeAlreadyExists, "container_name",
				"choose another container_name, or remove the old container (podman rm "+r.Name+")", "a container named %s exists already", r.Name)
		case engine.CodeNotFound:
			return "", nil, engine.Errorf(engine.CodeNotFound, "image", "check the image name (podman images lists them)", "image %s does not exist", r.Image)
		}
		return "", nil, failed(err, engine.CodeFailedPrecondition, "read the error; liberty-checkpoint doctor checks the host",
			"cannot create container %s from %s", r.Name, r.Image)
	}
	for _, w := range resp.Warnings {
		cu.sink.Warnf("podman: %s", w)
	}
	task := cu.onFailure("container "+r.Name, func(ctx context.Context) error { return removeContainer(ctx, resp.ID, 0) })
	return resp.ID, task, nil
}

// removeContainer removes a container, stopping it first (SIGTERM, then SIGKILL after
// stopTimeout seconds). A container that is gone already is not an error.
func removeContainer(ctx context.Context, id string, stopTimeout uint) error {
	yes := true
	reports, err := containers.Remove(ctx, id, &containers.RemoveOptions{Force: &yes, Volumes: &yes, Timeout: &stopTimeout})
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return err
	}
	for _, r := range reports {
		if r != nil && r.Err != nil && !isNotFound(r.Err) {
			return r.Err
		}
	}
	return nil
}

// waitExit waits until the container has exited and returns its exit code.
func waitExit(ctx context.Context, id string) (int32, error) {
	// The service polls the container's state this often; at 100 ms a checkpoint-image waited
	// 50 ms on average after the checkpoint run had exited.
	interval := "20ms"
	return containers.Wait(ctx, id, &containers.WaitOptions{
		Condition: []define.ContainerStatus{define.ContainerStateExited, define.ContainerStateStopped},
		Interval:  &interval,
	})
}

// inspectContainer returns the container, or a NotFound error naming field.
func inspectContainer(ctx context.Context, nameOrID, field string) (*define.InspectContainerData, error) {
	data, err := containers.Inspect(ctx, nameOrID, nil)
	if err != nil {
		if isNotFound(err) {
			return nil, engine.Errorf(engine.CodeNotFound, field,
				"pass the checkpoint container's name or id as the checkpoint step printed it (podman ps -a lists containers)",
				"container %s does not exist", nameOrID)
		}
		return nil, failed(err, engine.CodeInternal, "retry", "cannot inspect container %s", nameOrID)
	}
	return data, nil
}

// envValue returns the value of key in a container's environment list (KEY=value).
func envValue(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

func portKey(p engine.Port) string { return fmt.Sprintf("%d/%s", p.ContainerPort, p.Protocol) }
