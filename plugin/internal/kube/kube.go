// Package kube builds the Kubernetes (and OpenShift) objects that run an InstantOn image with the
// least privilege a restore needs: a Deployment and a Service, the restore's securityContext, a
// Localhost seccomp profile, probes on the ready URL and memory sized from the checkpoint; with
// OpenShift, a SecurityContextConstraints, a ServiceAccount and the Role and RoleBinding that let
// it use the SCC. The objects are Kubernetes API types (k8s.io/api), serialized with
// sigs.k8s.io/yaml: valid by construction, no text templates.
package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// Options describe what to deploy.
type Options struct {
	Name        string // objects' name, a DNS-1035 label
	Namespace   string // optional: empty leaves it to kubectl's -n
	Image       string
	Arch        string // GOARCH of the image, for the seccomp profile's architectures
	Port        int32  // the server's HTTP port in the container
	ReadyPath   string // HTTP path of the probes
	Replicas    int32
	Memory      MemoryNeeds       // from the image's labels
	MemoryLimit resource.Quantity // zero: derived from Memory
	// SeccompFile is the Localhost profile's file name (relative to the kubelet's seccomp root,
	// /var/lib/kubelet/seccomp; Podman's --seccomp-profile-root).
	SeccompFile string
	Unconfined  bool // seccomp Unconfined instead of the Localhost profile
	OpenShift   bool
}

// Manifests are what Generate builds.
type Manifests struct {
	Objects  []any  // in the order of the YAML documents
	YAML     []byte // the objects, one document each, after a comment header
	Seccomp  []byte // the Localhost profile; nil when Unconfined
	Memory   resource.Quantity
	Warnings []string
	// PodSecurity is the Pod Security Standards level that admits the pod, Why the reasons the
	// stricter levels refuse it.
	PodSecurity string
	Why         []string
}

// The user the restored server runs as: the base images' uid 1001 (group 0), whose processes
// the checkpoint captured; Open Liberty's images use the same.
const (
	RunAsUser     int64 = 1001
	containerName       = "app"
	// seccompAnnotation is the pre-1.19 seccomp annotation, the only seccomp setting Podman 4's
	// kube play reads; Kubernetes 1.27+ ignores it (and warns), and requires it to match the field.
	seccompAnnotation = "container.seccomp.security.alpha.kubernetes.io/" + containerName
	managedBy         = "liberty-checkpoint"
)

// Generate builds the objects and their YAML.
func Generate(o Options) (*Manifests, error) {
	m := &Manifests{}
	mem, warns := memory(o.Memory, o.MemoryLimit)
	m.Memory, m.Warnings = mem, warns

	labels := map[string]string{"app.kubernetes.io/name": o.Name, "app.kubernetes.io/managed-by": managedBy}
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: o.Namespace, Labels: labels}
	}

	seccompProfile := &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeLocalhost, LocalhostProfile: ptr(o.SeccompFile)}
	podAnnotations := map[string]string{seccompAnnotation: "localhost/" + o.SeccompFile}
	if o.Unconfined {
		seccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		podAnnotations = map[string]string{seccompAnnotation: "unconfined"}
	} else {
		sc, err := SeccompProfile(o.Arch)
		if err != nil {
			return nil, err
		}
		m.Seccomp = sc
	}

	caps := make([]corev1.Capability, len(RestoreCapabilities))
	for i, c := range RestoreCapabilities {
		caps[i] = corev1.Capability(c)
	}
	probe := func(period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: o.ReadyPath, Port: intstr.FromString("http")}},
			PeriodSeconds: period, FailureThreshold: failures, TimeoutSeconds: 2,
		}
	}
	podSpec := corev1.PodSpec{
		AutomountServiceAccountToken: ptr(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot: ptr(true), RunAsUser: ptr(RunAsUser), RunAsGroup: ptr(int64(0)),
			SeccompProfile: seccompProfile,
		},
		Containers: []corev1.Container{{
			Name:            containerName,
			Image:           o.Image,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: o.Port, Protocol: corev1.ProtocolTCP}},
			// A restore answers within a second; a failed one falls back to a cold start, which
			// can take a minute: the startup probe allows for both (1 s x 120).
			StartupProbe:   probe(1, 120),
			ReadinessProbe: probe(5, 3),
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceMemory: mem},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: mem},
			},
			SecurityContext: &corev1.SecurityContext{
				Capabilities:             &corev1.Capabilities{Add: caps, Drop: []corev1.Capability{"ALL"}},
				Privileged:               ptr(false),
				AllowPrivilegeEscalation: ptr(true),
				RunAsNonRoot:             ptr(true),
				RunAsUser:                ptr(RunAsUser),
			},
		}},
	}
	if o.OpenShift {
		podSpec.ServiceAccountName = o.Name
	}
	deployment := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta(o.Name),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(o.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": o.Name}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: podAnnotations},
				Spec:       podSpec,
			},
		},
	}
	service := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta(o.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{"app.kubernetes.io/name": o.Name},
			Ports:    []corev1.ServicePort{{Name: "http", Port: o.Port, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}},
		},
	}
	if o.OpenShift {
		m.Objects = append(m.Objects, openShiftObjects(o, meta, caps)...)
	}
	m.Objects = append(m.Objects, deployment, service)
	m.PodSecurity, m.Why = PodSecurityLevel(&podSpec)

	var out bytes.Buffer
	fmt.Fprintf(&out, "# Generated by liberty-checkpoint kube for %s.\n", o.Image)
	fmt.Fprintf(&out, "# Pod Security Standards: only the %q level admits this pod:\n", m.PodSecurity)
	for _, w := range m.Why {
		fmt.Fprintf(&out, "#   %s\n", w)
	}
	if !o.Unconfined {
		fmt.Fprintf(&out, "# Seccomp: copy %s to /var/lib/kubelet/seccomp/ on every node (podman kube play: --seccomp-profile-root <its directory>).\n", o.SeccompFile)
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(&out, "# WARNING: %s\n", w)
	}
	for _, obj := range m.Objects {
		b, err := marshal(obj)
		if err != nil {
			return nil, err
		}
		out.WriteString("---\n")
		out.Write(b)
	}
	m.YAML = out.Bytes()
	return m, nil
}

func openShiftObjects(o Options, meta func(string) metav1.ObjectMeta, caps []corev1.Capability) []any {
	sccName := o.Name + "-instanton"
	if o.Namespace != "" {
		sccName = o.Namespace + "-" + sccName
	}
	seccomp := "localhost/" + o.SeccompFile
	if o.Unconfined {
		seccomp = "unconfined"
	}
	sccMeta := meta(sccName)
	sccMeta.Namespace = "" // cluster-scoped
	scc := &SecurityContextConstraints{
		TypeMeta:                 metav1.TypeMeta{APIVersion: "security.openshift.io/v1", Kind: "SecurityContextConstraints"},
		ObjectMeta:               sccMeta,
		AllowPrivilegedContainer: false,
		RequiredDropCapabilities: []corev1.Capability{"ALL"},
		AllowedCapabilities:      caps,
		// criu gets its capabilities from its file capabilities, which no_new_privs would void.
		AllowPrivilegeEscalation:        ptr(true),
		DefaultAllowPrivilegeEscalation: ptr(true),
		Volumes:                         []string{"configMap", "downwardAPI", "emptyDir", "projected", "secret"},
		SELinuxContext:                  StrategyOptions{Type: "MustRunAs"},
		RunAsUser:                       RunAsUserStrategyOptions{Type: "MustRunAs", UID: ptr(RunAsUser)},
		SupplementalGroups:              StrategyOptions{Type: "RunAsAny"},
		FSGroup:                         StrategyOptions{Type: "RunAsAny"},
		Users:                           []string{},
		Groups:                          []string{},
		SeccompProfiles:                 []string{seccomp},
	}
	sa := &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: meta(o.Name),
		AutomountServiceAccountToken: ptr(false)}
	role := &rbacv1.Role{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: meta(o.Name + "-use-scc"),
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"security.openshift.io"}, Resources: []string{"securitycontextconstraints"},
			ResourceNames: []string{sccName}, Verbs: []string{"use"}}},
	}
	binding := &rbacv1.RoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
		ObjectMeta: meta(o.Name + "-use-scc"),
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: o.Name, Namespace: o.Namespace}},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role.Name},
	}
	return []any{scc, sa, role, binding}
}

// NameFromImage derives the objects' name from an image reference: its last path component
// without tag or digest, lower-cased, as a DNS-1035 label.
func NameFromImage(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	if i := strings.Index(ref, ":"); i >= 0 {
		ref = ref[:i]
	}
	var b strings.Builder
	for _, r := range strings.ToLower(ref) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	for name != "" && name[0] >= '0' && name[0] <= '9' {
		name = name[1:]
	}
	if len(name) > 50 { // room for the -use-scc and -instanton suffixes
		name = strings.TrimRight(name[:50], "-")
	}
	if name == "" {
		name = "app"
	}
	return name
}

// marshal writes obj as YAML without its status, which the cluster fills in (the typed
// objects always carry an empty one).
func marshal(obj any) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var fields map[string]any
	if err := json.Unmarshal(j, &fields); err != nil {
		return nil, err
	}
	delete(fields, "status")
	return yaml.Marshal(fields)
}

func ptr[T any](v T) *T { return &v }
