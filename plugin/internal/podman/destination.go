package podman

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/containers/common/pkg/config"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// destination is a Podman service a call was told to use, and who told it.
type destination struct {
	URI string
	// Identity is the ssh private key for an ssh:// URI ("" : ssh-agent).
	Identity string
	// Machine marks a podman machine's connection, whose host key podman does not check either
	// (the VM's key changes with each machine).
	Machine bool
	// Name is the connection's name when it came from podman system connection.
	Name string
	// Origin says where it came from, for messages: connection.uri, CONTAINER_HOST,
	// CONTAINER_CONNECTION=name, the default connection name (file).
	Origin string
}

// machineName is the podman machine a connection belongs to: podman names the rootful
// connection of machine m "m-root".
func (d destination) machineName() string { return strings.TrimSuffix(d.Name, "-root") }

// podmanConnections are the connections `podman system connection` manages.
type podmanConnections struct {
	byName map[string]config.Destination
	// from says which file each connection is in.
	from map[string]string
	// Default is the default connection's name ("" : none) and DefaultFrom the file that says so.
	Default, DefaultFrom string
}

// connectionsFile is podman 5's podman-connections.json: $PODMAN_CONNECTIONS_CONF, else next to
// the user's containers.conf ($XDG_CONFIG_HOME/containers, ~/.config/containers, or
// %APPDATA%\containers on Windows), as containers/common puts it.
func connectionsFile(getenv func(string) string) string {
	if p := getenv("PODMAN_CONNECTIONS_CONF"); p != "" {
		return p
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(getenv("APPDATA"), "containers", "podman-connections.json")
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "containers", "podman-connections.json")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".config", "containers", "podman-connections.json")
}

// readConnections reads the connections as podman does (containers/common's GetConnection):
// podman-connections.json first (podman 5 writes it), then containers.conf's [engine]
// service_destinations (podman 4, and podman machine up to 4.x, keep them there); the default is
// the file's, else containers.conf's active_service.
func readConnections(getenv func(string) string) (*podmanConnections, error) {
	pc := &podmanConnections{byName: map[string]config.Destination{}, from: map[string]string{}}
	conf, err := config.New(nil) // every containers.conf Podman reads, in its order ($CONTAINERS_CONF too)
	if err != nil {
		return nil, fmt.Errorf("cannot read containers.conf: %w", err)
	}
	for name, d := range conf.Engine.ServiceDestinations {
		pc.byName[name], pc.from[name] = d, "containers.conf"
	}
	if conf.Engine.ActiveService != "" {
		pc.Default, pc.DefaultFrom = conf.Engine.ActiveService, "containers.conf [engine] active_service"
	}
	path := connectionsFile(getenv)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return pc, nil
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	var f struct {
		Connection struct {
			Default     string
			Connections map[string]config.Destination
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("cannot parse %s: %w", path, err)
	}
	for name, d := range f.Connection.Connections {
		pc.byName[name], pc.from[name] = d, path
	}
	if f.Connection.Default != "" {
		pc.Default, pc.DefaultFrom = f.Connection.Default, path
	}
	return pc, nil
}

// names lists the connections, sorted.
func (pc *podmanConnections) names() []string {
	var out []string
	for n := range pc.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// resolveDestination finds the service a call names, in Podman's order: the request's URI
// (--podman-url), $CONTAINER_HOST, the connection $CONTAINER_CONNECTION names, the default
// connection of podman system connection. It returns nil when none is named: then the engine
// looks at the default sockets. The identity is the request's (--identity), else
// $CONTAINER_SSHKEY, else the connection's own.
func resolveDestination(c engine.Connection, getenv func(string) string, connections func() (*podmanConnections, error)) (*destination, error) {
	identity := func(own string) string {
		switch {
		case c.Identity != "":
			return c.Identity
		case getenv("CONTAINER_SSHKEY") != "":
			return getenv("CONTAINER_SSHKEY")
		}
		return own
	}
	switch {
	case c.URI != "":
		return &destination{URI: c.URI, Identity: identity(""), Origin: "connection.uri"}, nil
	case getenv("CONTAINER_HOST") != "":
		uri := getenv("CONTAINER_HOST")
		if _, err := url.Parse(uri); err != nil {
			return nil, engine.Invalid("", "set CONTAINER_HOST to unix:///path, tcp://host:port or ssh://user@host[:port]/path, or unset it",
				"CONTAINER_HOST %q is not a URI", uri)
		}
		return &destination{URI: uri, Identity: identity(""), Origin: "CONTAINER_HOST"}, nil
	}
	pc, err := connections()
	if err != nil {
		return nil, engine.Wrap(err, engine.CodeFailedPrecondition, "fix the file (podman system connection list reads the same), or name the service with --podman-url",
			"cannot read Podman's connections")
	}
	name, origin := getenv("CONTAINER_CONNECTION"), "CONTAINER_CONNECTION="+getenv("CONTAINER_CONNECTION")
	if name == "" {
		if pc.Default == "" {
			return nil, nil
		}
		name, origin = pc.Default, fmt.Sprintf("the default connection %s (%s)", pc.Default, pc.DefaultFrom)
	}
	d, found := pc.byName[name]
	if !found {
		known := "none is configured"
		if names := pc.names(); len(names) > 0 {
			known = "there are " + strings.Join(names, ", ")
		}
		return nil, engine.Errorf(engine.CodeNotFound, "", "name a connection podman system connection list shows, or add it: podman system connection add "+name+" ssh://user@host/run/podman/podman.sock",
			"%s names the Podman connection %q, which does not exist (%s)", origin, name, known)
	}
	if d.URI == "" {
		return nil, engine.Errorf(engine.CodeFailedPrecondition, "", "fix the connection (podman system connection list), or name the service with --podman-url",
			"the Podman connection %q in %s has no URI", name, pc.from[name])
	}
	return &destination{URI: d.URI, Identity: identity(d.Identity), Machine: d.IsMachine, Name: name, Origin: origin}, nil
}
