package podman

import (
	"archive/zip"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// These tests prove the engine's trust promises on real Podman: no false success, no silent
// substitution, nothing left behind that a later run cannot recognise and remove. The faults
// that kill real processes are in e2e/ (real CLI, plugin and Liberty).

// writeApp writes a zip archive with an index.html and the given extra entries.
func writeApp(t *testing.T, path string, extra ...string) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, name := range append([]string{"index.html"}, extra...) {
		w, err := zw.Create(name)
		require.NoError(t, err)
		_, _ = w.Write([]byte("<h1>" + name + "</h1>\n"))
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
}

func imageIDCLI(ref string) string {
	out, err := cli("image", "inspect", "--format", "{{.Id}}", ref).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Defect 1: the output image may not be the base image, however the two are spelled: the names
// are compared as Podman resolves them (Validate), and the ids through Podman (the engine).
func TestBaseImageIsNeverOverwritten(t *testing.T) {
	te := integration(t)
	e := te.engine()
	alias := testImagePrefix + "-base-alias:1"
	podmanCLI(t, "tag", te.baseImage, alias)
	t.Cleanup(func() { removeImageCLI(alias) })
	baseID := imageIDCLI(te.baseImage)
	short := strings.TrimPrefix(alias, "localhost/")

	for _, c := range []struct{ base, image string }{
		{alias, short}, // open-liberty:x over localhost/open-liberty:x
		{strings.TrimPrefix(alias, "localhost/"), alias}, // and the other way round
		{te.baseImage, alias},                            // another name of the base image: Podman says it is the base
	} {
		co := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: c.base, AppArchive: te.app, ServerXML: te.serverXML}, Image: c.image}
		err := co.Validate()
		if err == nil {
			_, err = e.Containerize(context.Background(), co, engine.Discard)
		}
		ee := engine.AsError(err)
		require.NotNil(t, ee, "containerize %s on %s must be refused", c.image, c.base)
		assert.Equal(t, engine.CodeInvalidArgument, ee.Code, "%v", err)
		assert.Equal(t, "image", ee.Field)

		ci := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: c.base, AppArchive: te.app, ServerXML: te.serverXML}, Image: c.image}
		err = ci.Validate()
		if err == nil {
			_, err = e.CheckpointImage(context.Background(), ci, engine.Discard)
		}
		assert.Equal(t, engine.CodeInvalidArgument, engine.CodeOf(err), "checkpoint-image %s on %s: %v", c.image, c.base, err)
		assert.Equal(t, baseID, imageIDCLI(alias), "the base image keeps its name")
		assert.Equal(t, baseID, imageIDCLI(te.baseImage))
	}
}

// Defect 3: an application that fails to start is never checkpointed. The test server fails an
// archive's start-up the way Liberty does (SRVE0283E, CWWKZ0012I, then "ready" all the same) and
// then spends a minute "starting"; the engine stops the run within seconds of the failure line
// and says why, with the lines that show it.
func TestFailedApplicationIsNoCheckpoint(t *testing.T) {
	te := integration(t)
	e := te.engine()
	dir := t.TempDir()
	app := filepath.Join(dir, "app.war")
	writeApp(t, app, "META-INF/lcp-test-fail-start")
	target := testImagePrefix + "-failing-app:1"
	t.Cleanup(func() { removeImageCLI(target) })

	o := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: app, ServerXML: te.serverXML},
		Image: target, Env: map[string]string{"LCP_TEST_APP_START": "60s"}}
	require.NoError(t, o.Validate())
	var mu sync.Mutex
	var failedAt time.Time
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) {
		return e.CheckpointImage(context.Background(), o, func(ev engine.Event) {
			if ev.Log != nil && strings.Contains(ev.Log.Line, "SRVE0283E") {
				mu.Lock()
				if failedAt.IsZero() {
					failedAt = time.Now()
				}
				mu.Unlock()
			}
			s(ev)
		})
	})
	ee := engine.AsError(err)
	require.NotNil(t, ee, "a server without its application is no checkpoint:\n%s", logLines(events))
	mu.Lock()
	defer mu.Unlock()
	require.False(t, failedAt.IsZero())
	assert.Less(t, time.Since(failedAt), 10*time.Second, "the run stops within seconds of the failure")
	assert.Equal(t, engine.CodeFailedPrecondition, ee.Code)
	assert.Equal(t, "app_archive", ee.Field, "in the chain the application archive is at fault")
	assert.Contains(t, ee.Message, "SRVE0283E")
	assert.Contains(t, ee.LogTail[0], "SRVE0283E", "the lines that show the failure come first")
	assert.Contains(t, strings.Join(ee.LogTail, "\n"), "CWWKZ0012I")
	assertGone(t, append(createdNames(events), target))
}

// Defect 8: a failed build on an existing tag leaves that tag alone and does not claim to have
// removed it.
func TestFailedBuildLeavesTheTagAndSaysNothingFalse(t *testing.T) {
	te := integration(t)
	e := te.engine()
	sharedInstantOn(t, te)
	image := testImagePrefix + "-existing:1"
	podmanCLI(t, "tag", sharedApp, image)
	t.Cleanup(func() { removeImageCLI(image) })
	before := imageIDCLI(image)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM "+te.baseImage+"\nRUN echo about to fail && false\n"), 0o644))
	o := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{Containerfile: filepath.Join(dir, "Containerfile")}, Image: image}
	require.NoError(t, o.Validate())
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Containerize(context.Background(), o, s) })
	ee := engine.AsError(err)
	require.NotNil(t, ee)
	assert.Equal(t, "containerfile", ee.Field, "the user's Containerfile failed, not the base image")
	assert.Equal(t, before, imageIDCLI(image), "the existing image keeps its tag")
	assert.NotContains(t, logLines(events), "removed image "+image, "no claim to have removed what is still there")
	assertGone(t, createdNames(events))
}

// Two operations writing one image name: the second fails at once naming the first; a lock
// whose owner is gone is taken over.
func TestImageNameLock(t *testing.T) {
	te := integration(t)
	e := te.engine()
	image := testImagePrefix + "-locked:1"
	t.Cleanup(func() { removeImageCLI(image) })
	o := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: te.baseImage, AppArchive: te.app, ServerXML: te.serverXML}, Image: image}
	require.NoError(t, o.Validate())

	building := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		var once sync.Once
		_, err := e.Containerize(engine.WithOperationID(context.Background(), "first"), o, func(ev engine.Event) {
			if ev.Log != nil && ev.Log.Source == engine.SourceBuild {
				once.Do(func() { close(building) })
			}
		})
		first <- err
	}()
	<-building
	_, err := e.Containerize(engine.WithOperationID(context.Background(), "second"), o, engine.Discard)
	ee := engine.AsError(err)
	require.NotNil(t, ee)
	assert.Equal(t, engine.CodeFailedPrecondition, ee.Code, "%v", err)
	assert.Equal(t, "image", ee.Field)
	assert.Contains(t, ee.Message, "operation first")
	require.NoError(t, <-first, "the first one is not disturbed")
	firstID := imageIDCLI(image)
	t.Cleanup(func() { _ = cli("rmi", firstID).Run() }) // the next build takes the name

	// A lock left by a killed operation: its owner is gone, the next operation takes it over.
	dead := deadOwner(t, "killed")
	vol := lockVolumeFor(image)
	podmanCLI(t, "volume", "create", "--label", owner.Label+"="+dead.LabelValue(), "--label", labelLock+"="+image, vol)
	t.Cleanup(func() { _ = cli("volume", "rm", "-f", vol).Run() })
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.Containerize(context.Background(), o, s) })
	require.NoError(t, err, logLines(events))
	assert.Contains(t, logLines(events), "removed lock "+vol, "the stale lock goes (prune first, else taken over)")
	assert.Error(t, cli("volume", "exists", vol).Run(), "the lock is released")
}

func lockVolumeFor(ref string) string { return lockName(engine.NormalizedName(ref)) }

// deadOwner is an owner whose process has ended.
func deadOwner(t *testing.T, op string) owner.Owner {
	t.Helper()
	cmd := exec.Command("true")
	require.NoError(t, cmd.Start())
	start, err := owner.StartTime(cmd.Process.Pid)
	require.NoError(t, err)
	require.NoError(t, cmd.Wait())
	o := owner.Self(op)
	o.PID, o.Start = cmd.Process.Pid, start
	return o
}

// Prune removes exactly what operations whose process is gone left behind: their containers,
// temporary image names, locks, temporary directories and helper processes; never what a live
// operation uses, a product (a finished checkpoint container, a restore kept running, an image
// with a name of the user's), nor anything without an owner record.
func TestPruneRemovesOnlyWhatEndedOperationsLeft(t *testing.T) {
	te := integration(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead := deadOwner(t, "dead")
	live := owner.Self("live")
	label := func(o owner.Owner) string { return owner.Label + "=" + o.LabelValue() }
	name := func(s string) string { return "lcp-engine-test-prune-" + s }
	var made []string
	container := func(n string, o owner.Owner, keep string, args ...string) {
		full := name(n)
		a := []string{"create", "--name", full, "--label", label(o), "--label", labelOwner + "=test", "--label", labelContainer + "=" + full}
		if keep != "" {
			a = append(a, "--label", labelKeep+"="+keep)
		}
		a = append(a, args...)
		podmanCLI(t, append(a, te.baseImage)...)
		made = append(made, full)
		t.Cleanup(func() { removeContainerCLI(full) })
	}
	sleeper := []string{"--entrypoint", `["sleep","300"]`}
	container("dead-running", dead, "", sleeper...)
	podmanCLI(t, "start", name("dead-running"))
	container("dead-created", dead, "")
	container("dead-checkpoint-done", dead, keepIfExited0, "--entrypoint", "true")
	podmanCLI(t, "start", "--attach", name("dead-checkpoint-done"))
	container("dead-checkpoint-failed", dead, keepIfExited0, "--entrypoint", "false")
	_ = cli("start", "--attach", name("dead-checkpoint-failed")).Run()
	container("dead-kept-restore", dead, keepIfRunning, sleeper...)
	podmanCLI(t, "start", name("dead-kept-restore"))
	container("live", live, "")
	podmanCLI(t, "create", "--name", name("nolabel"), te.baseImage)
	t.Cleanup(func() { removeContainerCLI(name("nolabel")) })
	// Someone's container from an image a dead operation made: it inherits the image's labels,
	// owner and all, but it is not the engine's.
	podmanCLI(t, "create", "--name", name("inherited"), "--label", label(dead), "--label", labelContainer+"="+name("dead-running"), te.baseImage)
	t.Cleanup(func() { removeContainerCLI(name("inherited")) })

	image := func(ref string, o owner.Owner, tmp string) {
		podmanCLI(t, "commit", "-q", "--change", "LABEL "+label(o), "--change", "LABEL "+labelImage+"="+tmp, name("nolabel"), ref)
		t.Cleanup(func() { removeImageCLI(ref) })
	}
	deadTmp := "localhost/lcp-tmp-build-" + "0123456789ab:latest"
	image(deadTmp, dead, deadTmp)
	liveTmp := "localhost/lcp-tmp-build-" + "ba9876543210:latest"
	image(liveTmp, live, liveTmp)
	productTmp := "localhost/lcp-tmp-commit-" + "aaaaaaaaaaaa:latest"
	product := testImagePrefix + "-prune-product:1"
	image(product, dead, productTmp)
	podmanCLI(t, "tag", product, productTmp) // a product that still has its temporary name too
	// Someone else's temporary image built FROM one the engine made: it inherits the labels.
	inherited := "localhost/lcp-tmp-app-" + "bbbbbbbbbbbb:latest"
	image(inherited, dead, deadTmp)

	vol := "lcp-lock-" + "deadbeefdeadbeef"
	podmanCLI(t, "volume", "create", "--label", label(dead), "--label", labelLock+"=x", vol)
	t.Cleanup(func() { _ = cli("volume", "rm", "-f", vol).Run() })

	deadDir, err := owner.MkdirTemp(tmp, "lcp-podman-", dead)
	require.NoError(t, err)
	helper := exec.Command("sleep", "300")
	require.NoError(t, helper.Start())
	t.Cleanup(func() { _ = helper.Process.Kill() })
	helperDone := make(chan struct{})
	go func() { _ = helper.Wait(); close(helperDone) }()
	require.NoError(t, owner.AddProcess(deadDir, helper.Process.Pid))
	liveDir, err := owner.MkdirTemp(tmp, "lcp-context-", live)
	require.NoError(t, err)
	foreign := filepath.Join(tmp, "lcp-someone-elses")
	require.NoError(t, os.Mkdir(foreign, 0o700))

	o := engine.PruneOptions{Common: engine.Common{Connection: te.conn()}}
	require.NoError(t, o.Validate())
	res, events, err := record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Prune(context.Background(), o, s) })
	require.NoError(t, err, logLines(events))
	p := res.Prune
	require.NotNil(t, p)
	t.Logf("prune: %+v\n%s", p, logLines(events))

	assert.ElementsMatch(t, []string{name("dead-running"), name("dead-created"), name("dead-checkpoint-failed")}, p.Containers)
	assert.ElementsMatch(t, []string{deadTmp, productTmp}, p.Images)
	assert.Equal(t, []string{vol}, p.Volumes)
	assert.Equal(t, []string{deadDir}, p.Directories)
	assert.Equal(t, 1, p.Processes)
	assert.GreaterOrEqual(t, p.InUse, 2, "the live container and image were left alone")

	exists := func(kind, n string) bool { return cli(kind, "exists", n).Run() == nil }
	for _, gone := range []string{name("dead-running"), name("dead-created"), name("dead-checkpoint-failed")} {
		assert.False(t, exists("container", gone), gone)
	}
	for _, kept := range []string{name("dead-checkpoint-done"), name("dead-kept-restore"), name("live"), name("nolabel"), name("inherited")} {
		assert.True(t, exists("container", kept), kept)
	}
	assert.False(t, exists("image", deadTmp))
	assert.False(t, exists("image", productTmp))
	assert.True(t, exists("image", product), "an image with a name of the user's stays")
	assert.True(t, exists("image", liveTmp), "a live operation's temporary image stays")
	assert.True(t, exists("image", inherited), "an image that inherited the labels is not the engine's")
	assert.False(t, exists("volume", vol))
	assert.NoDirExists(t, deadDir)
	assert.DirExists(t, liveDir)
	assert.DirExists(t, foreign)
	select {
	case <-helperDone:
	case <-time.After(10 * time.Second):
		t.Error("the dead operation's helper process still runs")
	}

	// Every operation prunes first: a new leftover goes with the next restore.
	sharedInstantOn(t, te) // first: making it would prune too
	container("dead-again", dead, "")
	ro := engine.RestoreOptions{Common: engine.Common{Connection: te.conn()}, Image: sharedImage}
	require.NoError(t, ro.Validate())
	_, events, err = record(func(s engine.Sink) (*engine.Result, error) { return te.engine().Restore(context.Background(), ro, s) })
	require.NoError(t, err, logLines(events))
	assert.False(t, exists("container", name("dead-again")))
	assert.Contains(t, logLines(events), "prune: removed container "+name("dead-again"))
}

// Everything an operation creates records its owner.
func TestObjectsRecordTheirOwner(t *testing.T) {
	te := integration(t)
	ck := engine.CheckpointOptions{Common: engine.Common{Connection: te.conn()}, Image: sharedAppImage(t, te)}
	require.NoError(t, ck.Validate())
	res, err := te.engine().Checkpoint(engine.WithOperationID(context.Background(), "owned"), ck, engine.Discard)
	require.NoError(t, err)
	t.Cleanup(func() { removeContainerCLI(res.ContainerName) })
	var labels map[string]string
	require.NoError(t, json.Unmarshal([]byte(podmanCLI(t, "inspect", "--format", "{{json .Config.Labels}}", res.ContainerName)), &labels))
	o, ok := owner.FromLabels(labels)
	require.True(t, ok, "labels: %v", labels)
	assert.Equal(t, "owned", o.Op)
	assert.Equal(t, os.Getpid(), o.PID)
	assert.Equal(t, keepIfExited0, labels[labelKeep], "a checkpoint container is the product prune keeps once it exited 0")
	st, _ := o.Status()
	assert.Equal(t, owner.Alive, st)
}

func sharedAppImage(t *testing.T, te *testEnv) string {
	sharedInstantOn(t, te)
	return sharedApp
}
