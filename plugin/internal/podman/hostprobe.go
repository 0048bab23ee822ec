package podman

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/doctor"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probebin"
)

// hostProbeTimeout bounds the probe container that reads a remote Podman host.
const hostProbeTimeout = 2 * time.Minute

// readRemoteHost reads what a container sees of the Podman host (its kernel, CPU flags, Yama) when
// that host is another machine: it imports a probe image (the probe for the host's arch, alone
// on an empty file system), runs it once without a network and removes both again.
func readRemoteHost(ctx context.Context, c *conn, arch string, sink engine.Sink) (*probe.Host, error) {
	self, _ := os.Executable()
	bin, why := probebin.For(arch, probebin.Embedded, self, os.ReadFile)
	if why != "" {
		return nil, fmt.Errorf("no probe for %s: %s", arch, why)
	}
	ctx, cancel := context.WithTimeout(ctx, hostProbeTimeout)
	defer cancel()
	rt := doctorRuntime{c}
	suffix := randomSuffix()
	ref := "localhost/lcp-host-probe:" + suffix
	if err := rt.ImportImage(ctx, ref, bytes.NewReader(probebin.Tar(bin))); err != nil {
		return nil, fmt.Errorf("import a probe image: %w", err)
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if err := rt.RemoveImage(rctx, ref); err != nil {
			sink.Warnf("could not remove the probe image %s: %v", ref, err)
		}
	}()
	res, err := rt.Run(ctx, doctor.RunSpec{Name: "lcp-host-probe-" + suffix, Image: ref,
		Command: []string{probe.Path, probe.Command, "host"}, NoNetwork: true})
	if err != nil {
		return nil, err
	}
	rep, err := probe.Parse(res.Output)
	if err != nil {
		return nil, fmt.Errorf("%w (exit code %d)", err, res.ExitCode)
	}
	if rep.Host == nil {
		return nil, fmt.Errorf("the probe reported nothing of its host")
	}
	return rep.Host, nil
}
