package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	pb "github.com/liberty-checkpoint/liberty-checkpoint/gen/libertycheckpoint/v1"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// The generated YAML on a real engine: podman kube play of exactly what kube wrote, with its
// seccomp profile, restores the sample (CWWKC0452I, HTTP 200 from the pod); podman kube down
// leaves nothing. What Podman 4.3's kube play does not apply (the readiness probe) is checked
// through the bindings: a restore with the same capabilities, seccomp profile and ready URL.
func TestKubeYAMLRestoresOnPodman(t *testing.T) {
	l := liberty(t) // the sample's InstantOn image the fault tests share: no second slow chain
	cli, image := l.cli, l.instantOn
	name := "lcp-e2e-kube-" + randomID()
	dir := t.TempDir()

	events, code := cliEvents(t, cli, "kube", "--image", image, "--kube-directory", dir, "--app-name", name,
		"--ready-url", "/sample/hello")
	require.Equal(t, 0, code)
	k := events[len(events)-1].GetResult().GetKube()
	require.NotNil(t, k)
	require.Len(t, k.GetFiles(), 2, "the YAML and the seccomp profile")
	yamlFile, profile := k.GetFiles()[0], k.GetFiles()[1]
	assert.Equal(t, filepath.Join(dir, name+".yaml"), yamlFile)
	assert.Equal(t, "privileged", k.GetPodSecurityLevel())
	if rss := imageLabels(t, image)[engine.LabelMemoryRSS]; rss == "" {
		assert.Equal(t, int64(512<<20), k.GetMemoryBytes(), "no memory labels: the default")
		assert.NotEmpty(t, k.GetWarnings())
	} else {
		assert.Greater(t, k.GetMemoryBytes(), int64(0))
	}

	// An image that is not InstantOn is refused before anything is written.
	notInstantOn := filepath.Join(dir, "refused")
	events, code = cliEvents(t, cli, "kube", "--image", baseImage, "--kube-directory", notInstantOn)
	assert.Equal(t, 1, code)
	assert.Equal(t, "FailedPrecondition", events[len(events)-1].GetError().GetCode())
	assert.Contains(t, events[len(events)-1].GetError().GetMessage(), "not an InstantOn image")
	assert.NoDirExists(t, notInstantOn)

	// Podman 4.3's kube play publishes every containerPort on the host at the same port, on all
	// interfaces (it has no Service and no --publish): 9080 must be free while the pod runs.
	if l, err := net.Listen("tcp", ":9080"); err != nil {
		t.Fatalf("podman kube play publishes the pod's port 9080 on the host, and it is taken: %v", err)
	} else {
		l.Close()
	}

	t.Run("kube play", func(t *testing.T) {
		ctr, ip := kubePlay(t, dir, yamlFile, name)
		evidence := waitForLog(t, ctr, engine.MsgRestored, engine.MsgRestoreFailed)
		require.Contains(t, evidence, engine.MsgRestored, "restored, not a cold start")
		body := httpGet(t, "http://"+ip+":9080/sample/hello")
		assert.Contains(t, body, sampleGreeting)

		// What the runtime gave the container: the YAML's securityContext and memory.
		inspect := podmanOut(t, "inspect", "--format",
			"{{.EffectiveCaps}}|{{.Config.User}}|{{.HostConfig.Privileged}}|{{.HostConfig.Memory}}|{{.HostConfig.SecurityOpt}}|{{.State.Pid}}", ctr)
		f := strings.Split(strings.TrimSpace(inspect), "|")
		require.Len(t, f, 6, inspect)
		assert.ElementsMatch(t, []string{"CAP_CHECKPOINT_RESTORE", "CAP_SETPCAP"}, strings.Fields(strings.Trim(f[0], "[]")), "effective caps")
		assert.Equal(t, "1001:0", f[1], "runAsUser and runAsGroup")
		assert.Equal(t, "false", f[2], "never privileged")
		assert.Equal(t, fmt.Sprint(k.GetMemoryBytes()), f[3], "memory limit from the YAML")
		assert.NotContains(t, f[4], "no-new-privileges", "allowPrivilegeEscalation: true")
		status, err := os.ReadFile("/proc/" + f[5] + "/status")
		require.NoError(t, err)
		assert.Contains(t, string(status), "Seccomp:\t2", "a seccomp filter is on")
		t.Logf("kube play: %s", evidence)

		kubeDown(t, yamlFile)
		assert.Empty(t, podmanLines(t, "pod", "ps", "--filter", "name="+name, "--format", "{{.Name}}"), "podman kube down leaves no pod")
		assert.Empty(t, podmanLines(t, "ps", "-a", "--filter", "name="+name, "--format", "{{.Names}}"), "and no container")
	})

	// allowPrivilegeEscalation is true because it must be: false sets no_new_privs, which voids
	// the file capabilities criu restores with, and the server falls back to a cold start.
	t.Run("no_new_privs defeats the restore", func(t *testing.T) {
		data, err := os.ReadFile(yamlFile)
		require.NoError(t, err)
		require.Contains(t, string(data), "allowPrivilegeEscalation: true")
		noEsc := filepath.Join(dir, "no-escalation.yaml")
		require.NoError(t, os.WriteFile(noEsc, []byte(strings.Replace(string(data), "allowPrivilegeEscalation: true", "allowPrivilegeEscalation: false", 1)), 0o644))
		ctr, _ := kubePlay(t, dir, noEsc, name)
		evidence := waitForLog(t, ctr, engine.MsgRestored, engine.MsgRestoreFailed)
		assert.Contains(t, evidence, engine.MsgRestoreFailed, "without privilege escalation criu has no capabilities")
		kubeDown(t, noEsc)
	})

	// Podman applies the Localhost profile through the seccomp annotation (it reads no
	// seccompProfile field): without the profile file the play fails, naming it.
	t.Run("seccomp profile is applied", func(t *testing.T) {
		empty := t.TempDir()
		t.Cleanup(func() { _ = exec.Command("podman", "kube", "down", yamlFile).Run() })
		out, err := exec.Command("podman", "kube", "play", "--seccomp-profile-root", empty, yamlFile).CombinedOutput()
		assert.Error(t, err, "kube play without the profile file: %s", out)
		assert.Contains(t, string(out), filepath.Join(empty, filepath.Base(profile)))
		_ = exec.Command("podman", "kube", "down", yamlFile).Run()
		assert.Empty(t, podmanLines(t, "ps", "-a", "--filter", "name=^"+name, "--format", "{{.Names}}"))
	})

	// The same settings through the bindings (the engine's restore: CHECKPOINT_RESTORE and
	// SETPCAP only, the generated seccomp profile, HTTP readiness on the probes' path).
	t.Run("bindings", func(t *testing.T) {
		events, code := cliEvents(t, cli, "restore", "--image", image, "--publish", "127.0.0.1::9080",
			"--ready-url", "/sample/hello", "--seccomp-profile", profile, "--disable-recovery")
		require.Equal(t, 0, code)
		r := events[len(events)-1].GetResult().GetRestore()
		assert.Equal(t, pb.RestoreOutcome_VERDICT_RESTORED, r.GetVerdict())
		assert.EqualValues(t, 200, r.GetHttpStatus())
	})
}

// kubePlay plays a YAML file with the profiles in dir and returns the application container and
// the pod's IP address.
func kubePlay(t *testing.T, dir, file, name string) (ctr, ip string) {
	t.Helper()
	t.Cleanup(func() { _ = exec.Command("podman", "kube", "down", file).Run() })
	tool(t, 5*time.Minute, nil, "podman", "kube", "play", "--seccomp-profile-root", dir, file)
	pods := podmanLines(t, "pod", "ps", "--filter", "name=^"+name, "--format", "{{.Name}}")
	require.Len(t, pods, 1, "one pod for the Deployment's one replica")
	for _, c := range podmanLines(t, "ps", "-a", "--filter", "pod="+pods[0], "--format", "{{.Names}} {{.IsInfra}}") {
		if n, infra, _ := strings.Cut(c, " "); infra == "false" {
			ctr = n
		}
	}
	require.NotEmpty(t, ctr, "the application container of pod %s", pods[0])
	infra := strings.TrimSpace(podmanOut(t, "pod", "inspect", "--format", "{{.InfraContainerID}}", pods[0]))
	ip = strings.TrimSpace(podmanOut(t, "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", infra))
	ip, _, _ = strings.Cut(ip, " ")
	require.NotEmpty(t, ip, "the pod's address")
	return ctr, ip
}

func kubeDown(t *testing.T, file string) {
	t.Helper()
	tool(t, 2*time.Minute, nil, "podman", "kube", "down", file)
}

// waitForLog waits until the container's output holds one of the texts and returns that line.
func waitForLog(t *testing.T, ctr string, texts ...string) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	var out []byte
	for time.Now().Before(deadline) {
		out, _ = exec.Command("podman", "logs", ctr).CombinedOutput()
		for _, line := range strings.Split(string(out), "\n") {
			for _, text := range texts {
				if strings.Contains(line, text) {
					return line
				}
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s logged none of %v:\n%s", ctr, texts, out)
	return ""
}

func podmanOut(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("podman", args...).CombinedOutput()
	require.NoError(t, err, "podman %v: %s", args, out)
	return string(out)
}

// httpGet gets url until it answers 200 (the restored server answers at once; allow a moment for
// the pod's network) and returns the body.
func httpGet(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(body)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s: no 200 (last error %v)", url, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
