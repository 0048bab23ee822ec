package podman

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/containers/podman/v4/pkg/specgen"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// The default network publishes the ports and leaves the namespace to Podman; host shares the
// host's network namespace and publishes nothing.
func TestRunSpecNetwork(t *testing.T) {
	ports := []engine.Port{{ContainerPort: 9080, HostPort: 0, HostIP: "127.0.0.1", Protocol: "tcp"}}
	r := run{Name: "lcp-restore-x", Image: "localhost/a:1", Policy: privilege.Restore, Ports: ports, Role: engine.OpRestore}
	s := r.spec(context.Background())
	assert.Equal(t, specgen.NamespaceMode(""), s.NetNS.NSMode, "Podman's default network")
	require.Len(t, s.PortMappings, 1)
	assert.Equal(t, "127.0.0.1", s.PortMappings[0].HostIP)

	r.Network = engine.NetworkDefault
	assert.Equal(t, specgen.NamespaceMode(""), r.spec(context.Background()).NetNS.NSMode)

	r.Network = engine.NetworkHost
	s = r.spec(context.Background())
	assert.Equal(t, specgen.Host, s.NetNS.NSMode)
	assert.Empty(t, s.PortMappings, "nothing is published in the host's network")
	assert.False(t, s.Privileged)
	assert.Equal(t, privilege.Restore.CapAdd(), s.CapAdd, "the network changes no capability")
}

// A port something answers on already is refused before any container exists: the server could
// not listen there and the probe would be answered by the other listener.
func TestHostPortsFree(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := uint16(l.Addr().(*net.TCPAddr).Port)
	c := &conn{}
	ports := []engine.Port{{ContainerPort: 1, Protocol: "udp"}, {ContainerPort: port, Protocol: "tcp"}}
	assert.Equal(t, "127.0.0.1:"+strconv.Itoa(int(port)), hostNetworkAddrs(c, ports)[uint32(port)])

	err = hostPortsFree(context.Background(), c, ports)
	require.Error(t, err)
	assert.Equal(t, engine.CodeFailedPrecondition, engine.CodeOf(err))
	assert.Equal(t, "ports[1]", engine.AsError(err).Field)
	assert.Contains(t, engine.AsError(err).Fix, "network default")

	require.NoError(t, l.Close())
	assert.NoError(t, hostPortsFree(context.Background(), c, ports), "a free port")
	assert.Equal(t, "ports 1, "+strconv.Itoa(int(port)), describePorts(ports))
	assert.Equal(t, "port 1", describePorts(ports[:1]))
	assert.Equal(t, "ports", describePorts(nil))
}
