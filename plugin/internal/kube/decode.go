package kube

import (
	"bytes"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// DecodeStrict splits YAML that Generate wrote into its documents and decodes each into the API
// type its kind names, refusing any field that type lacks (the tests' round trip, and the Maven
// and Gradle real chains' check of what the shims wrote).
func DecodeStrict(doc []byte) ([]any, error) {
	var out []any
	for _, d := range bytes.Split(doc, []byte("\n---\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(d), []byte("#")) && !bytes.Contains(d, []byte("kind:")) {
			continue // the comment header
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(d, &tm); err != nil {
			return nil, err
		}
		var obj any
		switch tm.Kind {
		case "Deployment":
			obj = &appsv1.Deployment{}
		case "Service":
			obj = &corev1.Service{}
		case "ServiceAccount":
			obj = &corev1.ServiceAccount{}
		case "Role":
			obj = &rbacv1.Role{}
		case "RoleBinding":
			obj = &rbacv1.RoleBinding{}
		case "SecurityContextConstraints":
			obj = &SecurityContextConstraints{}
		default:
			return nil, fmt.Errorf("unexpected kind %q in\n%s", tm.Kind, d)
		}
		if err := yaml.UnmarshalStrict(d, obj); err != nil {
			return nil, fmt.Errorf("strict decoding of %s: %w", tm.Kind, err)
		}
		out = append(out, obj)
	}
	return out, nil
}
