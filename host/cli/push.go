package cli

import (
	"context"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// CredsEnv is read for --creds when the flag is not given, so that CI and the build-tool shims
// need not put a password on a command line (which ps shows).
const CredsEnv = "LCP_REGISTRY_CREDS"

// registryFlags binds --authfile, --creds, --tls-verify and --cert-dir to r; call the returned
// function before the operation to apply the defaults from the environment.
func registryFlags(fs *pflag.FlagSet, r *engine.Registry) func() {
	stringFlag(fs, &r.AuthFile, "authfile", "")
	stringFlag(fs, &r.Creds, "creds", "")
	verify := true
	fs.BoolVar(&verify, flagName("tlsVerify"), true, setting("tlsVerify").Doc)
	stringFlag(fs, &r.CertDir, "certDir", "")
	return func() {
		if r.AuthFile == "" {
			r.AuthFile = engine.DefaultAuthFile()
		}
		if r.Creds == "" {
			r.Creds = os.Getenv(CredsEnv)
		}
		if !verify {
			r.TLSVerify = &verify
		}
	}
}

func newPushCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.PushOptions
	var registry func()
	cmd := &cobra.Command{
		Use:   "push",
		Short: "Push an image (the InstantOn image) to a container registry and print its digest",
		Long: `Pushes an image from Podman's storage to a registry through the Podman API and reads the
digest of the pushed manifest back from the registry. Credentials as Podman looks them up:
--creds user:password (or $` + CredsEnv + `), else --authfile (default $REGISTRY_AUTH_FILE), else
$XDG_RUNTIME_DIR/containers/auth.json, else ~/.docker/config.json.`,
		Example: `  liberty-checkpoint push --image registry.example.com/team/app:1.0-instanton
  liberty-checkpoint push --image localhost/app:1.0-instanton --destination 127.0.0.1:5000/app:1.0 --authfile auth.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection = g.Connection()
			registry()
			return runOp(cmd.Context(), d, g, engine.OpPush, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Push(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	stringFlag(fs, &o.Image, "image", "")
	stringFlag(fs, &o.Destination, "destination", "")
	registry = registryFlags(fs, &o.Registry)
	outputDirFlag(fs, g)
	timeoutFlag(fs, &o.Timeout)
	return cmd
}
