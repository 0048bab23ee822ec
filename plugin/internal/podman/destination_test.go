package podman

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/containers/common/pkg/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Podman's order: the request's URI, CONTAINER_HOST, CONTAINER_CONNECTION, the default
// connection; the identity: --identity, CONTAINER_SSHKEY, the connection's own.
func TestResolveDestinationInPodmansOrder(t *testing.T) {
	conns := &podmanConnections{
		byName: map[string]config.Destination{
			"podman-machine-default":      {URI: "ssh://core@127.0.0.1:50111/run/user/501/podman/podman.sock", Identity: "/m/machine", IsMachine: true},
			"podman-machine-default-root": {URI: "ssh://root@127.0.0.1:50111/run/podman/podman.sock", Identity: "/m/machine", IsMachine: true},
			"prod":                        {URI: "ssh://deploy@prod:2222/run/podman/podman.sock"},
			"broken":                      {},
		},
		from:    map[string]string{"broken": "/c/podman-connections.json"},
		Default: "podman-machine-default", DefaultFrom: "/c/podman-connections.json",
	}
	for _, tc := range []struct {
		name string
		req  engine.Connection
		env  map[string]string
		none bool // no connections configured
		want destination
		err  string
	}{
		{name: "the request wins", req: engine.Connection{URI: "tcp://h:8888"}, env: map[string]string{"CONTAINER_HOST": "unix:///x.sock", "CONTAINER_SSHKEY": "/k"},
			want: destination{URI: "tcp://h:8888", Identity: "/k", Origin: "connection.uri"}},
		{name: "--identity over CONTAINER_SSHKEY", req: engine.Connection{URI: "ssh://u@h/s.sock", Identity: "/id"}, env: map[string]string{"CONTAINER_SSHKEY": "/k"},
			want: destination{URI: "ssh://u@h/s.sock", Identity: "/id", Origin: "connection.uri"}},
		{name: "CONTAINER_HOST over connections", env: map[string]string{"CONTAINER_HOST": "ssh://u@h/s.sock", "CONTAINER_CONNECTION": "prod"},
			want: destination{URI: "ssh://u@h/s.sock", Origin: "CONTAINER_HOST"}},
		{name: "CONTAINER_CONNECTION names one", env: map[string]string{"CONTAINER_CONNECTION": "prod"},
			want: destination{URI: "ssh://deploy@prod:2222/run/podman/podman.sock", Name: "prod", Origin: "CONTAINER_CONNECTION=prod"}},
		{name: "the default connection: podman machine's, with its key, unchecked host key", env: map[string]string{},
			want: destination{URI: "ssh://core@127.0.0.1:50111/run/user/501/podman/podman.sock", Identity: "/m/machine", Machine: true,
				Name: "podman-machine-default", Origin: "the default connection podman-machine-default (/c/podman-connections.json)"}},
		{name: "CONTAINER_SSHKEY over the connection's key", env: map[string]string{"CONTAINER_CONNECTION": "podman-machine-default-root", "CONTAINER_SSHKEY": "/k"},
			want: destination{URI: "ssh://root@127.0.0.1:50111/run/podman/podman.sock", Identity: "/k", Machine: true, Name: "podman-machine-default-root",
				Origin: "CONTAINER_CONNECTION=podman-machine-default-root"}},
		{name: "nothing configured: the default sockets", env: map[string]string{}, none: true},
		{name: "an unknown name", env: map[string]string{"CONTAINER_CONNECTION": "nope"},
			err: `CONTAINER_CONNECTION=nope names the Podman connection "nope", which does not exist (there are broken, podman-machine-default, podman-machine-default-root, prod)`},
		{name: "a connection without a URI", env: map[string]string{"CONTAINER_CONNECTION": "broken"},
			err: `the Podman connection "broken" in /c/podman-connections.json has no URI`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := func() (*podmanConnections, error) {
				if tc.none {
					return &podmanConnections{}, nil
				}
				return conns, nil
			}
			d, err := resolveDestination(tc.req, func(k string) string { return tc.env[k] }, src)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.NotEmpty(t, engine.AsError(err).Fix)
				return
			}
			require.NoError(t, err)
			if tc.none {
				assert.Nil(t, d)
				return
			}
			require.NotNil(t, d)
			assert.Equal(t, tc.want, *d)
		})
	}
	assert.Equal(t, "podman-machine-default", destination{Name: "podman-machine-default-root"}.machineName())
}

// The files podman system connection writes: podman 4's containers.conf (where podman machine 4
// keeps its connections) and podman 5's podman-connections.json, whose default wins.
func TestReadConnectionsFromPodmansFiles(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "containers.conf")
	require.NoError(t, os.WriteFile(conf, []byte(`[engine]
active_service = "podman-machine-default"
[engine.service_destinations]
[engine.service_destinations.podman-machine-default]
uri = "ssh://core@127.0.0.1:50111/run/user/501/podman/podman.sock"
identity = "/Users/me/.ssh/podman-machine-default"
is_machine = true
`), 0o644))
	t.Setenv("CONTAINERS_CONF", conf)
	t.Setenv("PODMAN_CONNECTIONS_CONF", filepath.Join(dir, "none.json"))
	pc, err := readConnections(os.Getenv)
	require.NoError(t, err)
	assert.Equal(t, "podman-machine-default", pc.Default)
	assert.Equal(t, "containers.conf [engine] active_service", pc.DefaultFrom)
	assert.Equal(t, config.Destination{URI: "ssh://core@127.0.0.1:50111/run/user/501/podman/podman.sock",
		Identity: "/Users/me/.ssh/podman-machine-default", IsMachine: true}, pc.byName["podman-machine-default"])

	file := filepath.Join(dir, "podman-connections.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"Connection":{"Default":"podman-machine-default-root","Connections":{
"podman-machine-default-root":{"URI":"ssh://root@127.0.0.1:50111/run/podman/podman.sock","Identity":"/Users/me/.local/share/containers/podman/machine/machine","IsMachine":true}}},"Farm":{}}`), 0o644))
	t.Setenv("PODMAN_CONNECTIONS_CONF", file)
	pc, err = readConnections(os.Getenv)
	require.NoError(t, err)
	assert.Equal(t, "podman-machine-default-root", pc.Default)
	assert.Equal(t, file, pc.DefaultFrom)
	assert.Equal(t, []string{"podman-machine-default", "podman-machine-default-root"}, pc.names())
	assert.True(t, pc.byName["podman-machine-default-root"].IsMachine)

	// Without PODMAN_CONNECTIONS_CONF the file is next to the user's containers.conf.
	assert.Equal(t, "/xdg/containers/podman-connections.json", connectionsFile(func(k string) string {
		return map[string]string{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/me"}[k]
	}))
	assert.Equal(t, "/home/me/.config/containers/podman-connections.json", connectionsFile(func(k string) string {
		return map[string]string{"HOME": "/home/me"}[k]
	}))

	require.NoError(t, os.WriteFile(file, []byte(`{"Connection":`), 0o644))
	_, err = readConnections(os.Getenv)
	assert.ErrorContains(t, err, "cannot parse "+file)
}
