package contract

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/enginetest"
)

func TestKubeRequestReachesEngineNormalized(t *testing.T) {
	fake := &enginetest.Fake{}
	client, _ := serve(t, fake)
	events, err := collect(client.Kube(context.Background(), &pb.KubeRequest{Image: "localhost/app:1", Openshift: true,
		Readiness: &pb.Readiness{Probe: &pb.Readiness_HttpUrl{HttpUrl: "/app/health"}}}))
	require.NoError(t, err)
	o := fake.Calls()[0].Options.(engine.KubeOptions)
	assert.Equal(t, engine.DefaultKubeDir, o.OutputDir)
	assert.Equal(t, int32(1), o.Replicas)
	assert.Equal(t, int32(9080), o.HTTPPort)
	assert.Equal(t, "/app/health", o.ReadyPath)
	assert.True(t, o.OpenShift)
	k := events[len(events)-1].GetResult().GetKube()
	require.NotNil(t, k)
	assert.Equal(t, "privileged", k.GetPodSecurityLevel())
	assert.Len(t, k.GetFiles(), 2)
}

func TestKubeValidation(t *testing.T) {
	client, _ := serve(t, &enginetest.Fake{})
	for _, c := range []struct {
		r     *pb.KubeRequest
		field string
	}{
		{&pb.KubeRequest{}, "image"},
		{&pb.KubeRequest{Image: "localhost/app:1", Name: "Shop"}, "name"},
		{&pb.KubeRequest{Image: "localhost/app:1", Namespace: "-x"}, "namespace"},
		{&pb.KubeRequest{Image: "localhost/app:1", HttpPort: 70000}, "http_port"},
		{&pb.KubeRequest{Image: "localhost/app:1", MemoryLimit: "lots"}, "memory_limit"},
		{&pb.KubeRequest{Image: "localhost/app:1", MemoryLimit: "0Mi"}, "memory_limit"},
		{&pb.KubeRequest{Image: "localhost/app:1", Readiness: &pb.Readiness{Probe: &pb.Readiness_HttpUrl{HttpUrl: "health"}}}, "readiness.http_url"},
		{&pb.KubeRequest{Image: "localhost/app:1", Readiness: &pb.Readiness{Probe: &pb.Readiness_LogLine{LogLine: "CWWKF0011I"}}}, "readiness.log_line"},
	} {
		err := firstError(client.Kube(context.Background(), c.r))
		require.Error(t, err, c.field)
		assert.Equal(t, codes.InvalidArgument, status.Code(err), c.field)
		assert.Contains(t, status.Convert(err).Message(), c.field)
	}
}

func TestKubeOptionsRoundTrip(t *testing.T) {
	o := engine.KubeOptions{Image: "localhost/a:1", OutputDir: "/tmp/k", Name: "a", Namespace: "n", Replicas: 2, HTTPPort: 9443,
		ReadyPath: "/h", MemoryLimit: "1Gi", SeccompUnconfined: true, OpenShift: true, Common: engine.Common{Timeout: 30e9}}
	back, err := kubeOptions(kubeRequest(o))
	require.NoError(t, err)
	assert.Equal(t, o, back)
	out := &engine.KubeOutcome{Files: []string{"a"}, PodSecurityLevel: "privileged", PodSecurityReasons: []string{"r"}, MemoryBytes: 5, Warnings: []string{"w"}}
	assert.Equal(t, out, engineKubeOutcome(pbKubeOutcome(out)))
}
