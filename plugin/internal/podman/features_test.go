package podman

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// TestFeaturesTheBaseLacksAreNamedBeforeTheBuild: a base image that records its features (as the
// local flavor does) and a server.xml that asks for one it lacks: containerize and checkpoint-image
// fail before anything is built, naming the feature, the setting and a base to build instead, and
// leave nothing behind. Features that InstantOn does not support are a warning. A server.xml whose
// features the base has builds.
func TestFeaturesTheBaseLacksAreNamedBeforeTheBuild(t *testing.T) {
	te := integration(t)
	e := te.engine()
	ctx := context.Background()
	dir := t.TempDir()
	base := testImagePrefix + "-features-base:1"
	t.Cleanup(func() { removeImageCLI(base) })
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM "+te.baseImage+"\n"+
		`LABEL io.liberty-checkpoint.flavor="local" io.liberty-checkpoint.liberty-version="26.0.0.3" `+
		`io.liberty-checkpoint.liberty-features="servlet-6.0 restfulWS-3.1" `+
		`io.liberty-checkpoint.liberty-installed-features="cdi-4.0 jsonp-2.1 restfulWS-3.1 servlet-6.0"`+"\n"), 0o644))
	podmanCLI(t, "build", "-q", "-t", base, "-f", filepath.Join(dir, "Containerfile"), dir)

	cfg := filepath.Join(dir, "config")
	require.NoError(t, os.MkdirAll(filepath.Join(cfg, "configDropins", "defaults"), 0o755))
	xml, err := os.ReadFile(te.serverXML)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "server.xml"), []byte(strings.Replace(string(xml), "</server>",
		`<featureManager><feature>restfulWS-3.1</feature><feature>mpHealth-4.0</feature><feature>batch-2.1</feature></featureManager></server>`, 1)), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "configDropins", "defaults", "metrics.xml"),
		[]byte(`<server><featureManager><feature>mpMetrics-5.1</feature></featureManager></server>`), 0o644))

	before := ours(t, testImagePrefix+"-features", "localhost/lcp-tmp-")
	image := testImagePrefix + "-features-app:1"
	o := engine.CheckpointImageOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: base, AppArchive: te.app, ConfigDir: cfg},
		Image: testImagePrefix + "-features-instanton:1"}
	require.NoError(t, o.Validate())
	_, events, err := record(func(s engine.Sink) (*engine.Result, error) { return e.CheckpointImage(ctx, o, s) })
	ee := engine.AsError(err)
	require.NotNil(t, ee, "checkpoint-image on a base without the features: %v", err)
	assert.Equal(t, engine.CodeFailedPrecondition, ee.Code)
	assert.Equal(t, "server_xml", ee.Field)
	assert.Equal(t, "the server configuration enables features that "+base+" does not have: mpHealth-4.0, batch-2.1, mpMetrics-5.1", ee.Message)
	assert.Contains(t, ee.Fix, `LIBERTY_FEATURES="servlet-6.0 restfulWS-3.1 mpHealth-4.0 batch-2.1 mpMetrics-5.1" LIBERTY_VERSION=26.0.0.3 make base-local`)
	log := logLines(events)
	assert.Contains(t, log, "features that Open Liberty InstantOn does not support: batch-2.1")
	assert.NotContains(t, log, "[build]", "nothing was built")
	assertGone(t, createdNames(events))
	assert.Equal(t, before, ours(t, testImagePrefix+"-features", "localhost/lcp-tmp-"))

	// Containerize alone says the same.
	co := engine.ContainerizeOptions{Common: engine.Common{Connection: te.conn()}, AppInputs: engine.AppInputs{BaseImage: base, AppArchive: te.app, ConfigDir: cfg}, Image: image}
	require.NoError(t, co.Validate())
	_, err = e.Containerize(ctx, co, engine.Discard)
	assert.Equal(t, engine.CodeFailedPrecondition, engine.CodeOf(err), "%v", err)

	// The features the base has (a versionless one too): it builds.
	require.NoError(t, os.Remove(filepath.Join(cfg, "configDropins", "defaults", "metrics.xml")))
	require.NoError(t, os.WriteFile(filepath.Join(cfg, "server.xml"), []byte(strings.Replace(string(xml), "</server>",
		`<featureManager><feature>restfulWS-3.1</feature><feature>CDI</feature></featureManager></server>`, 1)), 0o644))
	t.Cleanup(func() { removeImageCLI(image) })
	_, events, err = record(func(s engine.Sink) (*engine.Result, error) { return e.Containerize(ctx, co, s) })
	require.NoError(t, err, logLines(events))
	assert.NotContains(t, logLines(events), "does not support")
}
