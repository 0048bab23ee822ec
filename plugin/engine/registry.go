package engine

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// OpPush is the push operation's name.
const OpPush = "push"

// DefaultPushTimeout bounds a push when the request sets no timeout.
const DefaultPushTimeout = 15 * time.Minute

func init() { DefaultTimeouts[OpPush] = DefaultPushTimeout }

// Registry says how to reach and log in to a container registry, as podman push and pull do.
type Registry struct {
	// AuthFile is a containers-auth.json(5) file. Empty: Podman's lookup ($XDG_RUNTIME_DIR/
	// containers/auth.json, then ~/.docker/config.json); the CLI fills in $REGISTRY_AUTH_FILE.
	AuthFile string
	// Creds is user:password; it wins over AuthFile. It must never reach a log or an event.
	Creds string
	// TLSVerify: nil means true. False also allows plain HTTP.
	TLSVerify *bool
	// CertDir holds CA certificates (*.crt) for the registry: the tool's own calls (the digest
	// check) and, for a Podman service on this machine, Podman's push and pull (lent to the
	// certs.d directory the service reads; Podman's API takes no certificate directory).
	CertDir string
}

// Verify reports whether TLS certificates are verified (the default).
func (r Registry) Verify() bool { return r.TLSVerify == nil || *r.TLSVerify }

// User and Password split Creds.
func (r Registry) User() string     { u, _, _ := strings.Cut(r.Creds, ":"); return u }
func (r Registry) Password() string { _, p, _ := strings.Cut(r.Creds, ":"); return p }

// Mask replaces the password of Creds in s, for any text that may have picked it up.
func (r Registry) Mask(s string) string {
	if p := r.Password(); len(p) > 0 {
		s = strings.ReplaceAll(s, p, "****")
	}
	return s
}

// PushOptions pushes an image from Podman's storage to a registry.
type PushOptions struct {
	Common
	Image       string // required: a local reference or id
	Destination string // registry reference; default Image
	Registry    Registry
}

// Validate checks the options and fills in defaults.
func (o *PushOptions) Validate() error {
	if err := o.Common.Validate(OpPush); err != nil {
		return err
	}
	if err := inputImage("image", o.Image); err != nil {
		return err
	}
	if o.Destination == "" {
		if IsImageID(o.Image) {
			return Invalid("destination", "name the registry reference to push to, for example registry.example.com/team/app:1.0",
				"an image id has no registry to push to")
		}
		o.Destination = o.Image
	}
	if err := pushDestination("destination", o.Destination); err != nil {
		return err
	}
	return o.Registry.Validate()
}

// pushDestination checks a reference to push to: it must name a registry (docker.io is never
// assumed: a push there by mistake publishes the image).
func pushDestination(field, ref string) error {
	r, why, ok := ParseReference(ref)
	if !ok {
		return Invalid(field, "use registry/name[:tag] in lowercase, for example registry.example.com/team/app:1.0", "%q is not a valid image reference: %s", ref, why)
	}
	if r.Digest != "" {
		return Invalid(field, "drop the @digest: the registry gives the pushed manifest its digest", "cannot push to a digest (%q)", ref)
	}
	if !hasRegistry(ref) || strings.HasPrefix(ref, "localhost/") {
		return Invalid(field, "name the registry in the reference, for example registry.example.com/team/app:1.0 or 127.0.0.1:5000/app:1.0",
			"%q names no registry to push to (its first part is not a host)", ref)
	}
	return nil
}

// hasRegistry reports whether a reference's first path component is a registry host: it holds
// a dot or a port, or is localhost (the rule of docker's reference parser).
func hasRegistry(ref string) bool {
	first, _, ok := strings.Cut(ref, "/")
	return ok && (strings.ContainsAny(first, ".:") || first == "localhost")
}

// RegistryOf returns the registry host[:port] of a reference that names one, or "".
func RegistryOf(ref string) string {
	if !hasRegistry(ref) {
		return ""
	}
	first, _, _ := strings.Cut(ref, "/")
	return first
}

// Validate checks the registry settings and makes paths absolute.
func (r *Registry) Validate() error {
	if r.Creds != "" {
		u, p, ok := strings.Cut(r.Creds, ":")
		if !ok || u == "" || p == "" {
			return Invalid("registry.creds", "pass user:password (for a token: the user name the registry documents, then :token)",
				"creds must be user:password")
		}
		if strings.ContainsAny(r.Creds, "\n\r\x00") {
			return Invalid("registry.creds", "put user:password on one line", "creds hold a line break or NUL")
		}
	}
	if r.AuthFile != "" {
		if err := existingPath("registry.authfile", &r.AuthFile, false,
			"pass the file podman login writes (--authfile), or leave it empty to use Podman's default"); err != nil {
			return err
		}
	}
	if r.CertDir != "" {
		if err := existingPath("registry.cert_dir", &r.CertDir, true,
			"pass a directory of CA certificates (*.crt), as podman push --cert-dir takes"); err != nil {
			return err
		}
	}
	return nil
}

// DefaultAuthFile is the credentials file the CLI passes when --authfile is not given:
// $REGISTRY_AUTH_FILE, as Podman reads it; empty leaves the rest of the lookup to Podman's rules.
func DefaultAuthFile() string { return os.Getenv("REGISTRY_AUTH_FILE") }

var memoryRE = regexp.MustCompile(`^([0-9]+)([bkmg]?)$`)

// Validate parses Memory the way podman run --memory spells it, into MemoryBytes: a number of
// bytes, or with b, k, m or g (powers of 1024). Podman refuses less than 6 MiB.
func (l *MemoryLimit) Validate() error {
	s := l.Memory
	l.MemoryBytes = 0
	if s == "" {
		return nil
	}
	m := memoryRE.FindStringSubmatch(strings.ToLower(s))
	if m == nil {
		return Invalid("memory", "write a size as podman run --memory does: 512m, 1g, or a number of bytes", "%q is not a memory size", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return Invalid("memory", "use a smaller number", "%q is out of range", s)
	}
	shift := map[string]uint{"": 0, "b": 0, "k": 10, "m": 20, "g": 30}[m[2]]
	if n > (1<<62)>>shift {
		return Invalid("memory", "use a smaller number", "%q is out of range", s)
	}
	n <<= shift
	if n < 6<<20 {
		return Invalid("memory", "give the container at least 6m (Podman's minimum); a restored Liberty server needs far more", "memory limit %s is below 6 MiB", s)
	}
	l.MemoryBytes = n
	return nil
}
