package engine

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Labels a base image carries about the Liberty in it (beta-image/Dockerfile.local sets them).
const (
	LabelFlavor         = labelPrefix + "flavor"           // local or ubi
	LabelLibertyVersion = labelPrefix + "liberty-version"  // the Open Liberty release
	LabelFeatures       = labelPrefix + "liberty-features" // the features the base was built for (LIBERTY_FEATURES)
	// LabelInstalledFeatures lists every feature installed in the base (their IBM-ShortName, the
	// ones asked for and what they pulled in), space-separated. A base without it is not checked.
	LabelInstalledFeatures = labelPrefix + "liberty-installed-features"
)

// ServerFeatures reads the features a server configuration enables: the <feature> elements of
// <featureManager> in server.xml, in the files it includes (when their location is a path in the
// configuration directory) and in configDir's configDropins/defaults and configDropins/overrides,
// as Liberty reads them. Each feature once (case-insensitively), in the order first seen.
func ServerFeatures(serverXML, configDir string) ([]string, error) {
	r := featureReader{seen: map[string]bool{}, read: map[string]bool{}}
	if serverXML != "" {
		if err := r.file(serverXML, configDir, true); err != nil {
			return nil, err
		}
	}
	if configDir != "" {
		for _, sub := range []string{"defaults", "overrides"} {
			files, _ := filepath.Glob(filepath.Join(configDir, "configDropins", sub, "*.xml"))
			slices.Sort(files)
			for _, f := range files {
				if err := r.file(f, configDir, false); err != nil {
					return nil, err
				}
			}
		}
	}
	return r.features, nil
}

type featureReader struct {
	features   []string
	seen, read map[string]bool
}

// file reads one configuration file and the includes it names. A missing file is an error only
// for server.xml (validation has checked it); an include Liberty would not find is skipped.
func (r *featureReader) file(path, configDir string, required bool) error {
	abs, _ := filepath.Abs(path)
	if r.read[abs] {
		return nil
	}
	r.read[abs] = true
	data, err := os.ReadFile(path)
	if err != nil {
		if required {
			return err
		}
		return nil
	}
	features, includes, err := parseFeatures(data)
	if err != nil {
		return err
	}
	for _, f := range features {
		if key := strings.ToLower(f); !r.seen[key] {
			r.seen[key] = true
			r.features = append(r.features, f)
		}
	}
	for _, loc := range includes {
		if p := includePath(loc, filepath.Dir(path), configDir); p != "" {
			if err := r.file(p, configDir, false); err != nil {
				return err
			}
		}
	}
	return nil
}

// includePath resolves an <include location> to a file: relative to the including file, or
// under ${server.config.dir} (the configuration directory). "" when it cannot be told here (other
// variables, URLs).
func includePath(loc, dir, configDir string) string {
	loc = strings.TrimSpace(loc)
	if rest, ok := strings.CutPrefix(loc, "${server.config.dir}"); ok && configDir != "" {
		return filepath.Join(configDir, rest)
	}
	if loc == "" || strings.Contains(loc, "${") || strings.Contains(loc, "://") || filepath.IsAbs(loc) {
		return ""
	}
	return filepath.Join(dir, loc)
}

// parseFeatures returns the features of a configuration file's <featureManager> elements and
// the locations of its <include> elements.
func parseFeatures(data []byte) (features, includes []string, err error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return features, includes, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			text.Reset()
			if t.Name.Local == "include" {
				for _, a := range t.Attr {
					if a.Name.Local == "location" {
						includes = append(includes, a.Value)
					}
				}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			n := len(stack)
			if n >= 2 && stack[n-1] == "feature" && stack[n-2] == "featureManager" {
				if f := strings.TrimSpace(text.String()); f != "" {
					features = append(features, f)
				}
			}
			if n > 0 {
				stack = stack[:n-1]
			}
			text.Reset()
		}
	}
}

var versionedFeatureRE = regexp.MustCompile(`-[0-9]+(\.[0-9]+)*$`)

// MissingFeatures returns the features of wanted that installed (feature short names) lacks,
// case-insensitively. A versionless feature (servlet) is there when any version of it is. User
// and product extension features (usr:name, ext:name) are left to the build: they are not part
// of the Liberty runtime.
func MissingFeatures(wanted, installed []string) []string {
	have := map[string]bool{}
	families := map[string]bool{}
	for _, f := range installed {
		f = strings.ToLower(f)
		have[f] = true
		families[versionedFeatureRE.ReplaceAllString(f, "")] = true
	}
	var missing []string
	for _, f := range wanted {
		l := strings.ToLower(f)
		switch {
		case strings.Contains(l, ":"):
		case versionedFeatureRE.MatchString(l) && !have[l]:
			missing = append(missing, f)
		case !versionedFeatureRE.MatchString(l) && !families[l]:
			missing = append(missing, f)
		}
	}
	return missing
}

// InstantOnUnsupported returns the features of a server configuration that Open Liberty
// InstantOn does not support: a checkpoint with Liberty's own InstantOn (server checkpoint, the
// UBI images) fails with CWWKC0456E when one is enabled. Versionless features and extension
// features are not judged.
func InstantOnUnsupported(features []string) []string {
	var out []string
	for _, f := range features {
		l := strings.ToLower(f)
		if strings.Contains(l, ":") || !versionedFeatureRE.MatchString(l) {
			continue
		}
		if !instantOnFeatures[l] {
			out = append(out, f)
		}
	}
	return out
}

// Fields splits a feature list label (space- or comma-separated).
func Fields(list string) []string {
	return strings.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
}
