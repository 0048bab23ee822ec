package apiserver

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Policy admits requests: every path a request names must lie under the root once symlinks are
// resolved, and a request may choose the Podman connection only when serve allows it; otherwise
// it gets serve's own. Relative paths resolve against the root.
type Policy struct {
	root                    string            // absolute, symlinks resolved
	connection              engine.Connection // serve's own Podman connection (--podman-url, --identity), may be empty
	allowConnectionOverride bool
}

// NewPolicy returns the policy for a serve started for root whose own Podman connection is
// connection (empty: the plugin's default).
func NewPolicy(root string, connection engine.Connection, allowConnectionOverride bool) (*Policy, error) {
	abs, err := filepath.Abs(root)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeNotFound, Field: "root", Message: "cannot resolve the root directory " + root, Err: err,
			Fix: "pass an existing directory with --root (default: the directory serve starts in)"}
	}
	return &Policy{root: abs, connection: connection, allowConnectionOverride: allowConnectionOverride}, nil
}

// Root is the directory requests are confined to.
func (p *Policy) Root() string { return p.root }

// Admit is the contract.Admission of serve. It rewrites each path to its resolved form, so the
// engine reads what was checked, not whatever a link points at later (an archive and a
// Containerfile keep their own name in their resolved directory: see engine.PathField.KeepName).
func (p *Policy) Admit(op string, opts any) error {
	conn := engine.RequestConnection(opts)
	if conn == nil {
		return engine.Errorf(engine.CodeInternal, "", "report this: serve has no admission rule for it", "serve cannot check %s requests", op)
	}
	if conn.URI == "" {
		conn.URI = p.connection.URI
	}
	if conn.Identity == "" {
		conn.Identity = p.connection.Identity
	}
	if *conn != p.connection && !p.allowConnectionOverride {
		field, value := "connection.uri", conn.URI
		if conn.URI == p.connection.URI {
			field, value = "connection.identity", conn.Identity
		}
		return engine.Denied(field,
			"leave connection empty: this serve uses its own Podman connection (its --podman-url and --identity); start serve with --allow-connection-override to let requests choose",
			"this serve does not let requests choose the Podman connection (%q)", value)
	}
	for _, f := range engine.RequestPaths(opts, p.root) {
		if err := p.confine(f); err != nil {
			return err
		}
	}
	return nil
}

func (p *Policy) confine(f engine.PathField) error {
	given := *f.Path
	real, err := resolve(given)
	if err != nil {
		return &engine.Error{Code: engine.CodeFailedPrecondition, Field: f.Field, Message: "cannot resolve " + given, Err: err,
			Fix: "check the path and its directories' permissions"}
	}
	deny := func(what string) error {
		return engine.Denied(f.Field, "use a path under "+p.root+", or start serve with --root at a directory that holds it",
			"%s is outside the directory this serve works in (%s)", what, p.root)
	}
	if !engine.Within(p.root, real) {
		if real != given {
			return deny(given + " (which leads to " + real + ")")
		}
		return deny(given)
	}
	if f.KeepName {
		dir, err := resolve(filepath.Dir(given))
		if err != nil || !engine.Within(p.root, dir) {
			return deny(given)
		}
		real = filepath.Join(dir, filepath.Base(given))
	}
	*f.Path = real
	return nil
}

// resolve is filepath.EvalSymlinks for a path that may not exist yet: the part that exists is
// resolved, the rest appended. (A missing file is validation's to report, with its own message.)
func resolve(path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err == nil {
		return real, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	dir, base := filepath.Split(filepath.Clean(path))
	dir = filepath.Clean(dir)
	if dir == path || base == "" {
		return path, nil
	}
	realDir, err := resolve(dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(realDir, base), nil
}
