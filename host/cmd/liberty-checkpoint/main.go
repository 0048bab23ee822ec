// Command liberty-checkpoint builds Open Liberty InstantOn images. It launches the
// liberty-checkpoint-plugin binary (found next to it) and drives it over gRPC.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/cli"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())

	// SIGINT/SIGTERM: cancel, let the plugin remove what it made, then exit; a second one quits.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "liberty-checkpoint: cancelling, cleaning up (press Ctrl-C again to quit at once)")
		cancel()
		<-sigs
		// The plugin gets SIGTERM when we are gone (its parent-death signal) and finishes the
		// clean-up on its own.
		fmt.Fprintln(os.Stderr, "liberty-checkpoint: quitting; the plugin finishes the clean-up by itself")
		os.Exit(cli.ExitCancelled)
	}()
	// Whoever read our output is gone (a build tool killed hard): cancel and clean up, rather
	// than die of SIGPIPE at the next write to stdout and leave containers behind. SIGPIPE is
	// ignored, so writes fail with EPIPE instead (it is not a cancel signal: gRPC and go-plugin
	// meet broken sockets in normal operation); watchReaderGone notices the closed pipe itself,
	// even when nothing is being written.
	signal.Ignore(syscall.SIGPIPE)
	watchReaderGone(cancel)

	code := cli.Execute(ctx, cli.DefaultDeps(), os.Args[1:])
	cancel()
	os.Exit(code)
}
