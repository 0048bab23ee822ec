package kube

import (
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/atomicfile"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/memfit"
)

// Image is what Write needs to know about the InstantOn image.
type Image struct {
	Arch   string            // GOARCH, as Podman reports it
	Labels map[string]string // the image's labels
}

// Write generates the objects for the image and writes them to o.OutputDir: <name>.yaml and,
// unless unconfined, the seccomp profile liberty-checkpoint-<name>.json. Each file is written
// under a temporary name and renamed into place, so a failure leaves no half-written file and a
// directory Write created is removed again.
func Write(o engine.KubeOptions, img Image) (*engine.KubeOutcome, error) {
	if img.Labels[engine.LabelPhase] == "" {
		return nil, engine.Errorf(engine.CodeFailedPrecondition, "image",
			"build the InstantOn image with checkpoint-image (or checkpoint and commit) and pass that image",
			"%s is not an InstantOn image: it has no %s label", o.Image, engine.LabelPhase)
	}
	needs := memfit.FromLabels(img.Labels)
	var limit resource.Quantity
	var err error
	if o.MemoryLimit != "" {
		if limit, err = resource.ParseQuantity(o.MemoryLimit); err != nil {
			return nil, engine.Invalid("memory_limit", "use a Kubernetes quantity such as 768Mi or 1Gi", "%q: %v", o.MemoryLimit, err)
		}
	}
	name := o.Name
	if name == "" {
		name = NameFromImage(o.Image)
	}
	m, err := Generate(Options{Name: name, Namespace: o.Namespace, Image: o.Image, Arch: img.Arch, Port: o.HTTPPort,
		ReadyPath: o.ReadyPath, Replicas: o.Replicas, Memory: needs, MemoryLimit: limit,
		SeccompFile: SeccompFileName(name), Unconfined: o.SeccompUnconfined, OpenShift: o.OpenShift})
	if err != nil {
		return nil, engine.Errorf(engine.CodeFailedPrecondition, "image", "build the image for amd64 or arm64", "%v", err)
	}
	files := []struct {
		name string
		data []byte
	}{{name + ".yaml", m.YAML}}
	if m.Seccomp != nil {
		files = append(files, struct {
			name string
			data []byte
		}{SeccompFileName(name), m.Seccomp})
	}

	dir := o.OutputDir
	_, statErr := os.Stat(dir)
	created := os.IsNotExist(statErr)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, engine.Errorf(engine.CodeFailedPrecondition, "output_dir", "pass a directory you can write", "%v", err)
	}
	out := &engine.KubeOutcome{PodSecurityLevel: m.PodSecurity, PodSecurityReasons: m.Why, MemoryBytes: m.Memory.Value(), Warnings: m.Warnings}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		if err := atomicfile.Write(path, f.data, 0o644); err != nil {
			for _, done := range out.Files {
				_ = os.Remove(done)
			}
			if created {
				_ = os.Remove(dir)
			}
			return nil, engine.Errorf(engine.CodeFailedPrecondition, "output_dir", "pass a directory you can write", "%v", err)
		}
		out.Files = append(out.Files, path)
	}
	return out, nil
}

// SeccompFileName is the seccomp profile's file name for the objects' name: one path component,
// since Podman's kube play takes only the part after localhost/ up to the next slash.
func SeccompFileName(name string) string { return "liberty-checkpoint-" + name + ".json" }
