package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// flagName and usage come from the settings table, so a flag is spelled and explained the same
// way in the CLI, the shims and the errors.
func setting(key string) settings.Setting {
	s, ok := settings.ByKey(key)
	if !ok {
		panic("unknown setting " + key)
	}
	return s
}

func flagName(key string) string { return strings.TrimPrefix(setting(key).Flag, "--") }

func stringFlag(fs *pflag.FlagSet, p *string, key, def string) {
	fs.StringVar(p, flagName(key), def, setting(key).Doc)
}

func boolFlag(fs *pflag.FlagSet, p *bool, key string) {
	fs.BoolVar(p, flagName(key), false, setting(key).Doc)
}

// networkFlag binds --network (engine.Network is a string; the plugin validates it).
func networkFlag(fs *pflag.FlagSet, n *engine.Network) {
	fs.StringVar((*string)(n), flagName("network"), "", setting("network").Doc)
}

// kvFlag collects repeated key=value flags into a map.
type kvFlag struct {
	m       *map[string]string
	fromEnv bool // a bare KEY takes its value from the environment, as podman run --env does
}

func mapFlag(fs *pflag.FlagSet, m *map[string]string, key string, fromEnv bool) {
	fs.Var(&kvFlag{m: m, fromEnv: fromEnv}, flagName(key), setting(key).Doc+" (repeatable)")
}

func (f *kvFlag) String() string { return "" }
func (f *kvFlag) Type() string   { return "key=value" }
func (f *kvFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		if !f.fromEnv {
			return fmt.Errorf("%q is not key=value", s)
		}
		v, ok = os.LookupEnv(k)
		if !ok {
			return fmt.Errorf("%q is not key=value and $%s is not set", s, k)
		}
	}
	if k == "" {
		return fmt.Errorf("%q has an empty key", s)
	}
	if *f.m == nil {
		*f.m = map[string]string{}
	}
	(*f.m)[k] = v
	return nil
}

// durationFlag accepts a Go duration (90s, 10m) or plain seconds (600).
type durationFlag struct{ d *time.Duration }

func timeoutFlag(fs *pflag.FlagSet, d *time.Duration) {
	fs.Var(&durationFlag{d}, flagName("timeout"), setting("timeout").Doc+" (default: per operation)")
}

func (f *durationFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}
func (f *durationFlag) Type() string { return "duration" }

// Set parses the flag. Zero is refused: there is no "no timeout", and leaving the flag out is how
// to get the operation's default (the API's timeout_seconds 0 means that default).
func (f *durationFlag) Set(s string) error {
	d := time.Duration(-1)
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		d = time.Duration(n) * time.Second
	} else if p, err := time.ParseDuration(s); err == nil {
		d = p
	}
	switch {
	case d < 0:
		return fmt.Errorf("%q is not a duration such as 90s or 10m, nor a number of seconds", s)
	case d == 0:
		return fmt.Errorf("%q: a timeout must be longer than 0; leave --timeout out for the operation's default (up to 30m)", s)
	}
	*f.d = d
	return nil
}

// portsFlag parses podman-style [[ip:]hostPort:]containerPort[/protocol] specs.
type portsFlag struct{ ports *[]engine.Port }

func (f *portsFlag) String() string { return "" }
func (f *portsFlag) Type() string   { return "port" }
func (f *portsFlag) Set(s string) error {
	p, err := ParsePort(s)
	if err != nil {
		return err
	}
	*f.ports = append(*f.ports, p)
	return nil
}

// ParsePort parses [[ip:]hostPort:]containerPort[/protocol]; an IPv6 address goes in brackets.
func ParsePort(s string) (engine.Port, error) {
	var p engine.Port
	spec, proto, _ := strings.Cut(s, "/")
	p.Protocol = proto
	var parts []string
	if strings.HasPrefix(spec, "[") {
		end := strings.Index(spec, "]")
		if end < 0 {
			return p, fmt.Errorf("%q: unclosed [ in IPv6 address", s)
		}
		p.HostIP = spec[1:end]
		parts = strings.Split(strings.TrimPrefix(spec[end+1:], ":"), ":")
		if len(parts) != 2 {
			return p, fmt.Errorf("%q: want [ip]:hostPort:containerPort", s)
		}
	} else {
		parts = strings.Split(spec, ":")
		switch len(parts) {
		case 1, 2:
		case 3:
			p.HostIP, parts = parts[0], parts[1:]
		default:
			return p, fmt.Errorf("%q: want [[ip:]hostPort:]containerPort[/tcp|udp]", s)
		}
	}
	num := func(v string, allowEmpty bool) (uint16, error) {
		if v == "" && allowEmpty {
			return 0, nil
		}
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("%q: %q is not a port number (1-65535)", s, v)
		}
		return uint16(n), nil
	}
	var err error
	if len(parts) == 2 {
		if p.HostPort, err = num(parts[0], true); err != nil {
			return p, err
		}
	}
	if p.ContainerPort, err = num(parts[len(parts)-1], false); err != nil {
		return p, err
	}
	return p, nil
}
