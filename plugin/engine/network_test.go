package engine

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The network is default unless host is asked for by name; anything else is refused naming the
// setting.
func TestValidateNetwork(t *testing.T) {
	for in, want := range map[Network]Network{"": NetworkDefault, "default": NetworkDefault, "host": NetworkHost} {
		n := in
		require.NoError(t, validateNetwork(&n), in)
		assert.Equal(t, want, n)
	}
	for _, in := range []Network{"bridge", "Host", "none", "slirp4netns", " host"} {
		n := in
		err := validateNetwork(&n)
		require.Error(t, err, in)
		assert.Equal(t, CodeInvalidArgument, CodeOf(err))
		assert.Equal(t, "network", AsError(err).Field)
		assert.Contains(t, AsError(err).Fix, "host")
	}
	c := &CheckpointOptions{Image: "localhost/a:1", RunSettings: RunSettings{Network: "hostt"}}
	require.Error(t, c.Validate())
	assert.Equal(t, "network", AsError(c.Validate()).Field)
	c = &CheckpointOptions{Image: "localhost/a:1"}
	require.NoError(t, c.Validate())
	assert.Equal(t, NetworkDefault, c.Network)
}

// With host networking nothing is published: a port names the container's port, which is the
// host's; a host port or address that cannot be honoured is refused, naming the field.
func TestRestoreHostNetworkPorts(t *testing.T) {
	o := &RestoreOptions{Image: "localhost/a:1", RunSettings: RunSettings{Network: NetworkHost}, Ports: []Port{{ContainerPort: 9080}}, Readiness: Readiness{HTTPURL: "/app/"}}
	require.NoError(t, o.Validate())
	assert.Equal(t, Port{ContainerPort: 9080, HostPort: 9080, HostIP: DefaultHostIP, Protocol: "tcp"}, o.Ports[0])
	assert.Equal(t, "/app/", o.Readiness.HTTPURL, "the path resolves against the container port on the loopback")

	o = &RestoreOptions{Image: "localhost/a:1", RunSettings: RunSettings{Network: NetworkHost}, Ports: []Port{{ContainerPort: 9080, HostPort: 9080, HostIP: "127.0.0.1"}}}
	require.NoError(t, o.Validate(), "the same port on the loopback says the same thing")
	assert.Equal(t, "/", o.Readiness.HTTPURL)

	o = &RestoreOptions{Image: "localhost/a:1", RunSettings: RunSettings{Network: NetworkHost}}
	require.NoError(t, o.Validate())
	assert.Equal(t, DefaultReadyLogLine, o.Readiness.LogLine, "no port: ready on Liberty's message")

	for _, tc := range []struct {
		ports []Port
		field string
	}{
		{[]Port{{ContainerPort: 9080, HostPort: 8080}}, "ports[0].host_port"},
		{[]Port{{ContainerPort: 9080, HostIP: "0.0.0.0"}}, "ports[0].host_ip"},
		{[]Port{{ContainerPort: 9443}, {ContainerPort: 9080, HostIP: "192.0.2.1"}}, "ports[1].host_ip"},
		{[]Port{{ContainerPort: 9080}, {ContainerPort: 9080}}, "ports[1].host_port"},
		{[]Port{{ContainerPort: 0}}, "ports[0].container_port"},
	} {
		o := &RestoreOptions{Image: "localhost/a:1", RunSettings: RunSettings{Network: NetworkHost}, Ports: tc.ports}
		err := o.Validate()
		require.Error(t, err, "%+v", tc.ports)
		assert.Equal(t, CodeInvalidArgument, CodeOf(err))
		assert.Equal(t, tc.field, AsError(err).Field, err.Error())
	}

	// The default network publishes, and takes a host port and address as before.
	o = &RestoreOptions{Image: "localhost/a:1", Ports: []Port{{ContainerPort: 9080, HostPort: 8080, HostIP: "0.0.0.0"}}}
	require.NoError(t, o.Validate())
	assert.Equal(t, NetworkDefault, o.Network)
	assert.Equal(t, uint16(8080), o.Ports[0].HostPort)
}
