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
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "liberty-checkpoint: cancelling, cleaning up (press Ctrl-C again to quit at once)")
		cancel()
		<-sigs
		os.Exit(cli.ExitCancelled)
	}()
	code := cli.Execute(ctx, cli.DefaultDeps(), os.Args[1:])
	cancel()
	os.Exit(code)
}
