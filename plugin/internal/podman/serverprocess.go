package podman

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/containers/podman/v4/pkg/api/handlers"
	"github.com/containers/podman/v4/pkg/bindings/containers"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// startedVar is the variable the base images put in the server's environment: the wall clock
// (Unix milliseconds) when the JVM started. A restored JVM keeps the environment of the
// checkpoint run (/proc/<pid>/environ reads the process's own memory), so its value predates the
// container.
const startedVar = "LCP_JVM_STARTED_MS"

// serverProcessScript prints one line per process whose environment holds startedVar:
// "<pid> <value> CapEff:<hex> NoNewPrivs:<0|1> Seccomp:<mode>".
const serverProcessScript = `for d in /proc/[0-9]*; do
  v=$(tr '\0' '\n' <"$d/environ" 2>/dev/null | grep -m1 '^` + startedVar + `=') || continue
  printf '%s %s ' "${d#/proc/}" "${v#*=}"
  grep -E '^(CapEff|NoNewPrivs|Seccomp):' "$d/status" 2>/dev/null | tr -d ' \t' | tr '\n' ' '
  echo
done`

// serverProcess finds the server process of a running container and reads when it started and
// its privileges, with a shell in the container (images without one, or without startedVar,
// give nil). created is the container's creation time, from Podman.
func serverProcess(ctx context.Context, id string) (*engine.ServerProcess, error) {
	data, err := containers.Inspect(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	cfg := new(handlers.ExecCreateConfig)
	cfg.Cmd = []string{"sh", "-c", serverProcessScript}
	cfg.AttachStdout, cfg.AttachStderr = true, true
	session, err := containers.ExecCreate(ctx, id, cfg)
	if err != nil {
		return nil, err
	}
	var out, errOut bytes.Buffer
	var ow, ew io.Writer = &out, &errOut
	yes := true
	opts := new(containers.ExecStartAndAttachOptions).WithOutputStream(ow).WithErrorStream(ew).
		WithAttachOutput(yes).WithAttachError(yes)
	if err := containers.ExecStartAndAttach(ctx, session, opts); err != nil {
		return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(errOut.String()))
	}
	p := parseServerProcess(out.String())
	if p != nil {
		p.ContainerCreated = data.Created
	}
	return p, nil
}

// parseServerProcess reads serverProcessScript's output; of several processes (a start script
// that did not exec, and its JVM) it takes the last, the highest PID.
func parseServerProcess(out string) *engine.ServerProcess {
	var found *engine.ServerProcess
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		pid, err1 := strconv.Atoi(f[0])
		ms, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil || ms <= 0 {
			continue
		}
		p := &engine.ServerProcess{PID: pid, Started: time.UnixMilli(ms)}
		for _, kv := range f[2:] {
			k, v, _ := strings.Cut(kv, ":")
			switch k {
			case "CapEff":
				p.CapEff = v
			case "NoNewPrivs":
				p.NoNewPrivs = v == "1"
			case "Seccomp":
				p.Seccomp, _ = strconv.Atoi(v)
			}
		}
		if found == nil || pid > found.PID {
			found = p
		}
	}
	return found
}
