package kube

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SecurityContextConstraints is OpenShift's security.openshift.io/v1 SecurityContextConstraints,
// with the fields this tool sets, spelled as github.com/openshift/api/security/v1 spells them.
// That module is not used: the Go module proxy here serves only its v3.9.0+incompatible, from
// 2018, which predates Go modules and the Kubernetes API types this tool builds on.
type SecurityContextConstraints struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Priority                        *int32                   `json:"priority"`
	AllowPrivilegedContainer        bool                     `json:"allowPrivilegedContainer"`
	DefaultAddCapabilities          []corev1.Capability      `json:"defaultAddCapabilities"`
	RequiredDropCapabilities        []corev1.Capability      `json:"requiredDropCapabilities"`
	AllowedCapabilities             []corev1.Capability      `json:"allowedCapabilities"`
	AllowHostDirVolumePlugin        bool                     `json:"allowHostDirVolumePlugin"`
	Volumes                         []string                 `json:"volumes"`
	AllowHostNetwork                bool                     `json:"allowHostNetwork"`
	AllowHostPorts                  bool                     `json:"allowHostPorts"`
	AllowHostPID                    bool                     `json:"allowHostPID"`
	AllowHostIPC                    bool                     `json:"allowHostIPC"`
	DefaultAllowPrivilegeEscalation *bool                    `json:"defaultAllowPrivilegeEscalation,omitempty"`
	AllowPrivilegeEscalation        *bool                    `json:"allowPrivilegeEscalation,omitempty"`
	SELinuxContext                  StrategyOptions          `json:"seLinuxContext"`
	RunAsUser                       RunAsUserStrategyOptions `json:"runAsUser"`
	SupplementalGroups              StrategyOptions          `json:"supplementalGroups"`
	FSGroup                         StrategyOptions          `json:"fsGroup"`
	ReadOnlyRootFilesystem          bool                     `json:"readOnlyRootFilesystem"`
	Users                           []string                 `json:"users"`
	Groups                          []string                 `json:"groups"`
	SeccompProfiles                 []string                 `json:"seccompProfiles,omitempty"`
}

// StrategyOptions is the type of an SCC's seLinuxContext, supplementalGroups and fsGroup.
type StrategyOptions struct {
	Type string `json:"type,omitempty"`
}

// RunAsUserStrategyOptions is the type of an SCC's runAsUser.
type RunAsUserStrategyOptions struct {
	Type string `json:"type,omitempty"`
	UID  *int64 `json:"uid,omitempty"`
}
