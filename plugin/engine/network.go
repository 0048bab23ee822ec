package engine

import (
	"fmt"
	"net"
)

// Network is the network namespace of the containers the engine runs (the checkpoint run and the
// restore).
type Network string

const (
	// NetworkDefault is Podman's own choice: a bridge (CNI or netavark) as root, slirp4netns for
	// rootless Podman. Ports are published.
	NetworkDefault Network = "default"
	// NetworkHost shares the host's network namespace. Only when asked: the server listens on the
	// host's own ports (where its server.xml says) and nothing is published. It is what works for
	// rootless Podman when slirp4netns cannot run (no usable /dev/net/tun).
	NetworkHost Network = "host"
)

// networkFix is the advice for an unknown network.
const networkFix = "use default (Podman's network: a bridge as root, slirp4netns rootless; ports are published) " +
	"or host (the host's own network; nothing is published)"

// validateNetwork checks a network name and fills in the default.
func validateNetwork(n *Network) error {
	switch *n {
	case "":
		*n = NetworkDefault
	case NetworkDefault, NetworkHost:
	default:
		return Invalid("network", networkFix, "unknown network %q", string(*n))
	}
	return nil
}

// hostNetworkPorts checks the ports of a restore in the host's network: nothing is published, so a
// port only names the container port the server listens on, which is the host's port too. A
// different host port or a host address cannot be honoured and is refused; the host port is set to
// the container port.
func hostNetworkPorts(ports []Port) error {
	for i := range ports {
		p := &ports[i]
		field := fmt.Sprintf("ports[%d]", i)
		if p.HostPort != 0 && p.HostPort != p.ContainerPort {
			return Invalid(field+".host_port",
				fmt.Sprintf("with network host the server listens on the host's port %d itself: publish just the container port (--publish %d), change the port in server.xml, or use network default to map it", p.ContainerPort, p.ContainerPort),
				"network host publishes nothing, so host port %d cannot lead to container port %d", p.HostPort, p.ContainerPort)
		}
		if p.HostIP != "" && !net.ParseIP(p.HostIP).Equal(net.ParseIP(DefaultHostIP)) {
			return Invalid(field+".host_ip",
				"with network host the server listens where its server.xml's httpEndpoint host says: leave the address out (the readiness probe uses 127.0.0.1), or use network default to publish on an address",
				"network host publishes nothing, so the port cannot be bound to %s", p.HostIP)
		}
		p.HostPort = p.ContainerPort
	}
	return nil
}
