package kube

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/containers/common/pkg/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/memfit"
)

func options() Options {
	return Options{Name: "sample", Namespace: "shop", Image: "registry.example/sample:1.0-instanton", Arch: "amd64", Port: 9080,
		ReadyPath: "/sample/hello", Replicas: 2, SeccompFile: "liberty-checkpoint-sample.json",
		Memory: MemoryNeeds{RSS: 156 * mi, HeapCommitted: 40 * mi, HeapMax: 256 * mi}}
}

func decodeStrict(t *testing.T, doc []byte) []any {
	t.Helper()
	out, err := DecodeStrict(doc)
	require.NoError(t, err)
	return out
}

func TestGenerateRoundTripsStrictly(t *testing.T) {
	for _, openshift := range []bool{false, true} {
		o := options()
		o.OpenShift = openshift
		m, err := Generate(o)
		require.NoError(t, err)
		back := decodeStrict(t, m.YAML)
		require.Len(t, back, len(m.Objects))
		for i := range back {
			// Quantities keep a cached string after formatting: compare their JSON forms.
			want, _ := json.Marshal(m.Objects[i])
			got, _ := json.Marshal(back[i])
			assert.JSONEq(t, string(want), string(got))
		}
		kinds := []string{}
		for _, obj := range back {
			kinds = append(kinds, reflect.TypeOf(obj).Elem().Name())
		}
		if openshift {
			assert.Equal(t, []string{"SecurityContextConstraints", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service"}, kinds)
		} else {
			assert.Equal(t, []string{"Deployment", "Service"}, kinds)
		}
	}
}

func TestStrictDecodingCatchesUnknownFields(t *testing.T) {
	// The round trip above could not fail if strict decoding accepted anything.
	bad := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replica: 2}\n")
	assert.Error(t, yaml.UnmarshalStrict(bad, &appsv1.Deployment{}))
}

func TestRestoreSecurityContext(t *testing.T) {
	m, err := Generate(options())
	require.NoError(t, err)
	d := m.Objects[0].(*appsv1.Deployment)
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	sc := c.SecurityContext
	assert.Equal(t, []corev1.Capability{"CHECKPOINT_RESTORE", "SETPCAP"}, sc.Capabilities.Add)
	assert.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop)
	assert.False(t, *sc.Privileged)
	assert.True(t, *sc.AllowPrivilegeEscalation, "criu restores with file capabilities, which no_new_privs voids")
	assert.True(t, *sc.RunAsNonRoot)
	assert.Equal(t, int64(1001), *sc.RunAsUser)
	assert.Equal(t, corev1.SeccompProfileTypeLocalhost, pod.SecurityContext.SeccompProfile.Type)
	assert.Equal(t, "liberty-checkpoint-sample.json", *pod.SecurityContext.SeccompProfile.LocalhostProfile)
	assert.Equal(t, "localhost/liberty-checkpoint-sample.json", d.Spec.Template.Annotations[seccompAnnotation])
	assert.False(t, *pod.AutomountServiceAccountToken)
	for _, p := range []*corev1.Probe{c.StartupProbe, c.ReadinessProbe} {
		require.NotNil(t, p)
		assert.Equal(t, "/sample/hello", p.HTTPGet.Path)
		assert.Equal(t, "http", p.HTTPGet.Port.String())
	}
	assert.Equal(t, int32(2), *d.Spec.Replicas)
	assert.Equal(t, "shop", d.Namespace)
	assert.Equal(t, LevelPrivileged, m.PodSecurity)
	assert.Contains(t, strings.Join(m.Why, "\n"), "baseline refuses capability CHECKPOINT_RESTORE")
	assert.Contains(t, string(m.YAML), `only the "privileged" level admits this pod`)

	o := options()
	o.Unconfined = true
	u, err := Generate(o)
	require.NoError(t, err)
	assert.Nil(t, u.Seccomp)
	assert.Equal(t, corev1.SeccompProfileTypeUnconfined, u.Objects[0].(*appsv1.Deployment).Spec.Template.Spec.SecurityContext.SeccompProfile.Type)
	assert.Contains(t, strings.Join(u.Why, "\n"), "baseline refuses seccomp Unconfined")
}

func TestPodSecurityLevels(t *testing.T) {
	spec := func(add []corev1.Capability, escalate bool) *corev1.PodSpec {
		return &corev1.PodSpec{SecurityContext: &corev1.PodSecurityContext{},
			Containers: []corev1.Container{{Name: "c", SecurityContext: &corev1.SecurityContext{
				Capabilities: &corev1.Capabilities{Add: add, Drop: []corev1.Capability{"ALL"}}, AllowPrivilegeEscalation: ptr(escalate)}}}}
	}
	level, _ := PodSecurityLevel(spec([]corev1.Capability{"CHECKPOINT_RESTORE", "SETPCAP"}, true))
	assert.Equal(t, LevelPrivileged, level)
	level, _ = PodSecurityLevel(spec([]corev1.Capability{"SETPCAP"}, true))
	assert.Equal(t, LevelBaseline, level)
	level, _ = PodSecurityLevel(spec(nil, false))
	assert.Equal(t, LevelRestricted, level)
}

func TestOpenShiftObjects(t *testing.T) {
	o := options()
	o.OpenShift = true
	m, err := Generate(o)
	require.NoError(t, err)
	scc := m.Objects[0].(*SecurityContextConstraints)
	assert.Equal(t, "security.openshift.io/v1", scc.APIVersion)
	assert.Empty(t, scc.Namespace, "SCCs are cluster-scoped")
	assert.Equal(t, []corev1.Capability{"CHECKPOINT_RESTORE", "SETPCAP"}, scc.AllowedCapabilities)
	assert.False(t, scc.AllowPrivilegedContainer)
	assert.Equal(t, []string{"localhost/liberty-checkpoint-sample.json"}, scc.SeccompProfiles)
	role := m.Objects[2].(*rbacv1.Role)
	assert.Equal(t, []string{scc.Name}, role.Rules[0].ResourceNames)
	assert.Equal(t, []string{"use"}, role.Rules[0].Verbs)
	binding := m.Objects[3].(*rbacv1.RoleBinding)
	assert.Equal(t, "ServiceAccount", binding.Subjects[0].Kind)
	assert.Equal(t, "sample", binding.Subjects[0].Name)
	assert.Equal(t, "sample", m.Objects[4].(*appsv1.Deployment).Spec.Template.Spec.ServiceAccountName)
}

func TestMemory(t *testing.T) {
	needs := MemoryNeeds{RSS: 156 * mi, HeapCommitted: 40 * mi, HeapMax: 256 * mi}
	q, warns := memory(needs, resource.Quantity{})
	assert.Empty(t, warns)
	assert.Equal(t, int64(240*mi), q.Value(), "RSS + 50%%, rounded up to 16 MiB")

	_, warns = memory(needs, resource.MustParse("128Mi"))
	require.Len(t, warns, 1)
	assert.Contains(t, warns[0], "memory limit 128Mi is below the server's RSS")

	_, warns = memory(needs, resource.MustParse("300Mi"))
	require.Len(t, warns, 1)
	assert.Contains(t, warns[0], "memory limit 300Mi is below what the server may grow to, 390.1 MB (RSS - committed heap + max heap")

	_, warns = memory(needs, resource.MustParse("512Mi"))
	assert.Empty(t, warns)

	q, warns = memory(MemoryNeeds{}, resource.Quantity{})
	assert.Equal(t, "512Mi", q.String())
	require.Len(t, warns, 1)
	assert.Contains(t, warns[0], "memoryLimit")

	// A label that is not a byte count is ignored, and the warning names it.
	q, warns = memory(memfit.FromLabels(map[string]string{engine.LabelMemoryRSS: "163577856", engine.LabelHeapMax: "1G"}), resource.Quantity{})
	assert.Equal(t, int64(240*mi), q.Value())
	require.Len(t, warns, 1)
	assert.Contains(t, warns[0], `ignored, not a byte count: io.liberty-checkpoint.memory.heap-max="1G"`)
}

func TestSeccompProfileIsTheResolvedDefault(t *testing.T) {
	b, err := SeccompProfile("amd64")
	require.NoError(t, err)
	var p specs.LinuxSeccomp
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&p), "the profile is in the OCI runtime-spec form")
	assert.Equal(t, specs.ActErrno, p.DefaultAction)
	assert.Equal(t, []specs.Arch{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}, p.Architectures)
	allowed := map[string]bool{}
	for _, s := range p.Syscalls {
		for _, n := range s.Names {
			if s.Action == specs.ActAllow && len(s.Args) == 0 {
				allowed[n] = true
			}
		}
	}
	// From the default, unconditionally: what criu restore uses.
	for _, n := range []string{"read", "mmap", "clone", "ptrace", "prctl", "rt_sigreturn", "process_vm_readv"} {
		assert.True(t, allowed[n], "%s allowed", n)
	}
	// Gated in the default on capabilities a restore container does not have: left out.
	for _, n := range []string{"kcmp", "bpf", "init_module", "settimeofday"} {
		assert.False(t, allowed[n], "%s must not be allowed", n)
	}
	// Nothing from another architecture.
	assert.False(t, allowed["s390_runtime_instr"])
	assert.False(t, allowed["arm_fadvise64_64"])

	// Every rule of the default that applies to amd64 and the restore capabilities is there.
	n := 0
	for _, s := range seccomp.DefaultProfile().Syscalls {
		if len(s.Includes.Caps) == 0 && len(s.Excludes.Caps) == 0 && len(s.Includes.Arches) == 0 && len(s.Excludes.Arches) == 0 {
			n++
		}
	}
	assert.GreaterOrEqual(t, len(p.Syscalls), n)

	_, err = SeccompProfile("sparc")
	assert.ErrorContains(t, err, "sparc")
}

func TestNameFromImage(t *testing.T) {
	for ref, want := range map[string]string{
		"localhost/liberty-checkpoint-sample:1.0-instanton": "liberty-checkpoint-sample",
		"registry.example:5000/shop/Cart_Service@sha256:ab": "cart-service",
		"9lives":   "lives",
		"___":      "app",
		"a.b.c:v1": "a-b-c",
	} {
		assert.Equal(t, want, NameFromImage(ref), ref)
	}
	assert.LessOrEqual(t, len(NameFromImage(strings.Repeat("x", 100))), 50)
	assert.True(t, slices.Contains(RestoreCapabilities, "SETPCAP"))
}

// The embedded runtime default is containers/common's DefaultProfile of the pinned module (make
// gen writes it; this holds it to that on the Linux side, where DefaultProfile exists).
func TestEmbeddedRuntimeDefaultIsContainersCommons(t *testing.T) {
	def, err := runtimeDefault()
	require.NoError(t, err)
	want, err := json.Marshal(seccomp.DefaultProfile())
	require.NoError(t, err)
	got, err := json.Marshal(def)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}
