// Command liberty-checkpoint-plugin serves the Podman engine to the liberty-checkpoint host over
// go-plugin (gRPC). The host starts it; it is not meant to be run by hand. Its logs go to stderr
// as JSON (stdout belongs to the go-plugin handshake).
package main

import (
	"io"

	"github.com/sirupsen/logrus"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/contract"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/podman"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
)

// version is set by the Makefile (-X main.version=...).
var version = "dev"

func main() {
	probe.RunIfAsked() // `liberty-checkpoint-plugin probe ...`: doctor runs this binary inside throwaway containers
	logger := contract.Logger("podman-engine")
	// The Podman bindings log through logrus; route it into the plugin log.
	logrus.SetOutput(io.Discard)
	logrus.AddHook(hclogHook{logger})
	contract.Serve(podman.New(version), logger)
}
