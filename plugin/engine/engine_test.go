package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePhase(t *testing.T) {
	for in, want := range map[string]Phase{
		"": AfterAppStart, "afterAppStart": AfterAppStart, "AFTERAPPSTART": AfterAppStart, " beforeAppStart ": BeforeAppStart,
		"deployment": BeforeAppStart, "applications": AfterAppStart,
	} {
		got, note, err := ParsePhase("phase", in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
		if in == "deployment" || in == "applications" {
			assert.Contains(t, note, "old name", in)
		} else {
			assert.Empty(t, note, in)
		}
	}
	_, _, err := ParsePhase("phase", "features")
	assert.Equal(t, CodeInvalidArgument, CodeOf(err))
	assert.Contains(t, err.Error(), "removed the features checkpoint phase")
	_, _, err = ParsePhase("phase", "later")
	assert.Contains(t, err.Error(), "use beforeAppStart or afterAppStart")
}

func TestParseReference(t *testing.T) {
	good := map[string]Reference{
		"open-liberty:beta-checkpoint-ubi":            {Name: "open-liberty", Tag: "beta-checkpoint-ubi"},
		"localhost/app":                               {Name: "localhost/app"},
		"localhost:5000/team/app:1.0-instanton":       {Name: "localhost:5000/team/app", Tag: "1.0-instanton"},
		"icr.io/appcafe/open-liberty@sha256:" + hex64: {Name: "icr.io/appcafe/open-liberty", Digest: "sha256:" + hex64},
		"a__b/c.d-e:T_1":                              {Name: "a__b/c.d-e", Tag: "T_1"},
	}
	for in, want := range good {
		got, why, ok := ParseReference(in)
		require.True(t, ok, "%s: %s", in, why)
		assert.Equal(t, want, got)
		assert.Equal(t, in, got.String())
	}
	for in, reason := range map[string]string{
		"": "empty", "App:1": "lowercase", "my app": "whitespace", "app:": "not of the form", "-app": "not of the form",
		"app:" + string(make([]byte, 129)): "not of the form",
	} {
		_, why, ok := ParseReference(in)
		assert.False(t, ok, in)
		assert.Contains(t, why, reason, in)
	}
	assert.True(t, IsImageID("3f2a1b4c5d6e"))
	assert.True(t, IsImageID("sha256:"+hex64))
	assert.False(t, IsImageID("3f2a"))
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestAppImageRef(t *testing.T) {
	assert.Equal(t, "localhost/app:1.0-instanton-app", AppImageRef("localhost/app:1.0-instanton"))
	assert.Equal(t, "localhost/app:latest-app", AppImageRef("localhost/app"))
}

func TestErrorFormatting(t *testing.T) {
	e := &Error{Code: CodeNotFound, Field: "app_archive", Message: "/x.war does not exist", Fix: "build it"}
	assert.Equal(t, "app_archive: /x.war does not exist. Fix: build it", e.Error())
	wrapped := fmt.Errorf("containerize: %w", e)
	assert.Equal(t, CodeNotFound, CodeOf(wrapped))
	assert.Same(t, e, AsError(wrapped))
	cause := Wrap(errors.New("connection refused"), CodeUnavailable, "start podman", "cannot reach Podman")
	assert.Equal(t, "cannot reach Podman: connection refused. Fix: start podman", cause.Error())
	assert.True(t, IsCanceled(context.Canceled))
	assert.Equal(t, "timeout_seconds", AsError(context.DeadlineExceeded).Field)
	assert.Equal(t, CodeUnknown, CodeOf(errors.New("x")))
	assert.Equal(t, Code(0), CodeOf(nil))
}

func TestStepsNumberAndTime(t *testing.T) {
	var got []Progress
	s := NewSteps(func(ev Event) { got = append(got, *ev.Progress) }, 2)
	s.Start("a")
	time.Sleep(2 * time.Millisecond)
	s.Start("b") // ends a
	d := s.Done("id")
	require.Len(t, got, 4)
	assert.Equal(t, []StepState{StepStarted, StepDone, StepStarted, StepDone}, []StepState{got[0].State, got[1].State, got[2].State, got[3].State})
	assert.Equal(t, "a", got[1].Name)
	assert.GreaterOrEqual(t, got[1].Duration, 2*time.Millisecond)
	assert.Equal(t, 2, got[3].Step)
	assert.Equal(t, "id", got[3].Detail)
	assert.Equal(t, d, got[3].Duration)
	assert.Zero(t, s.Done(""), "Done without an open step is a no-op")
}

func TestValidateFillsDefaults(t *testing.T) {
	o := RestoreOptions{Image: "localhost/a:1"}
	require.NoError(t, o.Validate())
	assert.Equal(t, DefaultReadyLogLine, o.Readiness.LogLine, "no port: wait for the ready message")
	assert.Equal(t, DefaultTimeouts[OpRestore], o.Timeout)
	o = RestoreOptions{Image: "localhost/a:1", Ports: []Port{{ContainerPort: 9080, Protocol: "TCP"}}}
	require.NoError(t, o.Validate())
	assert.Equal(t, "/", o.Readiness.HTTPURL)
	assert.Equal(t, DefaultHostIP, o.Ports[0].HostIP, "loopback unless asked")
	assert.Equal(t, "tcp", o.Ports[0].Protocol)
}

func TestCanonicalImageID(t *testing.T) {
	assert.Equal(t, "sha256:"+hex64, CanonicalImageID(hex64))
	assert.Equal(t, "sha256:"+hex64, CanonicalImageID("sha256:"+hex64))
	assert.Empty(t, CanonicalImageID(""))
}

func TestNormalizedName(t *testing.T) {
	for in, want := range map[string]string{
		"open-liberty:x":                   "localhost/open-liberty:x",
		"localhost/open-liberty:x":         "localhost/open-liberty:x",
		"open-liberty":                     "localhost/open-liberty:latest",
		"team/app:1":                       "localhost/team/app:1",
		"quay.io/team/app:1":               "quay.io/team/app:1",
		"localhost:5000/app":               "localhost:5000/app:latest",
		"docker.io/library/open-liberty:x": "docker.io/library/open-liberty:x",
	} {
		assert.Equal(t, want, NormalizedName(in), in)
	}
}

// Defect 1: an output image that names the base image, however it is spelled, is refused.
func TestOutputImageMayNotBeTheBase(t *testing.T) {
	dir := t.TempDir()
	war := filepath.Join(dir, "app.war")
	xml := filepath.Join(dir, "server.xml")
	require.NoError(t, os.WriteFile(war, []byte("PK"), 0o644))
	require.NoError(t, os.WriteFile(xml, []byte("<server/>"), 0o644))
	for _, c := range [][2]string{
		{"open-liberty:local-checkpoint", "localhost/open-liberty:local-checkpoint"},
		{"localhost/open-liberty:local-checkpoint", "open-liberty:local-checkpoint"},
		{"localhost/base", "base:latest"},
	} {
		co := ContainerizeOptions{AppInputs: AppInputs{BaseImage: c[1], AppArchive: war, ServerXML: xml}, Image: c[0]}
		err := co.Validate()
		assert.Equal(t, CodeInvalidArgument, CodeOf(err), "%v: %v", c, err)
		assert.Equal(t, "image", AsError(err).Field)
		assert.Contains(t, err.Error(), "move the base image's tag")
		ci := CheckpointImageOptions{AppInputs: AppInputs{BaseImage: c[1], AppArchive: war, ServerXML: xml}, Image: c[0]}
		assert.Equal(t, CodeInvalidArgument, CodeOf(ci.Validate()), "%v", c)
	}
	ci := CheckpointImageOptions{AppInputs: AppInputs{BaseImage: "localhost/app:1-app", AppArchive: war, ServerXML: xml}, Image: "app:1", KeepAppImage: true}
	assert.Equal(t, CodeInvalidArgument, CodeOf(ci.Validate()), "the kept application image would be the base")
	ok := ContainerizeOptions{AppInputs: AppInputs{BaseImage: "open-liberty:local-checkpoint", AppArchive: war, ServerXML: xml}, Image: "localhost/app:1"}
	assert.NoError(t, ok.Validate())
}

func TestParseServerConfig(t *testing.T) {
	cfg, err := ParseServerConfig([]byte(`<server>
  <featureManager><feature>servlet-6.0</feature></featureManager>
  <webApplication location="sample.war" contextRoot="/sample"/>
  <application location="${server.config.dir}/apps/other.ear"/>
  <enterpriseApplication name="named" location="x.ear"/>
  <webApplication location="off.war" autoStart="false"/>
  <webApplication location="${APP}"/>
  <webApplication location="my app.war"/>
  <include location="more.xml"/>
</server>`))
	require.NoError(t, err)
	var names []string
	for _, a := range cfg.Apps {
		names = append(names, a.Name)
	}
	assert.Equal(t, []string{"sample", "other", "named", "my app"}, names)
	assert.Equal(t, 1, cfg.Unnamed)
	assert.True(t, cfg.Includes)
	assert.True(t, IsPlainLocation("sample.war"))
	assert.False(t, IsPlainLocation("${server.config.dir}/apps/other.ear"))
}
