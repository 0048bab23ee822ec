package podman

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	nettypes "github.com/containers/common/libnetwork/types"
	"github.com/containers/podman/v4/pkg/bindings/containers"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// probeInterval is how often readiness is checked.
const probeInterval = 20 * time.Millisecond

// evidenceGrace bounds how long a ready server's output is read for the line that tells a
// restore from a cold start.
const evidenceGrace = 3 * time.Second

// restoreFix is the advice for a restore that failed or fell back to a cold start.
const restoreFix = "read the restore.log lines above. Common causes: the host's kernel or CPU differ from the ones that " +
	"checkpointed (liberty-checkpoint doctor --image <image> compares them), the container lacks CAP_CHECKPOINT_RESTORE " +
	"or runs with a seccomp profile that blocks CRIU, or the image's CRIU is too old for this kernel"

// Restore runs an InstantOn image and reports whether the server resumed from its checkpoint
// (or started from scratch) and how long it took to be ready.
func (e *Engine) Restore(ctx context.Context, o engine.RestoreOptions, sink engine.Sink) (*engine.Result, error) {
	return e.call(ctx, engine.OpRestore, o.Connection, o.Timeout, sink, func(ctx context.Context, c *conn) (res *engine.Result, err error) {
		cu := newCleanup(ctx, sink)
		defer cu.finish(&err)
		return e.restore(ctx, c, cu, sink, o)
	})
}

func (e *Engine) restore(ctx context.Context, c *conn, cu *cleanup, sink engine.Sink, o engine.RestoreOptions) (*engine.Result, error) {
	steps := engine.NewSteps(sink, 2)
	steps.Start("start")
	img, err := restoreImage(ctx, c, sink, o)
	if err != nil {
		return nil, err
	}
	if err := e.checkHost(ctx, c, sink, o, img.Labels); err != nil {
		return nil, err
	}
	name := o.ContainerName
	if name == "" {
		name = restorePrefix + randomSuffix()
	}
	env := maps.Clone(o.Env)
	if env == nil {
		env = map[string]string{}
	}
	if o.DisableRecovery {
		env["CRIU_RESTORE_DISABLE_RECOVERY"] = "true"
	}
	policy := privilege.Restore
	if e.restoreCaps != nil {
		policy.Caps = e.restoreCaps
	}
	seccomp, err := c.hostFile(ctx, cu, o.SeccompProfile, "seccomp_profile")
	if err != nil {
		return nil, err
	}
	keep := ""
	if o.KeepRunning {
		keep = keepIfRunning
	}
	r := run{Name: name, Image: o.Image, Env: env, Policy: policy, Seccomp: seccomp, Ports: o.Ports, Role: engine.OpRestore, Keep: keep,
		Memory: o.MemoryBytes, Network: o.Network}
	if o.Network == engine.NetworkHost {
		if err := hostPortsFree(ctx, c, o.Ports); err != nil {
			return nil, err
		}
		sink.Infof("restore: network host (asked for): %s shares the host's network; nothing is published, the server listens on the host's %s itself, where its server.xml's httpEndpoint host says",
			name, describePorts(o.Ports))
	}
	createStart := time.Now()
	id, task, err := r.create(ctx, cu)
	if err != nil {
		return nil, err
	}
	created := time.Since(createStart)

	output := newRingLog(tailLines)
	evidence := &restoreEvidence{}
	var logProbe *logProber
	if o.Readiness.LogLine != "" {
		logProbe = &logProber{Needle: o.Readiness.LogLine}
	}
	start := time.Now()
	if err := containers.Start(ctx, id, nil); err != nil {
		if isPortInUse(err) {
			return nil, engine.Wrap(err, engine.CodeFailedPrecondition, "publish another host port, or 0 for a free one",
				"a host port of %s is in use", name)
		}
		return nil, failed(err, engine.CodeFailedPrecondition, "liberty-checkpoint doctor checks the host and Podman",
			"cannot start container %s", name)
	}
	logs := followLogs(ctx, id, func(line string) {
		output.Add(line)
		evidence.Observe(line)
		if logProbe != nil {
			logProbe.Observe(line)
		}
		sink.Logf(engine.SourceContainer, engine.LevelInfo, "%s", line)
	})
	defer logs.stop()
	wctx, stopWaiting := context.WithCancel(ctx)
	defer stopWaiting()
	exited := make(chan struct{})
	var exitCode int32 = -1
	go func() {
		defer close(exited)
		if code, err := waitExit(wctx, id); err == nil {
			exitCode = code
		} else if wctx.Err() == nil {
			sink.Debugf("waiting for %s: %v", name, err)
			<-wctx.Done() // unknown state: let the probe decide
		}
	}()

	var published map[uint32]string
	if o.Network == engine.NetworkHost {
		published = hostNetworkAddrs(c, o.Ports)
	} else if published, err = publishedPorts(ctx, c, id, o.Ports); err != nil {
		return nil, err
	}
	var probe prober = logProbe
	var httpProbe *httpProber
	if o.Readiness.HTTPURL != "" {
		url := o.Readiness.HTTPURL
		if strings.HasPrefix(url, "/") {
			url = "http://" + published[uint32(o.Ports[0].ContainerPort)] + url
		}
		var dial func(ctx context.Context, network, addr string) (net.Conn, error)
		if c.ssh != nil {
			dial = c.ssh.DialContext
			sink.Infof("readiness: %s is on the Podman host %s: probing it from there, through the ssh connection", url, c.ssh.host)
		}
		httpProbe = newHTTPProber(url, dial)
		probe = httpProbe
	}
	steps.Done(name)
	steps.Start("ready")
	sink.Infof("restore: container %s from %s (%s, %s); waiting for %s", name, o.Image,
		strings.Join(policy.Caps, ", "), privilege.DescribeSeccomp(policy.SeccompFor(o.SeccompProfile)), probe)

	detail, err := waitReady(ctx, probe, probeInterval, exited)
	ready := time.Since(start)
	if err != nil {
		switch {
		case errors.Is(err, errExited):
			<-exited
			logs.wait(3 * time.Second)
			tail := append(output.Lines(), fileTail(ctx, sink, id, engine.RestoreLog)...)
			if line := evidence.RecoveryDisabled(); line != "" {
				return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "disable_recovery",
					Message: fmt.Sprintf("the restore of %s failed and recovery is disabled: %s", o.Image, line),
					Fix:     restoreFix + "; without disable_recovery the server starts from scratch instead", LogTail: tail}
			}
			return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "image",
				Message: fmt.Sprintf("container %s of %s exited with code %d before it was ready", name, o.Image, exitCode),
				Fix:     restoreFix, LogTail: tail}
		case errors.Is(err, context.DeadlineExceeded):
			return nil, &engine.Error{Code: engine.CodeDeadlineExceeded, Field: "timeout_seconds",
				Message: fmt.Sprintf("%s was not ready within %s (waited for %s; last: %s)", name, o.Timeout, probe, detail),
				Fix:     "check readiness (http_url / log_line) and the published ports, or raise timeout_seconds", LogTail: output.Lines()}
		}
		return nil, err
	}

	// The output may lag behind the server: a restored server can answer before the line that
	// says it resumed is written (the script that prints it runs once the process tree runs
	// again), more so on a busy machine. Read the output until there is evidence either way,
	// for at most evidenceGrace, before deciding.
	for deadline := time.Now().Add(evidenceGrace); !evidence.Any(); {
		lines, err := readLogs(ctx, id)
		if err != nil {
			sink.Debugf("cannot read the output of %s: %v", name, err)
		}
		for _, l := range lines {
			evidence.Observe(l)
		}
		if evidence.Any() || !time.Now().Before(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	verdict, because := evidence.Verdict()
	// The process fact: when the server started, against when its container was created.
	proc, err := serverProcess(ctx, id)
	if err != nil {
		sink.Debugf("cannot read the server process of %s: %v", name, err)
	} else if proc == nil {
		sink.Debugf("%s: no process with %s in its environment: the verdict rests on the output alone", name, startedVar)
	}
	verdict, because = judgeProcess(verdict, because, proc)
	outcome := &engine.RestoreOutcome{Verdict: verdict, Ready: ready, Evidence: because, Published: published, Process: proc}
	if httpProbe != nil {
		outcome.URL, outcome.HTTPStatus = httpProbe.URL, httpProbe.Status()
	}
	if verdict != engine.Restored {
		sink.Warnf("not restored: %s", because)
		tail := fileTail(ctx, sink, id, engine.RestoreLog)
		if o.DisableRecovery {
			return nil, &engine.Error{Code: engine.CodeFailedPrecondition, Field: "disable_recovery",
				Message: fmt.Sprintf("%s became ready without restoring its checkpoint (%s)", o.Image, because),
				Fix:     restoreFix, LogTail: append(output.Lines(), tail...)}
		}
	}
	steps.Done(fmt.Sprintf("%s in %d ms (%s)", verdict, ready.Milliseconds(), detail))
	sink.Infof("%s: ready in %d ms, %s", name, ready.Milliseconds(), verdict)

	res := &engine.Result{Image: o.Image, ImageID: engine.CanonicalImageID(img.ID), Restore: outcome}
	res.AddTiming("create", created)
	res.AddTiming("ready", ready)
	if o.KeepRunning {
		task.cancel()
		res.ContainerID, res.ContainerName = id, name
		return res, nil
	}
	logs.stop()
	task.cancel()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := removeContainer(rctx, id, 5); err != nil {
		sink.Warnf("could not remove container %s: %v", name, err)
	} else {
		sink.Debugf("stopped and removed container %s", name)
	}
	return res, nil
}

func portMapping(p engine.Port) nettypes.PortMapping {
	return nettypes.PortMapping{HostIP: p.HostIP, ContainerPort: p.ContainerPort, HostPort: p.HostPort, Range: 1, Protocol: p.Protocol}
}

// publishedPorts reads back where each port was published (a host port of 0 gets a free one)
// as host:port addresses reachable from here.
func publishedPorts(ctx context.Context, c *conn, id string, ports []engine.Port) (map[uint32]string, error) {
	out := map[uint32]string{}
	if len(ports) == 0 {
		return out, nil
	}
	data, err := inspectContainer(ctx, id, "container_name")
	if err != nil {
		return nil, err
	}
	var bound map[string][]struct{ HostIP, HostPort string }
	if data.NetworkSettings != nil {
		bound = map[string][]struct{ HostIP, HostPort string }{}
		for k, v := range data.NetworkSettings.Ports {
			for _, b := range v {
				bound[k] = append(bound[k], struct{ HostIP, HostPort string }{b.HostIP, b.HostPort})
			}
		}
	}
	for i, p := range ports {
		bs := bound[portKey(p)]
		if len(bs) == 0 || bs[0].HostPort == "" || bs[0].HostPort == "0" {
			return nil, engine.Errorf(engine.CodeInternal, fmt.Sprintf("ports[%d]", i), "retry; podman inspect "+id+" shows the ports",
				"Podman did not report where container port %s was published", portKey(p))
		}
		if _, err := strconv.Atoi(bs[0].HostPort); err != nil {
			return nil, engine.Errorf(engine.CodeInternal, fmt.Sprintf("ports[%d]", i), "retry", "Podman reported host port %q", bs[0].HostPort)
		}
		out[uint32(p.ContainerPort)] = net.JoinHostPort(c.probeHost(bs[0].HostIP), bs[0].HostPort)
	}
	return out, nil
}
