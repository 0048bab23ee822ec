package cli

import (
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/settings"
)

// A setting reaches the CLI through its row of host/settings: the flag is named and explained by
// the row, so binding it to an engine option is one line (host/settings/gen's test follows the same
// row into the contract, the Maven goals, the Gradle extension and the docs).
func TestFlagsAreNamedAndExplainedByTheSettingsTable(t *testing.T) {
	defer func(all []settings.Setting) { settings.All = all }(settings.All)
	settings.All = append(append([]settings.Setting{}, settings.All...),
		settings.Setting{Key: "probeDepth", Flag: "--probe-depth", Field: "probe_depth", Kind: settings.String, Doc: "how deep doctor probes"})
	fs := pflag.NewFlagSet("doctor", pflag.ContinueOnError)
	var depth string
	stringFlag(fs, &depth, "probeDepth", "")
	require.NoError(t, fs.Parse([]string{"--probe-depth=3"}))
	assert.Equal(t, "3", depth)
	assert.Equal(t, "how deep doctor probes", fs.Lookup("probe-depth").Usage)
}
