package podman

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/humanize"
	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
)

// TestConformance runs the suite every engine passes, against real Podman and CRIU.
func TestConformance(t *testing.T) {
	te := integration(t)
	t.Setenv("CONTAINER_HOST", "")
	enginetest.Conformance(t, te.engine(), enginetest.Fixture{
		BaseImage:   te.baseImage,
		AppArchive:  te.app,
		ServerXML:   te.serverXML,
		ImagePrefix: testImagePrefix + "-conformance",
		Ports:       []engine.Port{{ContainerPort: 9080}},
		Readiness:   engine.Readiness{HTTPURL: "/"},
		RemoveImage: removeImageCLI,
	})
}

// shared is an InstantOn image (and its application image) several tests restore.
var (
	sharedMu   sync.Mutex
	sharedErr  error
	sharedMade bool
)

const (
	sharedImage = testImagePrefix + "-shared:1"
	sharedApp   = testImagePrefix + "-shared:1-app"
)

func sharedInstantOn(t *testing.T, te *testEnv) {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedMade && cli("image", "exists", sharedImage).Run() == nil && cli("image", "exists", sharedApp).Run() == nil {
		return
	}
	func() {
		o := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ServerXML: te.serverXML},
			Image: sharedImage, KeepAppImage: true}
		if sharedErr = o.Validate(); sharedErr != nil {
			return
		}
		_, sharedErr = te.engine().CheckpointImage(context.Background(), o, engine.Discard)
	}()
	if sharedErr != nil {
		t.Fatalf("making the shared InstantOn image: %v", sharedErr)
	}
	sharedMade = true // TestMain removes them after the last test
}

type imageConfig struct {
	Config struct {
		Env        []string
		Entrypoint []string
		Cmd        []string
		User       string
		Labels     map[string]string
	}
	Size int64
}

func inspectImageCLI(t *testing.T, ref string) imageConfig {
	t.Helper()
	var imgs []imageConfig
	require.NoError(t, json.Unmarshal([]byte(podmanCLI(t, "image", "inspect", ref)), &imgs))
	require.Len(t, imgs, 1)
	return imgs[0]
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestCheckpointImageThenRestoreAnswersHTTP is the whole job: containerize, checkpoint and
// commit in one call, then restore the image and talk to the restored process.
func TestCheckpointImageThenRestoreAnswersHTTP(t *testing.T) {
	te := integration(t)
	e := te.engine()
	ctx := context.Background()
	image := testImagePrefix + "-chain:1"
	t.Cleanup(func() { removeImageCLI(image); removeImageCLI(engine.AppImageRef(image)) })

	o := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ServerXML: te.serverXML},
		Image: image, Phase: "applications", KeepAppImage: true,
		Labels: map[string]string{"org.example.team": "checkpointers"},
		Env:    map[string]string{"APP_GREETING": `hi $USER "quoted" \ back`}}
	require.NoError(t, o.Validate())
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.CheckpointImage(ctx, o, s) })
	require.NoError(t, err, logLines(events))
	enginetest.CheckEventContract(t, events)
	assert.Equal(t, engine.OpCheckpointImage, res.Operation)
	assert.Equal(t, engine.AfterAppStart, res.Phase)
	assert.Positive(t, res.CheckpointSize)
	assert.Positive(t, res.ImageSize)
	assert.Len(t, res.Timings, 3)
	assertGone(t, createdNames(events)) // the checkpoint container
	assert.NoError(t, cli("image", "exists", engine.AppImageRef(image)).Run(), "keep_app_image keeps the app image")

	cfg := inspectImageCLI(t, image)
	v, ok := envValue(cfg.Config.Env, "WLP_CHECKPOINT")
	assert.True(t, ok, "WLP_CHECKPOINT is set (to empty) in the committed image")
	assert.Empty(t, v, "WLP_CHECKPOINT must be empty in the committed image, or it checkpoints again")
	greeting, _ := envValue(cfg.Config.Env, "APP_GREETING")
	assert.Equal(t, `hi $USER "quoted" \ back`, greeting)
	app := inspectImageCLI(t, engine.AppImageRef(image))
	assert.Equal(t, []string{"/opt/lcp/bin/entrypoint.sh"}, cfg.Config.Entrypoint)
	assert.Equal(t, app.Config.Entrypoint, cfg.Config.Entrypoint, "commit keeps the entrypoint")
	assert.Equal(t, []string{"/opt/lcp/bin/lcp-testserver", "defaultServer"}, cfg.Config.Cmd, "commit keeps the command")
	t.Logf("environment of the InstantOn image: %q", cfg.Config.Env)
	assert.Equal(t, "1001:0", cfg.Config.User)

	labels := cfg.Config.Labels
	created, err := time.Parse(time.RFC3339, labels[engine.LabelCreated])
	assert.NoError(t, err, "created label")
	assert.WithinDuration(t, time.Now(), created, 5*time.Minute)
	assert.Equal(t, te.baseImage, labels[engine.LabelBaseName])
	assert.Equal(t, "afterAppStart", labels[engine.LabelPhase])
	kernel := podmanCLI(t, "info", "--format", "{{.Host.Kernel}}")
	assert.Equal(t, kernel, labels[engine.LabelKernel])
	uname, _ := exec.Command("uname", "-m").Output()
	assert.Equal(t, strings.TrimSpace(string(uname)), labels[engine.LabelArch])
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	require.NoError(t, err)
	assert.Equal(t, strings.Join(hostinfo.CPUFlags(cpuinfo), " "), labels[engine.LabelCPUFlags])
	assert.Regexp(t, `^\d+\.\d+`, labels[engine.LabelCRIUVersion])
	assert.Equal(t, "test", labels[engine.LabelToolVersion])
	assert.Equal(t, "checkpointers", labels["org.example.team"])

	// Restore on a free port and keep it running, then talk to it.
	ro := engine.RestoreOptions{Common: engine.Common{Connection: te.conn()}, Image: image, Ports: []engine.Port{{ContainerPort: 9080}}, KeepRunning: true}
	require.NoError(t, ro.Validate())
	rres, revents, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Restore(ctx, ro, s) })
	require.NoError(t, err, logLines(revents))
	require.NotEmpty(t, rres.ContainerName)
	t.Cleanup(func() { removeContainerCLI(rres.ContainerName) })
	enginetest.CheckEventContract(t, revents)
	out := rres.Restore
	require.NotNil(t, out)
	assert.Equal(t, engine.Restored, out.Verdict, out.Evidence)
	assert.Contains(t, out.Evidence, engine.MsgRestored)
	assert.Equal(t, 200, out.HTTPStatus)
	addr := out.Published[9080]
	assert.Regexp(t, `^127\.0\.0\.1:\d+$`, addr)
	assert.NotEqual(t, "127.0.0.1:9080", addr, "host port 0 gets a free port")
	code, body := httpGet(t, "http://"+addr+"/")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "restored=true")
	code, body = httpGet(t, "http://"+addr+"/app/")
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "hello from the sample app")
	t.Logf("restored in %d ms: %s", out.Ready.Milliseconds(), strings.TrimSpace(body))

	// Least privilege: never privileged; the checkpoint run had exactly the checkpoint's
	// capabilities under seccomp unconfined, the restore exactly CHECKPOINT_RESTORE and SETPCAP
	// under Podman's default profile (seccomp mode 2), as the containers' own /proc says.
	hc := podmanCLI(t, "inspect", "--format", "{{.HostConfig.Privileged}} {{.EffectiveCaps}}", rres.ContainerName)
	assert.Equal(t, "false [CAP_CHECKPOINT_RESTORE CAP_SETPCAP]", hc)
	assertPrivileges(t, logLines(events), privilege.Checkpoint.Mask(), "0")
	assertPrivileges(t, podmanCLI(t, "logs", rres.ContainerName), privilege.Restore.Mask(), "2")

	// The verdict rests on a fact of the process too: the restored server started before its
	// container was created. It runs with no capabilities and no_new_privs, so a binary with
	// file capabilities that it executes (capcat, with the restore criu's) gets none; the same
	// binary run by podman exec, without no_new_privs, gets them.
	p := out.Process
	require.NotNil(t, p, "the test image records the server's start")
	assert.True(t, p.StartedBeforeContainer(), "%s", p)
	assert.Contains(t, out.Evidence, "before its container was created")
	assert.True(t, p.NoNewPrivs)
	assert.Equal(t, "0000000000000000", p.CapEff)
	assert.Equal(t, 2, p.Seccomp)
	code, body = httpGet(t, "http://"+addr+"/privileges")
	require.Equal(t, 200, code, body)
	assert.Contains(t, body, "server: CapPrm:0000000000000000 CapEff:0000000000000000 NoNewPrivs:1 Seccomp:2")
	assert.Contains(t, body, "capcat: CapPrm:0000000000000000 CapEff:0000000000000000 NoNewPrivs:1", "an exec from the server gains no capability")
	control := podmanCLI(t, "exec", rres.ContainerName, "/opt/lcp/bin/capcat", "/proc/self/status")
	assert.Contains(t, control, fmt.Sprintf("CapEff:\t%016x", privilege.Restore.Mask()), "without no_new_privs the file capabilities work")

	// Kept running, then removed by the test.
	state := podmanCLI(t, "inspect", "--format", "{{.State.Status}}", rres.ContainerName)
	assert.Equal(t, "running", state)
}

// TestRestoreAndColdStartTimes measures time to the first HTTP 200 of the restored image and of a
// cold start of the same application (its application image), several runs each, and the sizes.
func TestRestoreAndColdStartTimes(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	e := te.engine()
	const runs = 5
	measure := func(image string, want engine.Verdict) []time.Duration {
		var ds []time.Duration
		for i := 0; i < runs; i++ {
			o := engine.RestoreOptions{Common: engine.Common{Connection: te.conn()}, Image: image, Ports: []engine.Port{{ContainerPort: 9080}}}
			require.NoError(t, o.Validate())
			res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Restore(context.Background(), o, s) })
			require.NoError(t, err, logLines(events))
			assert.Equal(t, want, res.Restore.Verdict, res.Restore.Evidence)
			assert.Equal(t, 200, res.Restore.HTTPStatus)
			assertGone(t, createdNames(events))
			ds = append(ds, res.Restore.Ready)
		}
		return ds
	}
	restored := measure(sharedImage, engine.Restored)
	cold := measure(sharedApp, engine.ColdStart)
	ms := func(ds []time.Duration) string {
		var parts []string
		for _, d := range ds {
			parts = append(parts, formatMs(d))
		}
		s := slices.Clone(ds)
		slices.Sort(s)
		return strings.Join(parts, " ") + " (median " + formatMs(s[len(s)/2]) + ")"
	}
	t.Logf("time from container start to first HTTP 200, ms: restore %s", ms(restored))
	t.Logf("time from container start to first HTTP 200, ms: cold start %s", ms(cold))
	t.Logf("image sizes: base %s %s, app %s, InstantOn %s", te.baseImage, humanize.Bytes(inspectImageCLI(t, te.baseImage).Size),
		humanize.Bytes(inspectImageCLI(t, sharedApp).Size), humanize.Bytes(inspectImageCLI(t, sharedImage).Size))
	slices.Sort(restored)
	slices.Sort(cold)
	assert.Less(t, restored[runs/2], cold[runs/2], "a restore skips the application start, so it must be faster")
}

func formatMs(d time.Duration) string {
	return strings.TrimSuffix(d.Round(time.Millisecond).String(), "ms")
}

// TestRestoreWithoutCapabilityIsNotRestored: without CAP_CHECKPOINT_RESTORE CRIU cannot restore;
// the server starts from scratch and that must be reported as a cold start, or with
// disable_recovery as an error, never as a restore.
func TestRestoreWithoutCapabilityIsNotRestored(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	e := te.engine()
	e.restoreCaps = []string{"SETPCAP"}

	o := engine.RestoreOptions{Common: engine.Common{Connection: te.conn()}, Image: sharedImage, Ports: []engine.Port{{ContainerPort: 9080}}}
	require.NoError(t, o.Validate())
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Restore(context.Background(), o, s) })
	require.NoError(t, err, logLines(events))
	assert.Equal(t, engine.ColdStart, res.Restore.Verdict)
	assert.Contains(t, res.Restore.Evidence, engine.MsgRestoreFailed)
	assert.Equal(t, 200, res.Restore.HTTPStatus, "the cold-started server still answers")
	assert.Contains(t, logLines(events), "criu", "the output says why")
	assertGone(t, createdNames(events))

	o.DisableRecovery = true
	_, events, err = record(func(s engine.Sink) (*engine.Result, error) { return e.Restore(context.Background(), o, s) })
	require.Error(t, err)
	ee := engine.AsError(err)
	assert.Equal(t, engine.CodeFailedPrecondition, ee.Code, err.Error())
	assert.Equal(t, "disable_recovery", ee.Field)
	assert.Contains(t, strings.Join(ee.LogTail, "\n"), engine.MsgRecoveryDisabled)
	assertGone(t, createdNames(events))
}

// TestCheckpointFailureLeavesNothing: a checkpoint whose dump fails is an error with the
// container output and checkpoint.log, and leaves no container, temporary image or target image.
func TestCheckpointFailureLeavesNothing(t *testing.T) {
	te := integration(t)
	e := te.engine()
	ctx := context.Background()
	failing := testImagePrefix + "-failing:1"
	t.Cleanup(func() { removeImageCLI(failing) })
	before := ours(t, testImagePrefix+"-failing")

	co := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ServerXML: te.serverXML},
		Image: failing, Env: map[string]string{"LCP_TEST_FAIL_CHECKPOINT": "true"}}
	require.NoError(t, co.Validate())
	_, err := e.Containerize(ctx, co, engine.Discard)
	require.NoError(t, err)

	ck := engine.CheckpointOptions{Common: engine.Common{Connection: te.conn()}, Image: failing}
	require.NoError(t, ck.Validate())
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Checkpoint(ctx, ck, s) })
	require.Error(t, err)
	ee := engine.AsError(err)
	assert.Equal(t, engine.CodeFailedPrecondition, ee.Code, err.Error())
	assert.Contains(t, ee.Message, "exited with code 1")
	tail := strings.Join(ee.LogTail, "\n")
	assert.Contains(t, tail, "criu dump failed", "the container output (beta-image/helpers/lcp-checkpoint.sh)")
	assert.Contains(t, tail, "checkpoint.log: ", "the CRIU log")
	names := createdNames(events)
	require.NotEmpty(t, names, "the engine names its checkpoint container in its events")
	assertGone(t, names)

	// The same through the chain: the temporary app image goes too, and no InstantOn image appears.
	target := testImagePrefix + "-failing-instanton:1"
	o := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ServerXML: te.serverXML},
		Image: target, Env: map[string]string{"LCP_TEST_FAIL_CHECKPOINT": "true"}}
	require.NoError(t, o.Validate())
	_, events, err = record(func(s engine.Sink) (*engine.Result, error) { return e.CheckpointImage(ctx, o, s) })
	require.Error(t, err)
	assert.Equal(t, engine.CodeFailedPrecondition, engine.CodeOf(err))
	names = createdNames(events)
	assert.Len(t, names, 2, "a temporary image and a checkpoint container: %v", names)
	assertGone(t, append(names, target))
	removeImageCLI(failing)
	assert.Equal(t, before, ours(t, testImagePrefix+"-failing"))
}

// TestCheckpointWithoutFilesIsNoCheckpoint: a checkpoint run that exits 0 without writing a
// checkpoint (a base image that does not follow the protocol) is an error, found from the stopped
// container's changes, and the container goes.
func TestCheckpointWithoutFilesIsNoCheckpoint(t *testing.T) {
	te := integration(t)
	e := te.engine()
	ctx := context.Background()
	own := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(own, "Containerfile"), []byte("FROM "+te.baseImage+"\nENTRYPOINT [\"/bin/true\"]\n"), 0o644))
	image := testImagePrefix + "-nocheckpoint:1"
	t.Cleanup(func() { removeImageCLI(image) })
	co := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{Containerfile: filepath.Join(own, "Containerfile")}, Image: image}
	require.NoError(t, co.Validate())
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Containerize(ctx, co, s) })
	require.NoError(t, err, logLines(events))

	ck := engine.CheckpointOptions{Common: engine.Common{Connection: te.conn()}, Image: image}
	require.NoError(t, ck.Validate())
	_, events, err = record(func(s engine.Sink) (*engine.Result, error) { return e.Checkpoint(ctx, ck, s) })
	require.Error(t, err)
	assert.Equal(t, engine.CodeFailedPrecondition, engine.CodeOf(err))
	assert.Contains(t, engine.AsError(err).Message, "exited 0 but left no checkpoint in "+engine.CheckpointDir)
	assertGone(t, createdNames(events))
}

// TestMissingThings: missing base image, image and container are NotFound errors naming the
// field, with the fix, and leave nothing behind.
func TestMissingThings(t *testing.T) {
	te := integration(t)
	e := te.engine()
	ctx := context.Background()
	missing := testImagePrefix + "-missing:1"
	before := ours(t, testImagePrefix+"-missing", "localhost/lcp-tmp-")

	o := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: missing, AppArchive: te.app, ServerXML: te.serverXML},
		Image: testImagePrefix + "-missing-instanton:1"}
	require.NoError(t, o.Validate())
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.CheckpointImage(ctx, o, s) })
	ee := engine.AsError(err)
	require.NotNil(t, ee)
	assert.Equal(t, engine.CodeNotFound, ee.Code, err.Error())
	assert.Equal(t, "base_image", ee.Field)
	assert.Contains(t, ee.Message, missing)
	assert.Contains(t, ee.Fix, "build-base-image")
	assertGone(t, createdNames(events))
	assert.Equal(t, before, ours(t, testImagePrefix+"-missing", "localhost/lcp-tmp-"))

	ck := engine.CheckpointOptions{Common: engine.Common{Connection: te.conn()}, Image: missing}
	require.NoError(t, ck.Validate())
	_, err = e.Checkpoint(ctx, ck, engine.Discard)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "%v", err)
	assert.Equal(t, "image", engine.AsError(err).Field)

	ro := engine.RestoreOptions{Common: engine.Common{Connection: te.conn()}, Image: missing}
	require.NoError(t, ro.Validate())
	_, err = e.Restore(ctx, ro, engine.Discard)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err), "%v", err)

	cm := engine.CommitOptions{Common: engine.Common{Connection: te.conn()}, Container: "lcp-engine-test-no-such-container", Image: testImagePrefix + "-never:1"}
	require.NoError(t, cm.Validate())
	_, err = e.Commit(ctx, cm, engine.Discard)
	ee = engine.AsError(err)
	require.NotNil(t, ee)
	assert.Equal(t, engine.CodeNotFound, ee.Code, "%v", err)
	assert.Equal(t, "container", ee.Field)
	assert.Contains(t, ee.Message, "lcp-engine-test-no-such-container")
}

// TestCommitRefusesAContainerThatIsNoCheckpoint: a container that did not run a checkpoint
// cannot become an InstantOn image.
func TestCommitRefusesAContainerThatIsNoCheckpoint(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	name := "lcp-engine-test-not-a-checkpoint"
	removeContainerCLI(name)
	podmanCLI(t, "create", "--name", name, sharedApp)
	t.Cleanup(func() { removeContainerCLI(name) })
	o := engine.CommitOptions{Common: engine.Common{Connection: te.conn()}, Container: name, Image: testImagePrefix + "-never:1"}
	require.NoError(t, o.Validate())
	_, err := te.engine().Commit(context.Background(), o, engine.Discard)
	ee := engine.AsError(err)
	require.NotNil(t, ee)
	assert.Equal(t, engine.CodeFailedPrecondition, ee.Code, "%v", err)
	assert.Equal(t, "container", ee.Field)
	assert.Error(t, cli("image", "exists", testImagePrefix+"-never:1").Run())
}

// TestReadinessTimeout: a server that never becomes ready is a DeadlineExceeded error with the
// container output, and its container is removed.
func TestReadinessTimeout(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	o := engine.RestoreOptions{Common: engine.Common{Connection: te.conn(), Timeout: 6 * time.Second}, Image: sharedImage, Readiness: engine.Readiness{LogLine: "NEVER-PRINTED-LINE"}}
	require.NoError(t, o.Validate())
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Restore(context.Background(), o, s) })
	ee := engine.AsError(err)
	require.NotNil(t, ee)
	assert.Equal(t, engine.CodeDeadlineExceeded, ee.Code, "%v", err)
	assert.Equal(t, "timeout_seconds", ee.Field)
	assert.Contains(t, ee.Message, "NEVER-PRINTED-LINE")
	assert.Contains(t, strings.Join(ee.LogTail, "\n"), engine.MsgRestored, "the output so far")
	names := createdNames(events)
	require.NotEmpty(t, names)
	assertGone(t, names)
}

// TestReadinessLogLine: readiness on a log line instead of HTTP.
func TestReadinessLogLine(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	o := engine.RestoreOptions{Common: engine.Common{Connection: te.conn()}, Image: sharedImage}
	require.NoError(t, o.Validate())
	require.Equal(t, engine.DefaultReadyLogLine, o.Readiness.LogLine)
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Restore(context.Background(), o, s) })
	require.NoError(t, err, logLines(events))
	assert.Equal(t, engine.Restored, res.Restore.Verdict)
	assert.Zero(t, res.Restore.HTTPStatus)
	assertGone(t, createdNames(events))
}

// TestCancelLeavesNothing cancels a checkpoint while its container runs, and a chain in its
// checkpoint step: the container and the temporary image are removed.
func TestCancelLeavesNothing(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	e := te.engine()
	cancelOnOutput := func(call func(ctx context.Context, s engine.Sink) error) (error, []engine.Event) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var rec enginetest.Recorder
		sink := rec.Sink()
		err := call(ctx, func(ev engine.Event) {
			sink(ev)
			if ev.Log != nil && ev.Log.Source == engine.SourceContainer {
				cancel() // the server is starting in its container
			}
		})
		return err, rec.Snapshot()
	}

	ck := engine.CheckpointOptions{Common: engine.Common{Connection: te.conn()}, Image: sharedApp}
	require.NoError(t, ck.Validate())
	err, events := cancelOnOutput(func(ctx context.Context, s engine.Sink) error { _, err := e.Checkpoint(ctx, ck, s); return err })
	assert.True(t, engine.IsCanceled(err), "%v", err)
	names := createdNames(events)
	require.NotEmpty(t, names)
	assertGone(t, names)
	assert.Contains(t, logLines(events), "clean-up: removed container")

	// A build cancelled while it runs: no image, no build context.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	built := testImagePrefix + "-cancelled-build:1"
	co := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ServerXML: te.serverXML}, Image: built}
	require.NoError(t, co.Validate())
	ctx, cancel := context.WithCancel(context.Background())
	_, err = e.Containerize(ctx, co, func(ev engine.Event) {
		if ev.Log != nil && ev.Log.Source == engine.SourceBuild {
			cancel()
		}
	})
	cancel()
	assert.True(t, engine.IsCanceled(err), "%v", err)
	time.Sleep(3 * time.Second) // the service stops the build when the client goes away
	assertGone(t, []string{built})
	entries, _ := os.ReadDir(tmp)
	assert.Empty(t, entries, "the build context is removed")

	target := testImagePrefix + "-cancelled:1"
	o := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ServerXML: te.serverXML}, Image: target}
	require.NoError(t, o.Validate())
	err, events = cancelOnOutput(func(ctx context.Context, s engine.Sink) error { _, err := e.CheckpointImage(ctx, o, s); return err })
	assert.True(t, engine.IsCanceled(err), "%v", err)
	names = createdNames(events)
	assert.Len(t, names, 2, "a temporary image and a checkpoint container: %v", names)
	assertGone(t, append(names, target))
}

// TestContainerizeConfigDirAndOwnContainerfile: config_dir contents land in /config, env and
// labels in the image; a user's Containerfile is built from its own directory.
func TestContainerizeConfigDirAndOwnContainerfile(t *testing.T) {
	te := integration(t)
	e := te.engine()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	require.NoError(t, os.MkdirAll(filepath.Join(cfg, "configDropins", "overrides"), 0o755))
	xml, _ := os.ReadFile(te.serverXML)
	for name, content := range map[string]string{
		"server.xml": string(xml), "server.env": "GREETING=from-server-env\n", "jvm.options": "-Xmx128m\n",
		"bootstrap.properties": "x=1\n", "configDropins/overrides/extra.xml": "<server/>\n",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(cfg, name), []byte(content), 0o644))
	}
	image := testImagePrefix + "-configdir:1"
	t.Cleanup(func() { removeImageCLI(image) })
	o := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ConfigDir: cfg, ServerName: "myServer"},
		Image: image, Env: map[string]string{"MODE": "test"}, Labels: map[string]string{"org.example.x": "y z"}}
	require.NoError(t, o.Validate())
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Containerize(ctx, o, s) })
	require.NoError(t, err, logLines(events))
	assert.Equal(t, image, res.Image)
	assert.Contains(t, logLines(events), `server_name "myServer"`)
	assert.Contains(t, logLines(events), "[build] ", "build output streamed as build events")
	out := podmanCLI(t, "run", "--rm", "--entrypoint", "sh", image, "-c",
		"cat /config/server.env /config/jvm.options /config/configDropins/overrides/extra.xml; ls /config/apps; stat -c %u:%g /config/server.xml; cat /config/.configured >/dev/null && echo configured")
	for _, want := range []string{"GREETING=from-server-env", "-Xmx128m", "<server/>", "app.war", "1001:0", "configured"} {
		assert.Contains(t, out, want)
	}
	ic := inspectImageCLI(t, image)
	mode, _ := envValue(ic.Config.Env, "MODE")
	assert.Equal(t, "test", mode)
	assert.Equal(t, "y z", ic.Config.Labels["org.example.x"])
	assert.Equal(t, te.baseImage, ic.Config.Labels[engine.LabelBaseName])

	// The user's own Containerfile, with its directory as the build context.
	own := filepath.Join(dir, "own")
	require.NoError(t, os.MkdirAll(own, 0o755))
	require.NoError(t, copyFile(te.app, filepath.Join(own, "app.war")))
	require.NoError(t, copyFile(te.serverXML, filepath.Join(own, "server.xml")))
	require.NoError(t, os.WriteFile(filepath.Join(own, "Containerfile"), []byte("FROM "+te.baseImage+" AS base\nFROM base\n"+
		"COPY --chown=1001:0 server.xml /config/\nCOPY --chown=1001:0 app.war /config/apps/own.war\n"), 0o644))
	ownImage := testImagePrefix + "-own:1"
	t.Cleanup(func() { removeImageCLI(ownImage) })
	uo := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{Containerfile: filepath.Join(own, "Containerfile")}, Image: ownImage,
		Env: map[string]string{"MODE": "own"}}
	require.NoError(t, uo.Validate())
	_, events, err = record(func(s engine.Sink) (*engine.Result, error) { return e.Containerize(ctx, uo, s) })
	require.NoError(t, err, logLines(events))
	ic = inspectImageCLI(t, ownImage)
	mode, _ = envValue(ic.Config.Env, "MODE")
	assert.Equal(t, "own", mode)
	assert.Equal(t, te.baseImage, ic.Config.Labels[engine.LabelBaseName])
	assert.Contains(t, podmanCLI(t, "run", "--rm", "--entrypoint", "ls", ownImage, "/config/apps"), "own.war")
}

// TestBuildBaseImage builds from a context directory with build args and labels, streams the
// build output, and leaves no buildah working container, also when the build fails.
func TestBuildBaseImage(t *testing.T) {
	te := integration(t)
	e := te.engine()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile.test"), []byte("FROM "+te.baseImage+"\nARG GREETING=none\n"+
		"RUN echo \"$GREETING\" >/tmp/greeting\n"), 0o644))
	image := testImagePrefix + "-base:1"
	t.Cleanup(func() { removeImageCLI(image) })
	working := func() []string {
		var l []string
		for _, n := range strings.Split(podmanCLI(t, "ps", "-a", "--external", "--format", "{{.Names}}"), "\n") {
			if strings.Contains(n, "lcp-test-base-working-container") || strings.Contains(n, "lcp-engine-test") {
				l = append(l, n)
			}
		}
		return l
	}
	before := working()
	o := engine.BuildBaseImageOptions{Common: engine.Common{Connection: te.conn()}, ContextDir: dir, Containerfile: "Dockerfile.test", Image: image,
		BuildArgs: map[string]string{"GREETING": "hello-arg"}, Labels: map[string]string{"org.example.base": "yes"}}
	require.NoError(t, o.Validate())
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.BuildBaseImage(context.Background(), o, s) })
	require.NoError(t, err, logLines(events))
	assert.Positive(t, res.ImageSize)
	assert.Contains(t, logLines(events), "[build] STEP")
	assert.Equal(t, "yes", inspectImageCLI(t, image).Config.Labels["org.example.base"])
	assert.Equal(t, "hello-arg", podmanCLI(t, "run", "--rm", "--entrypoint", "cat", image, "/tmp/greeting"))
	assert.Equal(t, before, working())

	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile.test"), []byte("FROM "+te.baseImage+"\nRUN echo about to fail && false\n"), 0o644))
	broken := testImagePrefix + "-base-broken:1"
	o.Image = broken
	_, events, err = record(func(s engine.Sink) (*engine.Result, error) { return e.BuildBaseImage(context.Background(), o, s) })
	ee := engine.AsError(err)
	require.NotNil(t, ee)
	assert.Equal(t, engine.CodeFailedPrecondition, ee.Code, "%v", err)
	assert.Contains(t, strings.Join(ee.LogTail, "\n"), "about to fail")
	assert.Error(t, cli("image", "exists", broken).Run())
	assert.Equal(t, before, working())
}

// TestDoctorThroughBindings: the doctor package on this engine's Podman Runtime (bindings, probe
// containers, image labels), on the InstantOn test image; and with Podman unreachable.
func TestDoctorThroughBindings(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	o := engine.DoctorOptions{Common: engine.Common{Connection: te.conn()}, Image: sharedImage}
	require.NoError(t, o.Validate())
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Doctor(context.Background(), o, s) })
	require.NoError(t, err)
	checks := checksOf(events)
	for _, id := range []string{"kernel.version", "podman", "oci.runtime", "cgroups", "image.found", "image.kernel", "image.cpu"} {
		c, ok := checks[id]
		if assert.True(t, ok, "check %s missing", id) {
			assert.Equal(t, engine.CheckOK, c.Status, "%s: %s (fix: %s)", id, c.Found, c.Fix)
		}
	}
	assert.Contains(t, checks["podman"].Found, "Podman 4.")
	assert.Contains(t, checks["oci.runtime"].Found, "runc")
	assert.Zero(t, res.Doctor.Fail, "%+v", checks)

	o = engine.DoctorOptions{Common: engine.Common{Connection: engine.Connection{URI: "tcp://127.0.0.1:1"}}}
	require.NoError(t, o.Validate())
	res, events, err = record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Doctor(context.Background(), o, s) })
	require.NoError(t, err, "an unreachable Podman is a failing check, not an error")
	assert.GreaterOrEqual(t, res.Doctor.Fail, 1)
	checks = checksOf(events)
	assert.Equal(t, engine.CheckFail, checks["podman"].Status)
	assert.NotEmpty(t, checks["podman"].Fix)
	assert.Equal(t, engine.CheckOK, checks["kernel.version"].Status, "host checks still run")
}

// TestTransientService: with no service at the default socket, the engine runs its own podman
// system service for the call and leaves no process or socket behind. A service the user named
// (connection.uri, CONTAINER_HOST) is never replaced by one (defect 6): a dead one is an
// Unavailable error naming it, with a hint, and nothing is started.
func TestTransientService(t *testing.T) {
	te := integration(t)
	sharedInstantOn(t, te)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // the transient service's directory goes here
	t.Setenv("CONTAINER_HOST", "")
	deadDir := filepath.Join(tmp, "dead")
	require.NoError(t, os.MkdirAll(deadDir, 0o700))
	dead := filepath.Join(deadDir, "podman.sock")
	ln, err := listenUnix(dead)
	require.NoError(t, err)
	ln.SetUnlinkOnClose(false)
	require.NoError(t, ln.Close())
	_, err = os.Stat(dead)
	require.NoError(t, err, "the dead socket file stays")

	leftovers := func() []string {
		var l []string
		entries, _ := os.ReadDir(tmp)
		for _, e := range entries {
			if e.Name() != "dead" {
				l = append(l, "dir "+e.Name())
			}
		}
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range procs {
			data, _ := os.ReadFile(p)
			if strings.Contains(string(data), tmp) {
				l = append(l, "process "+p+": "+strings.ReplaceAll(string(data), "\x00", " "))
			}
		}
		return l
	}
	transientUsed := func(events []engine.Event) bool {
		return strings.Contains(logLines(events), "starting a transient one")
	}

	t.Run("nothing at the default socket", func(t *testing.T) {
		e := New("test")
		e.DefaultSockets = []string{"unix://" + filepath.Join(tmp, "nothing", "podman.sock")}
		o := engine.RestoreOptions{Image: sharedImage, Ports: []engine.Port{{ContainerPort: 9080}}}
		require.NoError(t, o.Validate())
		res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Restore(context.Background(), o, s) })
		require.NoError(t, err, logLines(events))
		assert.True(t, transientUsed(events), "a transient service was started")
		assert.Equal(t, engine.Restored, res.Restore.Verdict)
		assert.Contains(t, logLines(events), "unix://"+filepath.Join(tmp, "lcp-podman-"), "its socket is in a directory the operation owns")
		assertGone(t, createdNames(events))
		assert.Empty(t, leftovers())
	})

	named := []struct {
		name, origin, field string
		setup               func() engine.Connection
	}{
		{"uri at a dead socket", "connection.uri", "connection.uri", func() engine.Connection { return engine.Connection{URI: "unix://" + dead} }},
		{"CONTAINER_HOST at a dead socket", "CONTAINER_HOST", "", func() engine.Connection {
			t.Setenv("CONTAINER_HOST", "unix://"+dead)
			return engine.Connection{}
		}},
		{"uri at no socket at all", "connection.uri", "connection.uri", func() engine.Connection {
			return engine.Connection{URI: "unix://" + filepath.Join(tmp, "nonexistent.sock")}
		}},
		{"dead remote address", "connection.uri", "connection.uri", func() engine.Connection { return engine.Connection{URI: "tcp://127.0.0.1:1"} }},
	}
	for _, c := range named {
		t.Run(c.name, func(t *testing.T) {
			e := New("test")
			e.DefaultSockets = []string{te.uri} // a working service the engine must not fall back to
			o := engine.RestoreOptions{Common: engine.Common{Connection: c.setup()}, Image: sharedImage, Ports: []engine.Port{{ContainerPort: 9080}}}
			require.NoError(t, o.Validate())
			_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Restore(context.Background(), o, s) })
			ee := engine.AsError(err)
			require.NotNil(t, ee, "a service the user named is used or the call fails")
			assert.Equal(t, engine.CodeUnavailable, ee.Code, "%v", err)
			assert.Equal(t, c.field, ee.Field)
			assert.Contains(t, ee.Message, c.origin)
			assert.Contains(t, ee.Fix, "podman system")
			assert.False(t, transientUsed(events), "no transient service replaces a named one")
			assert.Empty(t, createdNames(events))
			assert.Empty(t, leftovers())
		})
	}
}

// assertPrivileges finds the test image's privileges line in a run's output and checks that the
// container's bounding set is exactly mask (nothing but the policy's capabilities) and its
// seccomp mode.
func assertPrivileges(t *testing.T, output string, mask uint64, seccomp string) {
	t.Helper()
	for _, l := range strings.Split(output, "\n") {
		if _, rest, ok := strings.Cut(l, "lcp-test entrypoint privileges: "); ok {
			assert.Contains(t, rest, fmt.Sprintf("CapBnd:%016x", mask), l)
			assert.Contains(t, rest, "Seccomp:"+seccomp+" ", l)
			return
		}
	}
	t.Errorf("no privileges line in the output:\n%s", output)
}
