package cli

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// FuzzParsePort: --publish specs never panic; a refusal quotes the spec; validation of a parsed
// port either refuses it naming the ports[0] field that is wrong, or accepts a port that prints
// back to a spec that parses the same.
func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"9080", "8080:9080", ":9080", "0.0.0.0:8080:9080", "127.0.0.1::9080/udp", "[::1]:8080:9080",
		"[2001:db8::1]:0:9443", "127.0.0.1:8080:9080/tcp", "", "x", "70000", "1:2:3:4", "[::1:80", "a:9080", "8080:", "9080/sctp",
		"[]:1:2", "[::1]::9080/", "+80", "0x50", "08080"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePort(s)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("the refusal of %q does not quote it: %v", s, err)
			}
			return
		}
		// What the spec does not check (an IP address, port 0) validation refuses, naming the field.
		o := engine.RestoreOptions{Image: "localhost/app:1", Ports: []engine.Port{p}}
		if err := o.Validate(); err != nil {
			if e := engine.AsError(err); !strings.HasPrefix(e.Field, "ports[0].") || e.Fix == "" {
				t.Fatalf("%q: the refusal names %q: %v", s, e.Field, err)
			}
			return
		}
		again, err := ParsePort(formatPort(p))
		if err != nil || again != p {
			t.Fatalf("%q parsed as %+v, which prints as %q and parses as %+v (%v)", s, p, formatPort(p), again, err)
		}
	})
}

// formatPort is the spec of p: [ip:][hostPort:]containerPort[/protocol].
func formatPort(p engine.Port) string {
	s := fmt.Sprint(p.ContainerPort)
	if p.HostIP != "" || p.HostPort != 0 {
		host := ""
		if p.HostPort != 0 {
			host = fmt.Sprint(p.HostPort)
		}
		s = host + ":" + s
	}
	if p.HostIP != "" {
		ip := p.HostIP
		if strings.Contains(ip, ":") {
			ip = "[" + ip + "]"
		}
		s = ip + ":" + s
	}
	if p.Protocol != "" {
		s += "/" + p.Protocol
	}
	return s
}

// FuzzDurationFlag: --timeout takes a Go duration or whole seconds; what it accepts is never
// negative, plain seconds mean seconds, and validation either keeps it or refuses it as
// timeout_seconds.
func FuzzDurationFlag(f *testing.F) {
	for _, s := range []string{"90s", "10m", "600", "0", "soon", "-1s", "1.5h", "4294967295", "4294967296", "99999999999999999999",
		"1ns", "24h", "24h0m1s", "", " 5", "+5", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d time.Duration
		if err := (&durationFlag{&d}).Set(s); err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("%q was accepted as %s", s, d)
		}
		if n, err := strconv.ParseUint(s, 10, 32); err == nil && d != time.Duration(n)*time.Second {
			t.Fatalf("%q seconds became %s", s, d)
		}
		o := engine.DoctorOptions{Common: engine.Common{Timeout: d}}
		if err := o.Validate(); err != nil {
			if engine.AsError(err).Field != "timeout_seconds" {
				t.Fatalf("%q: %v", s, err)
			}
		} else if o.Timeout <= 0 || o.Timeout > engine.MaxTimeout {
			t.Fatalf("%q: validated to %s", s, o.Timeout)
		}
	})
}

// Found by FuzzParsePort: a spec may parse into a port that validation refuses; the refusal
// names the part that is wrong.
func TestPortSpecsRefusedByValidation(t *testing.T) {
	for spec, field := range map[string]string{"]::0": "ports[0].container_port", "]::9080": "ports[0].host_ip", "foo:1:2": "ports[0].host_ip", "0": "ports[0].container_port",
		"[::1]:80:0": "ports[0].container_port", "80/sctp": "ports[0].protocol"} {
		p, err := ParsePort(spec)
		if err != nil {
			t.Fatalf("%q: %v", spec, err)
		}
		o := engine.RestoreOptions{Image: "localhost/app:1", Ports: []engine.Port{p}}
		if got := engine.AsError(o.Validate()); got == nil || got.Field != field {
			t.Errorf("%q: want a refusal naming %s, got %v", spec, field, got)
		}
	}
}
