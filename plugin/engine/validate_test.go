package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Values Podman would not store as given are refused, naming the variable or label.
func TestEnvAndLabelValues(t *testing.T) {
	refused := map[string]string{
		" leading":        "whitespace",
		"trailing ":       "whitespace",
		"trailing\u00a0":  "whitespace", // Podman's strings.TrimSpace trims Unicode spaces too
		"two\nlines":      "line break",
		"carriage\rret":   "line break",
		"nul\x00byte":     "NUL",
		"tab\tinside":     "control character",
		"bell\x07":        "control character",
		"not utf-8 \xff!": "not valid UTF-8",
	}
	for v, why := range refused {
		err := validateEnv(map[string]string{"OK": "fine", "X": v})
		require.Error(t, err, "%q", v)
		e := AsError(err)
		assert.Equal(t, CodeInvalidArgument, e.Code)
		assert.Equal(t, `env["X"]`, e.Field, "%q", v)
		assert.Contains(t, e.Message, why, "%q", v)
		assert.NotEmpty(t, e.Fix)

		err = validateLabels(map[string]string{"org.example.k": v})
		require.Error(t, err, "%q", v)
		assert.Equal(t, `labels["org.example.k"]`, AsError(err).Field, "%q", v)
	}
	for _, v := range []string{`"quoted"`, `"`, `""`} {
		err := validateLabels(map[string]string{"k": v})
		require.Error(t, err, "a LABEL line strips the quotes of %s", v)
		assert.Contains(t, err.Error(), "wrapped in double quotes")
		assert.NoError(t, validateEnv(map[string]string{"K": v}), "an environment value keeps its quotes")
	}
	for _, v := range []string{"", "a b", "'single'", `"half`, `half"`, "x=y", "$HOME", "back\\slash", "ünïcode ✓"} {
		assert.NoError(t, validateEnv(map[string]string{"K": v}), "%q", v)
		assert.NoError(t, validateLabels(map[string]string{"k": v}), "%q", v)
	}
	for _, k := range []string{"", "a b", "a=b", `"k"`, "k\x01", "\xff"} {
		err := validateLabels(map[string]string{k: "v"})
		require.Error(t, err, "key %q", k)
		assert.Contains(t, err.Error(), "invalid label key")
	}
	// Every operation that takes them checks them.
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "server.xml"), []byte("<server/>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "app.war"), []byte("PK"), 0o644))
	bad := map[string]string{"K": " x"}
	for name, v := range map[string]interface{ Validate() error }{
		"containerize":     &ContainerizeOptions{AppInputs: AppInputs{AppArchive: filepath.Join(dir, "app.war"), ServerXML: filepath.Join(dir, "server.xml")}, Image: "localhost/a:1", Env: bad},
		"checkpoint":       &CheckpointOptions{Image: "localhost/a:1", RunSettings: RunSettings{Env: bad}},
		"restore":          &RestoreOptions{Image: "localhost/a:1", RunSettings: RunSettings{Env: bad}},
		"checkpoint-image": &CheckpointImageOptions{AppInputs: AppInputs{AppArchive: filepath.Join(dir, "app.war"), ServerXML: filepath.Join(dir, "server.xml")}, Image: "localhost/a:1", Labels: bad},
		"commit":           &CommitOptions{Container: "c", Image: "localhost/a:1", Labels: bad},
		"build-base-image": &BuildBaseImageOptions{ContextDir: dir, Containerfile: "server.xml", Labels: bad},
	} {
		err := v.Validate()
		require.Error(t, err, name)
		assert.Contains(t, []string{`env["K"]`, `labels["K"]`}, AsError(err).Field, name)
	}
}

// Liberty reads configDropins/defaults and configDropins/overrides as server.xml fragments: a
// malformed one is refused before any image is built, naming config_dir and the file.
func TestConfigDropins(t *testing.T) {
	config := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(config, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	write("server.xml", "<server/>")
	write("configDropins/defaults/a.xml", `<?xml version="1.0"?><server><featureManager/></server>`)
	write("configDropins/overrides/notes.txt", "not XML, not read by Liberty")
	write("app.war", "PK")
	validate := func() error {
		o := ContainerizeOptions{AppInputs: AppInputs{ConfigDir: config, AppArchive: filepath.Join(config, "app.war")}, Image: "localhost/a:1"}
		return o.Validate()
	}
	require.NoError(t, validate())

	write("configDropins/overrides/broken.xml", "<server>\n  <featureManager>\n</server>\n")
	err := validate()
	require.Error(t, err)
	e := AsError(err)
	assert.Equal(t, CodeInvalidArgument, e.Code)
	assert.Equal(t, "config_dir", e.Field)
	assert.Contains(t, e.Message, filepath.Join("configDropins", "overrides", "broken.xml")+" is not well-formed XML near line 3")
	assert.Contains(t, e.Fix, "broken.xml")
	require.NoError(t, os.Remove(filepath.Join(config, "configDropins/overrides/broken.xml")))

	write("configDropins/defaults/other.XML", "<project/>")
	err = validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has root element <project>, not <server>")
	require.NoError(t, os.Remove(filepath.Join(config, "configDropins/defaults/other.XML")))

	// A link out of the config directory is not read here (the copy refuses it).
	outside := filepath.Join(t.TempDir(), "x.xml")
	require.NoError(t, os.WriteFile(outside, []byte("not xml"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(config, "configDropins/defaults/link.xml")))
	assert.NoError(t, validate())
}

// serve admits requests by their connection and paths: every operation of the Engine has a rule.
func TestEveryOperationHasAnAdmissionRule(t *testing.T) {
	engineType := reflect.TypeOf((*Engine)(nil)).Elem()
	require.Positive(t, engineType.NumMethod())
	for i := range engineType.NumMethod() {
		m := engineType.Method(i)
		opts := reflect.New(m.Type.In(1)).Interface()
		assert.NotNil(t, RequestConnection(opts), "%s: RequestConnection does not know %T", m.Name, opts)
	}
	assert.Nil(t, RequestConnection(&struct{}{}))
}

func TestRequestPaths(t *testing.T) {
	base := t.TempDir()
	o := &CheckpointImageOptions{AppInputs: AppInputs{AppArchive: "target/app.war", ConfigDir: "/abs/config"}, SeccompProfile: "p.json"}
	paths := RequestPaths(o, base)
	fields := map[string]string{}
	for _, p := range paths {
		fields[p.Field] = *p.Path
		assert.Equal(t, p.Field == "app_archive" || p.Field == "containerfile", p.KeepName, p.Field)
	}
	assert.Equal(t, map[string]string{"app_archive": filepath.Join(base, "target/app.war"), "config_dir": "/abs/config",
		"seccomp_profile": filepath.Join(base, "p.json")}, fields, "empty fields are left out")
	assert.Equal(t, filepath.Join(base, "target/app.war"), o.AppArchive, "made absolute in place")

	b := &BuildBaseImageOptions{Containerfile: "Dockerfile.local"}
	RequestPaths(b, base)
	assert.Equal(t, filepath.Join(base, DefaultContextDir), b.ContextDir)
	assert.Equal(t, filepath.Join(base, DefaultContextDir, "Dockerfile.local"), b.Containerfile, "relative to the context, as Validate does")
	assert.Empty(t, RequestPaths(&DoctorOptions{}, base))
	assert.True(t, Within("/a", "/a"))
	assert.True(t, Within("/a", "/a/b"))
	assert.False(t, Within("/a", "/ab"))
	assert.True(t, Within("/", "/x"))
}

// Found by FuzzConfigXML: a document with two root elements or text outside its root is not
// well-formed; a byte order mark is fine.
func TestXMLWellFormed(t *testing.T) {
	for doc, want := range map[string]string{
		"<server/><server/>":        "a second root element <server> after <server>",
		"<server/>trailing text":    "text outside the root element",
		"\u00a0<server/>":           "text outside the root element",
		"<server/>\n<!-- end -->\n": "",
		"\ufeff<server/>":           "",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE server>\n<server/>\n": "",
	} {
		_, _, err := parseXMLRoot(strings.NewReader(doc))
		if want == "" {
			assert.NoError(t, err, "%q", doc)
		} else if assert.Error(t, err, "%q", doc) {
			assert.Contains(t, err.Error(), want, "%q", doc)
		}
	}
}

// Found by FuzzParseReference against Podman's own parser: no IPv6 registry addresses, digests of
// the exact length, and 255 characters for the name, not the whole reference (so that the kept
// application image's -app tag still fits).
func TestReferenceLikePodman(t *testing.T) {
	for ref, why := range map[string]string{
		"[::1]:5000/app:1": "not of the form",
		"localhost/app@sha256:" + strings.Repeat("a", 32): "digest",
		"localhost/app@sha256:" + strings.ToUpper(hex64):  "digest",
		"localhost/app@md5:" + strings.Repeat("a", 32):    "digest",
		strings.Repeat("a", 256):                          "longer than 255",
	} {
		_, got, ok := ParseReference(ref)
		assert.False(t, ok, ref)
		assert.Contains(t, got, why, ref)
	}
	long := strings.Repeat("a", 250)
	_, why, ok := ParseReference(long + ":" + strings.Repeat("t", 128))
	assert.True(t, ok, why)
	_, why, ok = ParseReference(AppImageRef(long))
	assert.True(t, ok, "%s: %s", AppImageRef(long), why)
	_, why, ok = ParseReference("localhost/app@sha512:" + strings.Repeat("0", 128))
	assert.True(t, ok, why)
}

func TestMemoryLabels(t *testing.T) {
	got := MemoryLabels([]string{
		"liberty-checkpoint: compacted: RSS 190000 kB -> 150000 kB (...); memory at checkpoint: heap-committed=51200 kB heap-max=262144 kB",
		"liberty-checkpoint: server RSS before the dump: 150000 kB (pid 42)",
		"liberty-checkpoint: memory at checkpoint: rss=150000 kB",
		"rss=1 kB without the marker is not read",
	})
	want := map[string]string{LabelMemoryRSS: "153600000", LabelHeapCommitted: "52428800", LabelHeapMax: "268435456"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if m := MemoryLabels([]string{"liberty-checkpoint: memory at checkpoint: rss= kB"}); len(m) != 0 {
		t.Errorf("an empty value gives no label: %v", m)
	}
}

func TestValidateMemory(t *testing.T) {
	for in, want := range map[string]int64{"": 0, "512m": 512 << 20, "1G": 1 << 30, "7000000": 7000000, "8192k": 8 << 20} {
		l := MemoryLimit{Memory: in}
		if err := l.Validate(); err != nil || l.MemoryBytes != want {
			t.Errorf("MemoryLimit{%q}.Validate() = %d, %v; want %d", in, l.MemoryBytes, err, want)
		}
	}
	for _, in := range []string{"1m", "lots", "-5m", "1.5g", "99999999999999999999g"} {
		l := MemoryLimit{Memory: in}
		if err := l.Validate(); CodeOf(err) != CodeInvalidArgument || AsError(err).Field != "memory" {
			t.Errorf("MemoryLimit{%q}.Validate() = %v, want an InvalidArgument on memory", in, err)
		}
	}
}

// "unconfined" turns seccomp off only when asked for by name: it is no path, so it is neither
// made absolute nor confined to serve's root, and it passes validation; anything else must be a
// JSON profile file.
func TestSeccompUnconfinedIsAKeyword(t *testing.T) {
	o := &RestoreOptions{RunSettings: RunSettings{SeccompProfile: "unconfined"}}
	assert.Empty(t, RequestPaths(o, t.TempDir()))
	assert.Equal(t, "unconfined", o.SeccompProfile)
	assert.NoError(t, validateSeccomp(&o.SeccompProfile))
	missing := "no-such-profile.json"
	err := validateSeccomp(&missing)
	require.Error(t, err)
	assert.Equal(t, "seccomp_profile", AsError(err).Field)
}
