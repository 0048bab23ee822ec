package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func newKubeCommand(d *Deps, g *GlobalOptions) *cobra.Command {
	var o engine.KubeOptions
	cmd := &cobra.Command{
		Use:   "kube",
		Short: "Write the Kubernetes YAML and seccomp profile that deploy an InstantOn image with least privilege",
		Long: `Writes <kube-directory>/<app-name>.yaml: a Deployment and a Service for the InstantOn image, whose
container restores with CHECKPOINT_RESTORE and SETPCAP only (drop ALL, uid 1001, not privileged), a
Localhost seccomp profile (written beside it: the runtime default resolved for those capabilities),
startup and readiness probes on --ready-url, and memory sized from the checkpoint recorded on the
image. --openshift adds a SecurityContextConstraints, a ServiceAccount, a Role and a RoleBinding.
The pod needs the Pod Security Standards "privileged" level: baseline refuses CHECKPOINT_RESTORE.
Runs nothing: try it with podman kube play --seccomp-profile-root <kube-directory>.`,
		Example: `  liberty-checkpoint kube --image registry.example/shop/app:1.0-instanton --ready-url /app/health
  liberty-checkpoint kube --image localhost/app:1.0-instanton --openshift --namespace shop --memory-limit 768Mi`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.Connection.URI = g.PodmanURL
			return runOp(cmd.Context(), d, g, engine.OpKube, func(ctx context.Context, e engine.Engine, s engine.Sink) (*engine.Result, error) {
				return e.Kube(ctx, o, s)
			})
		},
	}
	fs := cmd.Flags()
	stringFlag(fs, &o.Image, "image", "")
	stringFlag(fs, &o.OutputDir, "kubeDirectory", "")
	stringFlag(fs, &o.Name, "appName", "")
	stringFlag(fs, &o.Namespace, "namespace", "")
	fs.Int32Var(&o.Replicas, flagName("replicas"), 0, setting("replicas").Doc)
	fs.Int32Var(&o.HTTPPort, flagName("httpPort"), 0, setting("httpPort").Doc)
	fs.StringVar(&o.ReadyPath, flagName("readyUrl"), "", "HTTP path of the startup and readiness probes (default /)")
	stringFlag(fs, &o.MemoryLimit, "memoryLimit", "")
	boolFlag(fs, &o.SeccompUnconfined, "seccompUnconfined")
	boolFlag(fs, &o.OpenShift, "openshift")
	timeoutFlag(fs, &o.Timeout)
	return cmd
}
