package enginetest_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// Fixtures writes a tiny app archive and server.xml for tests that validate options.
func fixtures(t *testing.T) (app, serverXML string) {
	dir := t.TempDir()
	app = filepath.Join(dir, "app.war")
	serverXML = filepath.Join(dir, "server.xml")
	if err := os.WriteFile(app, []byte("PK"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(serverXML, []byte("<server><featureManager/></server>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return app, serverXML
}

func TestFakeConformance(t *testing.T) {
	app, xml := fixtures(t)
	enginetest.Conformance(t, &enginetest.Fake{StepDelay: 5 * time.Millisecond}, enginetest.Fixture{
		BaseImage: "localhost/base:1", AppArchive: app, ServerXML: xml, ImagePrefix: "localhost/conf",
		Ports: []engine.Port{{ContainerPort: 9080}},
	})
}
