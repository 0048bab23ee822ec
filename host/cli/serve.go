package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/apiserver"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func newServeCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var listen string
	var allowRemote bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the gRPC API on a TCP port, with reflection and health, for grpcurl and other clients",
		Long: `Serves the libertycheckpoint.v1.LibertyCheckpoint API (backed by the plugin) on a TCP port, with
gRPC server reflection and the standard health service, so grpcurl can list, describe and call it.
It listens on loopback only unless --allow-remote is given: the API has no authentication.
Paths in requests are resolved on this machine, relative to the directory serve runs in.`,
		Example: `  liberty-checkpoint serve --listen 127.0.0.1:50051 &
  grpcurl -plaintext 127.0.0.1:50051 list
  grpcurl -plaintext -d '{"image":"localhost/app:1.0-instanton"}' 127.0.0.1:50051 libertycheckpoint.v1.LibertyCheckpoint/Doctor`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			l, err := apiserver.Listen(listen, allowRemote)
			if err != nil {
				return err
			}
			e, release, err := d.OpenEngine(ctx, g)
			if err != nil {
				l.Close()
				return err
			}
			defer release()
			s := apiserver.New(e)
			addr := l.Addr().String()
			if g.Output == "json" {
				b, _ := json.Marshal(map[string]string{"type": "serving", "address": addr})
				fmt.Fprintf(d.Out, "%s\n", b)
			} else {
				fmt.Fprintf(d.Out, "serving libertycheckpoint.v1.LibertyCheckpoint on %s (try: grpcurl -plaintext %s list)\n", addr, addr)
			}
			errc := make(chan error, 1)
			go func() { errc <- s.Serve(l) }()
			select {
			case err := <-errc:
				return &engine.Error{Code: engine.CodeInternal, Message: "serving stopped", Err: err}
			case <-ctx.Done():
			}
			// Cancel the running operations and wait until they have cleaned up: Stop cancels every
			// call and waits for its handler (apiserver.New), and a cancelled call returns once the
			// engine's clean-up is done (at most contract.DefaultCleanupGrace). Then release()
			// stops the plugin, which waits for its own clean-up (pluginhost.ShutdownTimeout).
			s.Stop()
			return nil
		},
	}
	cmd.Flags().StringVar(&listen, "listen", apiserver.DefaultAddress, "address to listen on (host:port); port 0 picks a free port")
	cmd.Flags().BoolVar(&allowRemote, "allow-remote", false, "allow a non-loopback listen address (the API has no authentication)")
	return cmd
}
