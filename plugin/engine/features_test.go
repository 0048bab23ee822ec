package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

func TestServerFeaturesReadsServerXMLIncludesAndDropins(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "server.xml"), `<?xml version="1.0"?>
<server>
  <featureManager>
    <feature>restfulWS-3.1</feature>
    <feature> cdi-4.0 </feature>
    <feature>RESTFULWS-3.1</feature>
  </featureManager>
  <include location="extra.xml"/>
  <include location="${server.config.dir}/more/health.xml"/>
  <include location="${shared.config.dir}/elsewhere.xml" optional="true"/>
  <include location="missing.xml" optional="true"/>
  <feature>not-in-a-featureManager-1.0</feature>
</server>`)
	writeFile(t, filepath.Join(dir, "extra.xml"), `<server><featureManager><feature>jsonb-3.0</feature></featureManager><include location="server.xml"/></server>`)
	writeFile(t, filepath.Join(dir, "more", "health.xml"), `<server><featureManager><feature>mpHealth-4.0</feature></featureManager></server>`)
	writeFile(t, filepath.Join(dir, "configDropins", "overrides", "b.xml"), `<server><featureManager><feature>usr:myFeature</feature></featureManager></server>`)
	writeFile(t, filepath.Join(dir, "configDropins", "defaults", "a.xml"), `<server><featureManager><feature>mpMetrics-5.1</feature></featureManager></server>`)

	got, err := ServerFeatures(filepath.Join(dir, "server.xml"), dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"restfulWS-3.1", "cdi-4.0", "jsonb-3.0", "mpHealth-4.0", "mpMetrics-5.1", "usr:myFeature"}, got)
}

func TestServerFeaturesWithoutConfigDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "server.xml"), `<server><featureManager><feature>servlet-6.0</feature></featureManager></server>`)
	got, err := ServerFeatures(filepath.Join(dir, "server.xml"), "")
	require.NoError(t, err)
	assert.Equal(t, []string{"servlet-6.0"}, got)

	writeFile(t, filepath.Join(dir, "broken.xml"), `<server><featureManager>`)
	_, err = ServerFeatures(filepath.Join(dir, "broken.xml"), "")
	assert.Error(t, err)
}

func TestMissingFeatures(t *testing.T) {
	installed := Fields("servlet-6.0 pages-3.1, restfulWS-3.1 jsonp-2.1\tcdi-4.0")
	assert.Empty(t, MissingFeatures([]string{"Servlet-6.0", "JSONP-2.1", "usr:custom", "servlet", "restfulWS"}, installed))
	assert.Equal(t, []string{"mpHealth-4.0", "servlet-5.0", "jdbc"},
		MissingFeatures([]string{"mpHealth-4.0", "servlet-5.0", "jdbc", "cdi-4.0"}, installed))
}

func TestInstantOnUnsupported(t *testing.T) {
	assert.Empty(t, InstantOnUnsupported([]string{"servlet-6.0", "restfulWS-3.1", "CDI-4.0", "jsonb-3.0", "mpHealth-4.0",
		"jdbc-4.3", "microProfile-7.1", "webProfile-10.0", "servlet", "usr:custom", "checkpoint-1.0"}))
	assert.Equal(t, []string{"servlet-3.1", "batch-2.1", "messaging-3.1", "grpc-1.0"},
		InstantOnUnsupported([]string{"servlet-3.1", "batch-2.1", "messaging-3.1", "servlet-6.0", "grpc-1.0"}))
}
