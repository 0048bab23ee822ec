package engine

import (
	"path/filepath"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
)

// PathField is a file or directory on the serving machine that a request names, by the request
// field's API name. The API server uses these to confine requests to its root directory.
type PathField struct {
	Field string
	Path  *string
	// KeepName: the file's own name and place matter (an archive is deployed under its name, a
	// Containerfile's directory is the build context), so a link in its last component must not
	// be replaced by its target.
	KeepName bool
}

// RequestPaths returns the non-empty paths that opts, a pointer to one of the operations'
// options structs, names, after filling in default paths as Validate does and making relative
// ones absolute against base (the working directory when base is empty), so that a caller can
// check them before Validate reads any file. Validate derives one more (server.xml inside
// config_dir): call it again afterwards to see that one too.
func RequestPaths(opts any, base string) []PathField {
	var all []PathField
	add := func(field string, p *string) { all = append(all, PathField{Field: field, Path: p}) }
	app := func(a *AppInputs) {
		all = append(all, PathField{Field: "app_archive", Path: &a.AppArchive, KeepName: true},
			PathField{Field: "containerfile", Path: &a.Containerfile, KeepName: true})
		add("server_xml", &a.ServerXML)
		add("config_dir", &a.ConfigDir)
	}
	registry := func(r *Registry) {
		add("registry.authfile", &r.AuthFile)
		add("registry.cert_dir", &r.CertDir)
	}
	switch o := opts.(type) {
	case *BuildBaseImageOptions:
		o.defaultPaths(base)
		add("context_dir", &o.ContextDir)
		add("containerfile", &o.Containerfile)
	case *ContainerizeOptions:
		app(&o.AppInputs)
	case *CheckpointOptions:
		add("seccomp_profile", &o.SeccompProfile)
	case *RestoreOptions:
		add("seccomp_profile", &o.SeccompProfile)
		registry(&o.Registry)
	case *CheckpointImageOptions:
		app(&o.AppInputs)
		add("seccomp_profile", &o.SeccompProfile)
		registry(&o.Registry)
	case *PushOptions:
		registry(&o.Registry)
	case *KubeOptions:
		if o.OutputDir == "" {
			o.OutputDir = DefaultKubeDir
		}
		add("output_dir", &o.OutputDir)
	}
	var set []PathField
	for _, p := range all {
		if *p.Path == "" || (p.Field == "seccomp_profile" && *p.Path == privilege.Unconfined) {
			continue
		}
		*p.Path = absPath(base, *p.Path)
		set = append(set, p)
	}
	return set
}

// RequestConnection returns the Podman connection that opts, a pointer to one of the
// operations' options structs, asks for; nil for a type it does not know, so that a caller
// enforcing a policy can refuse what it cannot check.
func RequestConnection(opts any) *Connection {
	if o, ok := opts.(interface{ common() *Common }); ok {
		return &o.common().Connection
	}
	return nil
}

// common gives RequestConnection every operation's Common, through the options that embed it.
func (c *Common) common() *Common { return c }

// absPath makes p absolute against base, or against the working directory when base is empty.
func absPath(base, p string) string {
	if base != "" && !filepath.IsAbs(p) {
		return filepath.Join(base, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// Within reports whether path is dir or below it; both are clean absolute paths.
func Within(dir, path string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}
