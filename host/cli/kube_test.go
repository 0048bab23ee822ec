package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

func TestKubeFlagsReachEngine(t *testing.T) {
	fake := &enginetest.Fake{}
	stdout, stderr, code := execute(t, fake, "kube", "--image", "localhost/a:1", "--kube-directory", "out/k", "--app-name", "shop",
		"--namespace", "prod", "--replicas", "3", "--http-port", "9443", "--ready-url", "/health", "--memory-limit", "768Mi",
		"--seccomp-unconfined", "--openshift")
	require.Equal(t, 0, code, stderr)
	o := fake.Calls()[0].Options.(engine.KubeOptions)
	assert.Equal(t, engine.KubeOptions{Image: "localhost/a:1", OutputDir: "out/k", Name: "shop", Namespace: "prod", Replicas: 3,
		HTTPPort: 9443, ReadyPath: "/health", MemoryLimit: "768Mi", SeccompUnconfined: true, OpenShift: true}, o)
	assert.Contains(t, stdout, `only the "privileged" level admits the pod`)
	assert.Contains(t, stdout, "baseline refuses capability CHECKPOINT_RESTORE")
	assert.Contains(t, stdout, "/var/lib/kubelet/seccomp/")
}
