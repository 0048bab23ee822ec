// Package engine defines what liberty-checkpoint does, independent of how: the Engine interface
// with one method per operation, the options each takes, the events it streams, the result it
// returns and the typed errors it fails with. Validation of options lives here too, so every
// transport (go-plugin, the TCP server, tests) rejects bad input the same way. What several
// operations share is an embedded struct that validates itself (Common: connection and timeout;
// AppInputs; RunSettings; MemoryLimit), so each field and each check is written once.
//
// Besides the standard library it uses only Podman's image-reference parser
// (containers/image's docker/reference and go-digest: 61 KB of the host binary), so both the host
// and the plugin binary import it without pulling in a container engine.
package engine
