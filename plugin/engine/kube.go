package engine

import (
	"regexp"
	"strings"
	"time"
)

// OpKube writes the Kubernetes YAML of an InstantOn image.
const OpKube = "kube"

// Defaults of Kube.
const (
	DefaultKubeDir      = "kube"
	DefaultKubeHTTPPort = 9080
	DefaultKubeReplicas = 1
	DefaultKubeTimeout  = 2 * time.Minute
)

// KubeOptions writes the Kubernetes (and OpenShift) objects that deploy an InstantOn image.
type KubeOptions struct {
	Common
	Image             string // required; in the local store (its labels are read)
	OutputDir         string // default DefaultKubeDir
	Name              string // default: from the image's repository
	Namespace         string
	Replicas          int32  // default DefaultKubeReplicas
	HTTPPort          int32  // default DefaultKubeHTTPPort
	ReadyPath         string // default "/"
	MemoryLimit       string // a Kubernetes quantity; empty: from the image's labels
	SeccompUnconfined bool
	OpenShift         bool
}

// KubeOutcome is what Kube wrote.
type KubeOutcome struct {
	Files              []string // the YAML, then the seccomp profile
	PodSecurityLevel   string
	PodSecurityReasons []string
	MemoryBytes        int64
	Warnings           []string
}

var (
	dns1035Label = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// quantity is a Kubernetes resource quantity with a binary or decimal suffix.
	quantity = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$`)
)

// Validate checks the options and fills in defaults.
func (o *KubeOptions) Validate() error {
	if err := o.Common.Validate(OpKube); err != nil {
		return err
	}
	if err := inputImage("image", o.Image); err != nil {
		return err
	}
	if o.OutputDir == "" {
		o.OutputDir = DefaultKubeDir
	}
	if o.Name != "" && (len(o.Name) > 50 || !dns1035Label.MatchString(o.Name)) {
		return Invalid("name", "use lowercase letters, digits and '-', starting with a letter, at most 50 characters (for example shop-cart)",
			"%q is not a Kubernetes object name this tool can use", o.Name)
	}
	if o.Namespace != "" && (len(o.Namespace) > 63 || !dns1123Label.MatchString(o.Namespace)) {
		return Invalid("namespace", "use lowercase letters, digits and '-', at most 63 characters", "%q is not a namespace name", o.Namespace)
	}
	switch {
	case o.Replicas == 0:
		o.Replicas = DefaultKubeReplicas
	case o.Replicas < 0:
		return Invalid("replicas", "use 1 or more", "replicas %d", o.Replicas)
	}
	switch {
	case o.HTTPPort == 0:
		o.HTTPPort = DefaultKubeHTTPPort
	case o.HTTPPort < 1 || o.HTTPPort > 65535:
		return Invalid("http_port", "use the port the server listens on in the container (1-65535; Liberty's default 9080)", "port %d", o.HTTPPort)
	}
	if o.ReadyPath == "" {
		o.ReadyPath = "/"
	}
	if o.ReadyPath[0] != '/' {
		return Invalid("readiness.http_url", "give the probes an HTTP path such as /app/health (the cluster probes the pod's own port)",
			"%q is not a path", o.ReadyPath)
	}
	if o.MemoryLimit != "" && (!quantity.MatchString(o.MemoryLimit) || strings.Trim(strings.TrimRight(o.MemoryLimit, "KMGTPEikm"), "0.") == "") {
		return Invalid("memory_limit", "use a Kubernetes quantity such as 768Mi or 1Gi", "%q is not a memory quantity", o.MemoryLimit)
	}
	return nil
}
