package contract

import (
	"os"

	"github.com/hashicorp/go-hclog"
)

// EnvLogLevel carries the host's log level (--log-level) to the plugin it starts: the plugin
// logs at that level, so its debug lines exist when the host asks for them.
const EnvLogLevel = "LCP_PLUGIN_LOG_LEVEL"

// Logger is a plugin's logger: JSON on stderr (stdout belongs to the go-plugin handshake), which
// the host reads and logs again under its own name, at the level the host set in EnvLogLevel
// (info when unset).
func Logger(name string) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: name, Output: os.Stderr, JSONFormat: true,
		Level: hclog.LevelFromString(os.Getenv(EnvLogLevel))})
}
