// Command lcp-probe is doctor's in-container probe on its own (package probe): a small static
// Linux executable that `make build` embeds in the plugin for each Linux architecture
// (package probebin), so that a plugin on any machine can probe a Podman host of either
// architecture. It is never installed as a file.
package main

import (
	"fmt"
	"os"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
)

func main() {
	probe.RunIfAsked()
	fmt.Fprintln(os.Stderr, "usage: lcp-probe probe caps | host | criu [--criu PATH] | listen DIR")
	os.Exit(2)
}
