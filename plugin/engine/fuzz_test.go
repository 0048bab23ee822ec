package engine

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/containers/image/v5/docker/reference"
)

// Fuzz targets: go test -fuzz=FuzzX ./plugin/engine (make fuzz runs each for FUZZTIME). Plain
// go test replays the seeds below and the corpus in testdata/fuzz, where every input that once
// failed is kept.

// checkRefusal asserts that err is a validation failure that names a field and a fix.
func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *engine.Error, got %T: %v", err, err)
	}
	if e.Field == "" || e.Fix == "" || e.Message == "" {
		t.Fatalf("a refusal names the field, the problem and the fix: %#v", e)
	}
	if e.Code != CodeInvalidArgument && e.Code != CodeNotFound {
		t.Fatalf("a refusal of a request is InvalidArgument or NotFound, got %v: %v", e.Code, e)
	}
}

// FuzzParseReference: a reference the engine accepts is one Podman's own parser accepts, with
// the same name, tag and digest, and prints back as given; its -app variant (KeepAppImage) is a
// reference too.
func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"open-liberty:beta-checkpoint-ubi", "localhost/app", "localhost:5000/team/app:1.0-instanton",
		"icr.io/appcafe/open-liberty@sha256:" + hex64, "a__b/c.d-e:T_1", "", "App:1", "my app", "app:", "-app",
		"localhost/MyApp:1", "open liberty", "[::1]:5000/app:1", "localhost/app@sha256:" + strings.Repeat("a", 64),
		strings.Repeat("a", 250), "a/" + strings.Repeat("b", 200) + ":" + strings.Repeat("t", 128)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, why, ok := ParseReference(s)
		if !ok {
			if why == "" {
				t.Fatalf("%q refused without a reason", s)
			}
			return
		}
		if r.String() != s {
			t.Fatalf("%q parsed as %+v, which prints as %q", s, r, r.String())
		}
		named, err := reference.Parse(s)
		if err != nil {
			t.Fatalf("%q is accepted here but not by Podman's reference parser: %v", s, err)
		}
		n, _ := named.(reference.Named)
		tagged, _ := named.(reference.Tagged)
		digested, _ := named.(reference.Digested)
		var tag, dig string
		if tagged != nil {
			tag = tagged.Tag()
		}
		if digested != nil {
			dig = digested.Digest().String()
		}
		if n == nil || n.Name() != r.Name || tag != r.Tag || dig != r.Digest {
			t.Fatalf("%q: here %+v, Podman's parser %v", s, r, named)
		}
		if r.Digest == "" {
			app := AppImageRef(s)
			if _, why, ok := ParseReference(app); !ok {
				t.Fatalf("the kept application image of %q, %q, is not a reference: %s", s, app, why)
			}
		}
	})
}

// FuzzEnvLabelValues: a value that passes validation survives a committed LABEL line as Podman
// parses it (libimage.ImageConfigFromChanges, containers/common v0.57: split off the instruction,
// trim spaces, split at the first '=', strip surrounding double quotes) and is a valid
// environment entry; a refused one names its field.
func FuzzEnvLabelValues(f *testing.F) {
	for _, s := range []string{"", "fine", " leading", "trailing ", "two\nlines", "nul\x00", `"quoted"`, `"`, "a b", "x=y",
		"$HOME", "\xff", "tab\tinside", "trailing\u00a0", "ünïcode ✓", "back\\slash", `half"`} {
		f.Add("KEY", "org.example.key", s)
	}
	f.Add("1BAD", "a b", "x")
	f.Add("WLP_CHECKPOINT", "k=v", "x")
	f.Fuzz(func(t *testing.T, envKey, labelKey, value string) {
		if err := validateEnv(map[string]string{envKey: value}); err != nil {
			checkRefusal(t, err)
			if e := AsError(err); e.Field != fmt.Sprintf("env[%q]", envKey) {
				t.Fatalf("refusal of env %q=%q names %q", envKey, value, e.Field)
			}
		} else if strings.ContainsRune(value, 0) || !utf8.ValidString(value) || strings.ContainsAny(envKey, "=\x00") {
			t.Fatalf("env %q=%q cannot be an environment entry", envKey, value)
		}
		err := validateLabels(map[string]string{labelKey: value})
		if err != nil {
			checkRefusal(t, err)
			if e := AsError(err); e.Field != fmt.Sprintf("labels[%q]", labelKey) {
				t.Fatalf("refusal of label %q=%q names %q", labelKey, value, e.Field)
			}
			return
		}
		k, v, perr := podmanCommitLabel("LABEL " + labelKey + "=" + value)
		if perr != nil || k != labelKey || v != value {
			t.Fatalf("label %q=%q was accepted, but a committed LABEL line stores %q=%q (%v)", labelKey, value, k, v, perr)
		}
	})
}

// podmanCommitLabel parses a LABEL change the way Podman's commit does.
func podmanCommitLabel(change string) (string, string, error) {
	split := strings.SplitN(change, " ", 2)
	if len(split) != 2 {
		return "", "", errors.New("must be formatted as KEY VALUE")
	}
	kv := strings.SplitN(strings.TrimSpace(split[1]), "=", 2)
	if len(kv) != 2 {
		return "", "", errors.New("LABEL must be formatted key=value")
	}
	key, val := kv[0], kv[1]
	if strings.HasPrefix(key, `"`) && strings.HasSuffix(key, `"`) {
		key = strings.TrimPrefix(strings.TrimSuffix(key, `"`), `"`)
	}
	if strings.HasPrefix(val, `"`) && strings.HasSuffix(val, `"`) {
		val = strings.TrimPrefix(strings.TrimSuffix(val, `"`), `"`)
	}
	if key == "" {
		return "", "", errors.New("LABEL must have a non-empty key")
	}
	return key, val, nil
}

// FuzzConfigXML: server.xml and configDropins files are accepted exactly when they are
// well-formed XML whose root element is <server> (encoding/xml's Unmarshal agrees), and a
// refusal names the field.
func FuzzConfigXML(f *testing.F) {
	for _, s := range []string{`<server/>`, `<?xml version="1.0"?><server description="x"><featureManager/></server>`,
		`<server><featureManager></server>`, `<project/>`, ``, `hello`, "<server>\n<a>&amp;</a>\n</server>", `<server/><server/>`,
		`<!-- c --><server/>`, `<server>&undefined;</server>`, "\xef\xbb\xbf<server/>", `<s:server xmlns:s="x"/>`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "server.xml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := checkServerXML(path)
		var root struct{ XMLName xml.Name }
		uerr := xml.Unmarshal(data, &root)
		if err != nil {
			checkRefusal(t, err)
			if AsError(err).Field != "server_xml" {
				t.Fatalf("refusal names %q", AsError(err).Field)
			}
			return
		}
		if uerr != nil || root.XMLName.Local != "server" {
			t.Fatalf("accepted %q, but encoding/xml reads root %q: %v", data, root.XMLName.Local, uerr)
		}
		// A well-formed document has one root element and nothing but markup and space around it.
		d := xml.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
		depth, roots := 0, 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("accepted %q, but it does not parse to the end: %v", data, err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if depth == 0 {
					roots++
				}
				depth++
			case xml.EndElement:
				depth--
			case xml.CharData:
				if depth == 0 && len(bytes.Trim(tok, xmlSpace)) > 0 {
					t.Fatalf("accepted %q, which has text outside its root element", data)
				}
			}
		}
		if roots != 1 {
			t.Fatalf("accepted %q, which has %d root elements", data, roots)
		}
	})
}

// FuzzValidateRequest: validation of a whole request never panics, refuses with a field and a
// fix, and what it accepts is normalised: validating it again changes nothing.
func FuzzValidateRequest(f *testing.F) {
	f.Add("localhost/app:1", "", "", "", "", "A", "1", "team", "x", "", uint32(0), "127.0.0.1", "tcp", uint16(9080), uint16(0), "/")
	f.Add("localhost/MyApp:1", "open liberty", "features", "my server", "http://localhost:8080", "1BAD", "x", "a b", "x", "-x", uint32(100000), "localhost:1", "sctp", uint16(0), uint16(8080), "ftp://x/")
	f.Add("localhost/app@sha256:"+strings.Repeat("a", 64), "open-liberty:beta-checkpoint-ubi", "applications", "defaultServer", "unix://run/podman.sock", "WLP_CHECKPOINT", "x", "k", `"v"`, "name", uint32(60), "::1", "UDP", uint16(9443), uint16(9443), "/health")
	f.Add("sha256:"+hex64, "", "beforeAppStart", "", "ssh://core@host/run/podman/podman.sock", "K", " v", "k", "v\n", "c.1", uint32(86400), "0.0.0.0", "", uint16(1), uint16(65535), "")
	dir := f.TempDir()
	war, xmlFile := filepath.Join(dir, "app.war"), filepath.Join(dir, "server.xml")
	if err := os.WriteFile(war, []byte("PK"), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(xmlFile, []byte("<server/>"), 0o644); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, image, baseImage, phase, serverName, uri, envK, envV, labelK, labelV, name string, timeout uint32,
		hostIP, protocol string, containerPort, hostPort uint16, readyURL string) {
		conn := Connection{URI: uri}
		env, labels := map[string]string{envK: envV}, map[string]string{labelK: labelV}
		d := time.Duration(timeout) * time.Second
		requests := []interface{ Validate() error }{
			&CheckpointImageOptions{Common: Common{Connection: conn, Timeout: d}, AppInputs: AppInputs{BaseImage: baseImage, AppArchive: war, ServerXML: xmlFile, ServerName: serverName},
				Phase: Phase(phase), Image: image, Labels: labels, Env: env},
			&CheckpointOptions{Common: Common{Connection: conn, Timeout: d}, Image: image, Phase: Phase(phase), RunSettings: RunSettings{Env: env, ContainerName: name}},
			&CommitOptions{Common: Common{Connection: conn, Timeout: d}, Container: name, Image: image, Labels: labels},
			&RestoreOptions{Common: Common{Connection: conn, Timeout: d}, Image: image, RunSettings: RunSettings{Env: env, ContainerName: name},
				Ports: []Port{{ContainerPort: containerPort, HostPort: hostPort, HostIP: hostIP, Protocol: protocol}}, Readiness: Readiness{HTTPURL: readyURL}},
			&DoctorOptions{Common: Common{Connection: conn, Timeout: d}, Image: image},
		}
		for _, r := range requests {
			err := r.Validate()
			if err != nil {
				checkRefusal(t, err)
				continue
			}
			once := reflect.ValueOf(r).Elem().Interface()
			if err := r.Validate(); err != nil {
				t.Fatalf("%T validated once, not twice: %v", r, err)
			}
			if twice := reflect.ValueOf(r).Elem().Interface(); !reflect.DeepEqual(once, twice) {
				t.Fatalf("validating %T again changed it:\n%+v\n%+v", r, once, twice)
			}
			if v := reflect.ValueOf(r).Elem().FieldByName("Timeout").Interface().(time.Duration); v <= 0 || v > MaxTimeout {
				t.Fatalf("%T accepted with timeout %s", r, v)
			}
			if o, ok := r.(*RestoreOptions); ok {
				p := o.Ports[0]
				if p.ContainerPort == 0 || (p.Protocol != "tcp" && p.Protocol != "udp") || p.HostIP == "" {
					t.Fatalf("accepted port %+v", p)
				}
				if (o.Readiness.HTTPURL == "") == (o.Readiness.LogLine == "") {
					t.Fatalf("accepted readiness %+v: exactly one probe", o.Readiness)
				}
			}
		}
	})
}
