package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/liberty-checkpoint/liberty-checkpoint/host/apiserver"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func newServeCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var c apiserver.Config
	var root string
	var allowConnectionOverride bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the gRPC API (owner-only Unix socket, or TCP with mutual TLS), with reflection and health, for grpcurl",
		Long: `Serves the libertycheckpoint.v1.LibertyCheckpoint API (backed by the plugin) with gRPC server
reflection (including the proto's documentation) and the standard health service, so grpcurl can
list, describe and call it.

By default it listens on a Unix socket that only the user running serve can use (0600, in a
directory only that user can write; the caller's uid is checked on every connection). TCP needs
mutual TLS (--tls-cert, --tls-key, --client-ca), or --insecure for plaintext, which lets every
user who can reach the port in; a non-loopback address also needs --allow-remote.

Requests are confined to --root (default: the directory serve starts in): relative paths resolve
against it, and a path outside it, also through a symlink, is refused with PermissionDenied. A
request may not choose the Podman connection (connection.uri) unless --allow-connection-override;
it gets serve's own (--podman-url and --identity, else Podman's own settings, the default socket or a
transient service).`,
		Example: `  liberty-checkpoint serve &
  grpcurl -plaintext -unix ` + apiserver.DefaultSocketPath() + ` describe libertycheckpoint.v1.RestoreRequest
  liberty-checkpoint serve --listen 127.0.0.1:50051 --tls-cert server.crt --tls-key server.key --client-ca ca.crt
  grpcurl -cacert ca.crt -cert client.crt -key client.key -d '{"image":"localhost/app:1.0-instanton"}' \
      127.0.0.1:50051 libertycheckpoint.v1.LibertyCheckpoint/Doctor`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			policy, err := apiserver.NewPolicy(root, g.Connection(), allowConnectionOverride)
			if err != nil {
				return err
			}
			l, err := apiserver.Listen(c)
			if err != nil {
				return err
			}
			defer l.Close()
			for _, w := range l.Warnings {
				fmt.Fprintf(d.Err, "liberty-checkpoint serve: %s\n", w)
			}
			l.OnRefused(func(uid int, err error) {
				if err != nil {
					fmt.Fprintf(d.Err, "liberty-checkpoint serve: refused a connection whose peer is unknown: %v\n", err)
					return
				}
				fmt.Fprintf(d.Err, "liberty-checkpoint serve: refused a connection from uid %d: only the owner may use this socket\n", uid)
			})
			e, release, err := d.OpenEngine(ctx, g)
			if err != nil {
				return err
			}
			defer release()
			s, err := apiserver.New(e, policy, l.ServerOptions...)
			if err != nil {
				return err
			}
			printServing(d, g, l, policy.Root())
			errc := make(chan error, 1)
			go func() { errc <- s.Serve(l) }()
			select {
			case err := <-errc:
				return &engine.Error{Code: engine.CodeInternal, Message: "serving stopped", Err: err}
			case <-ctx.Done():
			}
			// Cancel the running operations and wait until they have cleaned up: Stop cancels every
			// call and waits for its handler (apiserver.New), and a cancelled call returns once the
			// engine's clean-up is done (at most contract.DefaultCleanupGrace). Stopping closes the
			// listener, which removes the socket. Then release() stops the plugin, which waits for
			// its own clean-up (pluginhost.ShutdownTimeout).
			s.Stop()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&c.Listen, "listen", apiserver.DefaultListen(), "where to listen: unix:///path/to/api.sock, or host:port for TCP (port 0 picks a free port)")
	f.StringVar(&root, "root", ".", "the directory requests are confined to; relative paths in requests resolve against it")
	f.StringVar(&c.TLSCert, "tls-cert", "", "TCP: the server's certificate (PEM)")
	f.StringVar(&c.TLSKey, "tls-key", "", "TCP: the server's private key (PEM)")
	f.StringVar(&c.ClientCA, "client-ca", "", "TCP: the CA (PEM) that client certificates must chain to; a client certificate is required")
	f.BoolVar(&c.Insecure, "insecure", false, "allow plaintext TCP: every user who can reach the port can use the API")
	f.BoolVar(&c.AllowRemote, "allow-remote", false, "allow a TCP address that is not loopback")
	f.BoolVar(&allowConnectionOverride, "allow-connection-override", false, "let requests choose the Podman connection (connection.uri, connection.identity)")
	return cmd
}

// printServing says where serve listens and how to reach it with grpcurl.
func printServing(d *Deps, g *GlobalOptions, l *apiserver.Listener, root string) {
	if g.Output == "json" {
		b, _ := json.Marshal(map[string]any{"type": "serving", "network": l.Network, "address": l.Address, "tls": l.TLS, "root": root})
		fmt.Fprintf(d.Out, "%s\n", b)
		return
	}
	try := "grpcurl -plaintext " + l.Address + " list"
	switch {
	case l.Network == "unix":
		try = "grpcurl -plaintext -unix " + l.Address + " list"
	case l.TLS:
		try = "grpcurl -cacert CA.pem -cert CLIENT.pem -key CLIENT-KEY.pem " + l.Address + " list"
	}
	fmt.Fprintf(d.Out, "serving libertycheckpoint.v1.LibertyCheckpoint on %s:%s for requests under %s (try: %s)\n", l.Network, l.Address, root, try)
}
