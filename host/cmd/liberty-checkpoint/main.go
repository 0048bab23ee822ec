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
		os.Exit(cli.ExitCancelled)
	}()
	// Whoever read our output is gone (a build tool killed hard): cancel and clean up. Without
	// this Go would exit at the next write (SIGPIPE) and leave containers behind; with it every
	// further write fails with EPIPE. watchReaderGone notices even when nothing is written.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	go func() {
		<-pipe
		cancel()
	}()
	watchReaderGone(cancel)

	code := cli.Execute(ctx, cli.DefaultDeps(), os.Args[1:])
	cancel()
	os.Exit(code)
}
