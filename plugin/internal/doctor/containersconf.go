package doctor

import (
	"path/filepath"
	"sort"
	"strings"
)

// podmanDefaultRlimit is what rootful Podman asks for nofile and nproc when containers.conf sets
// no default_ulimits (define.RLimitDefaultValue); rootless Podman clamps to its own hard limits.
const podmanDefaultRlimit = 1048576

// DropIn is the containers.conf drop-in hack/setup-host.sh writes and doctor's fixes name.
const DropIn = "/etc/containers/containers.conf.d/50-liberty-checkpoint.conf"

// ulimitSetting is the containers.conf default_ulimits in effect and the file that set it.
type ulimitSetting struct {
	values []string // e.g. nofile=4096:4096
	source string   // empty: no file sets it
}

// containersConfFiles lists the containers.conf files Podman reads, lowest priority first.
func containersConfFiles(h Host, rootless bool) []string {
	if env := h.Getenv("CONTAINERS_CONF"); env != "" {
		files := []string{env}
		if o := h.Getenv("CONTAINERS_CONF_OVERRIDE"); o != "" {
			files = append(files, o)
		}
		return files
	}
	var files []string
	add := func(main, dropins string) {
		files = append(files, main)
		d, _ := h.Glob(filepath.Join(dropins, "*.conf"))
		sort.Strings(d)
		files = append(files, d...)
	}
	add("/usr/share/containers/containers.conf", "/usr/share/containers/containers.conf.d")
	add("/etc/containers/containers.conf", "/etc/containers/containers.conf.d")
	if rootless {
		cfg := h.Getenv("XDG_CONFIG_HOME")
		if cfg == "" {
			cfg = filepath.Join(h.Getenv("HOME"), ".config")
		}
		add(filepath.Join(cfg, "containers", "containers.conf"), filepath.Join(cfg, "containers", "containers.conf.d"))
	}
	if o := h.Getenv("CONTAINERS_CONF_OVERRIDE"); o != "" {
		files = append(files, o)
	}
	return files
}

// defaultUlimits finds the default_ulimits Podman on this machine uses.
func defaultUlimits(h Host, rootless bool) ulimitSetting {
	var set ulimitSetting
	for _, f := range containersConfFiles(h, rootless) {
		b, err := h.ReadFile(f)
		if err != nil {
			continue
		}
		if v, ok := tomlStringArray(string(b), "containers", "default_ulimits"); ok {
			set = ulimitSetting{values: v, source: f}
		}
	}
	return set
}

// limit returns the soft limit the setting gives resource (nofile, nproc), if it names it.
func (u ulimitSetting) limit(resource string) (string, bool) {
	for _, v := range u.values {
		if name, val, ok := strings.Cut(v, "="); ok && strings.TrimSpace(name) == resource {
			return strings.TrimSpace(val), true
		}
	}
	return "", false
}

// tomlStringArray reads `key = ["a", "b"]` (possibly over several lines) from table of a TOML
// file: just enough TOML for containers.conf.
func tomlStringArray(doc, table, key string) ([]string, bool) {
	in := ""
	lines := strings.Split(doc, "\n")
	for i := 0; i < len(lines); i++ {
		line := stripComment(lines[i])
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") && !strings.Contains(t, "=") {
			in = strings.Trim(t, "[] ")
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if in != table || !ok || strings.TrimSpace(k) != key {
			continue
		}
		v = strings.TrimSpace(v)
		for !strings.Contains(v, "]") && i+1 < len(lines) {
			i++
			v += " " + stripComment(lines[i])
		}
		var out []string
		for _, part := range strings.Split(strings.Trim(v, "[] "), ",") {
			if p := strings.Trim(strings.TrimSpace(part), `"'`); p != "" {
				out = append(out, p)
			}
		}
		return out, true
	}
	return nil, false
}

func stripComment(line string) string {
	quoted := false
	for i, c := range line {
		switch c {
		case '"':
			quoted = !quoted
		case '#':
			if !quoted {
				return line[:i]
			}
		}
	}
	return line
}
