package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// execute runs the CLI in-process on e.
func execute(t *testing.T, e engine.Engine, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	d := &Deps{Out: &out, Err: &errb, OpenEngine: func(context.Context, *GlobalOptions) (engine.Engine, func(), error) {
		return e, func() {}, nil
	}}
	code = Execute(context.Background(), d, args)
	return out.String(), errb.String(), code
}

func TestParsePort(t *testing.T) {
	cases := map[string]engine.Port{
		"9080":                    {ContainerPort: 9080},
		"8080:9080":               {HostPort: 8080, ContainerPort: 9080},
		":9080":                   {ContainerPort: 9080},
		"0.0.0.0:8080:9080":       {HostIP: "0.0.0.0", HostPort: 8080, ContainerPort: 9080},
		"127.0.0.1::9080/udp":     {HostIP: "127.0.0.1", ContainerPort: 9080, Protocol: "udp"},
		"[::1]:8080:9080":         {HostIP: "::1", HostPort: 8080, ContainerPort: 9080},
		"[2001:db8::1]:0:9443":    {HostIP: "2001:db8::1", ContainerPort: 9443},
		"127.0.0.1:8080:9080/tcp": {HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 9080, Protocol: "tcp"},
	}
	for in, want := range cases {
		got, err := ParsePort(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "x", "70000", "1:2:3:4", "[::1:80", "a:9080", "8080:"} {
		_, err := ParsePort(bad)
		assert.Error(t, err, bad)
	}
}

func TestFlagsReachEngine(t *testing.T) {
	fake := &enginetest.Fake{}
	t.Setenv("FROM_HOST", "hostvalue")
	_, stderr, code := execute(t, fake, "restore", "--image", "localhost/a:1", "-p", "8080:9080", "--publish", "9443",
		"--env", "A=1", "--env", "FROM_HOST", "--ready-url", "/health", "--keep-running", "--disable-recovery",
		"--name", "mine", "--timeout", "600", "--podman-url", "unix:///run/podman/podman.sock")
	require.Equal(t, 0, code, stderr)
	o := fake.Calls()[0].Options.(engine.RestoreOptions)
	assert.Equal(t, []engine.Port{{HostPort: 8080, ContainerPort: 9080}, {ContainerPort: 9443}}, o.Ports)
	assert.Equal(t, map[string]string{"A": "1", "FROM_HOST": "hostvalue"}, o.Env)
	assert.Equal(t, "/health", o.Readiness.HTTPURL)
	assert.True(t, o.KeepRunning)
	assert.True(t, o.DisableRecovery)
	assert.Equal(t, "mine", o.ContainerName)
	assert.Equal(t, 10*time.Minute, o.Timeout)
	assert.Equal(t, "unix:///run/podman/podman.sock", o.Connection.URI)
}

func TestBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"restore", "--timeout", "soon"},
		{"restore", "--env", "=x"},
		{"commit", "--label", "novalue"},
		{"restore", "--nonsense"},
		{"doctor", "extra-arg"},
		{"doctor", "--output", "yaml"},
	} {
		_, stderr, code := execute(t, &enginetest.Fake{}, args...)
		assert.Equal(t, ExitUsage, code, "%v: %s", args, stderr)
		assert.Contains(t, stderr, "Error:", args)
	}
	stdout, _, code := execute(t, &enginetest.Fake{}, "-o", "json", "restore", "--timeout", "soon")
	assert.Equal(t, ExitUsage, code)
	assert.Contains(t, stdout, `{"error":{"code":"InvalidArgument"`, "JSON mode reports usage errors as an event too")
}

// doctorEngine reports one failing check.
type doctorEngine struct{ enginetest.Fake }

func (d *doctorEngine) Doctor(_ context.Context, _ engine.DoctorOptions, sink engine.Sink) (*engine.Result, error) {
	sink.Check(engine.Check{ID: "criu.dump", Status: engine.CheckFail, Found: "criu 3.17.1: Unexpected rt vDSO area bounds", Fix: "use criu >= 4.2"})
	return &engine.Result{Operation: engine.OpDoctor, Doctor: &engine.DoctorSummary{Fail: 1}}, nil
}

func TestDoctorFailExitsNonZero(t *testing.T) {
	stdout, _, code := execute(t, &doctorEngine{}, "doctor")
	assert.Equal(t, ExitFailed, code)
	assert.Contains(t, stdout, "fail  criu.dump")
	assert.Contains(t, stdout, "fix: use criu >= 4.2")
	stdout, _, code = execute(t, &enginetest.Fake{}, "doctor")
	assert.Equal(t, ExitOK, code, "warnings alone do not fail")
	assert.Contains(t, stdout, "warn  podman.runtime")
}

func TestExitCodes(t *testing.T) {
	assert.Equal(t, ExitOK, ExitCode(nil))
	assert.Equal(t, ExitUsage, ExitCode(engine.Invalid("x", "", "bad")))
	assert.Equal(t, ExitUsage, ExitCode(&engine.Error{Code: engine.CodeNotFound}))
	assert.Equal(t, ExitCancelled, ExitCode(&engine.Error{Code: engine.CodeCanceled}))
	assert.Equal(t, ExitCancelled, ExitCode(context.Canceled))
	assert.Equal(t, ExitFailed, ExitCode(&engine.Error{Code: engine.CodeFailedPrecondition}))
}

func TestVersion(t *testing.T) {
	stdout, _, code := execute(t, &enginetest.Fake{}, "version")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(stdout, "liberty-checkpoint "))
}
