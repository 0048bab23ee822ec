package podman

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// A restore in the host's network (engine.NetworkHost) publishes nothing: the server listens on
// the host's own ports. The ports of the request only name them, for readiness and the result.

// hostNetworkAddrs is where each container port is reached on the Podman host's loopback.
func hostNetworkAddrs(c *conn, ports []engine.Port) map[uint32]string {
	out := map[uint32]string{}
	for _, p := range ports {
		out[uint32(p.ContainerPort)] = net.JoinHostPort(c.probeHost(engine.DefaultHostIP), strconv.Itoa(int(p.ContainerPort)))
	}
	return out
}

// hostPortsFree refuses TCP ports that something on the Podman host answers on already: in the
// host's network the server could not listen there, and the readiness probe would be answered by
// whatever does.
func hostPortsFree(ctx context.Context, c *conn, ports []engine.Port) error {
	addrs := hostNetworkAddrs(c, ports)
	for i, p := range ports {
		if p.Protocol == "udp" {
			continue
		}
		addr := addrs[uint32(p.ContainerPort)]
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		var conn net.Conn
		var err error
		if c.ssh != nil {
			conn, err = c.ssh.DialContext(dctx, "tcp", addr)
		} else {
			conn, err = (&net.Dialer{}).DialContext(dctx, "tcp", addr)
		}
		cancel()
		if err == nil {
			conn.Close()
			return engine.Errorf(engine.CodeFailedPrecondition, fmt.Sprintf("ports[%d]", i),
				"stop what listens there, or use network default, which publishes the port on another host port; the server's port is the one server.xml gave it at checkpoint time",
				"with network host the server listens on the host's port %d, and something answers there already (%s)", p.ContainerPort, addr)
		}
	}
	return nil
}

// describePorts names ports for a message: "port 9080", "ports 9080, 9443", or "ports" for none.
func describePorts(ports []engine.Port) string {
	if len(ports) == 0 {
		return "ports"
	}
	s := make([]string, len(ports))
	for i, p := range ports {
		s[i] = strconv.Itoa(int(p.ContainerPort))
	}
	if len(s) == 1 {
		return "port " + s[0]
	}
	return "ports " + strings.Join(s, ", ")
}
