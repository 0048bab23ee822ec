package contract

import (
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

// The go-plugin adapters in one process: what the host dispenses is an engine.Engine that
// passes the conformance suite against the fake behind the plugin.
func TestPluginAdaptersConformance(t *testing.T) {
	client, _ := plugin.TestPluginGRPCConn(t, true, map[string]plugin.Plugin{PluginName: &EnginePlugin{Impl: &enginetest.Fake{StepDelay: 20 * time.Millisecond}}})
	defer client.Close()
	raw, err := client.Dispense(PluginName)
	require.NoError(t, err)
	e, ok := raw.(engine.Engine)
	require.True(t, ok, "dispensed %T", raw)
	f := fixtures(t)
	enginetest.Conformance(t, e, enginetest.Fixture{BaseImage: "localhost/base:1", AppArchive: f.war, ServerXML: f.xml,
		ImagePrefix: "localhost/conformance", Ports: []engine.Port{{ContainerPort: 9080}}})
}
