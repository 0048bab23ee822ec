package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/atomicfile"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// The files --output-dir holds after checkpoint-image and push, as Jib leaves jib-image.id,
// jib-image.json and jib-image.digest: the build tools pass target/liberty-checkpoint (Maven) or
// build/liberty-checkpoint (Gradle), scripts any directory.
const (
	ImageIDFile     = "image.id"     // the image id (sha256:...), one line
	ImageJSONFile   = "image.json"   // the summary: ImageSummary
	ImageDigestFile = "image.digest" // the registry's digest (sha256:...), once the image is pushed
)

// ImageSummary is image.json.
type ImageSummary struct {
	Image               string   `json:"image"`
	ImageID             string   `json:"imageId"`
	Tags                []string `json:"tags"`
	Phase               string   `json:"phase"`
	ImageSizeBytes      int64    `json:"imageSizeBytes"`
	CheckpointSizeBytes int64    `json:"checkpointSizeBytes"`
	ImagePushed         bool     `json:"imagePushed"`
	ImageDigest         string   `json:"imageDigest,omitempty"`
}

func outputDirFlag(fs *pflag.FlagSet, g *GlobalOptions) {
	stringFlag(fs, &g.OutputDir, "outputDirectory", "")
}

// clearImageOutputs removes an earlier build's files before checkpoint-image runs: a build that
// fails must not leave the last image's id behind.
func clearImageOutputs(dir string) error {
	for _, f := range []string{ImageIDFile, ImageJSONFile, ImageDigestFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return outputsError(err)
		}
	}
	return nil
}

// writeImageOutputs writes what a result leaves in dir: checkpoint-image's image.id and
// image.json, and with a push (checkpoint-image --push, or push) image.digest and the digest in
// image.json. Each file is written whole under a temporary name and renamed into place, so a
// reader never sees half a file. It returns the lines that say where the files are.
func writeImageOutputs(dir string, r *engine.Result) ([]string, error) {
	var notes []string
	var s ImageSummary
	path := filepath.Join(dir, ImageJSONFile)
	if r.Operation == engine.OpCheckpointImage {
		s = ImageSummary{Image: r.Image, ImageID: r.ImageID, Tags: tags(r.Image), Phase: string(r.Phase),
			ImageSizeBytes: r.ImageSize, CheckpointSizeBytes: r.CheckpointSize}
		if err := put(dir, ImageIDFile, r.ImageID+"\n"); err != nil {
			return nil, err
		}
		notes = append(notes, fmt.Sprintf("Image id and summary in %s and %s", filepath.Join(dir, ImageIDFile), ImageJSONFile))
	} else if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &s) // a push of an image built elsewhere: a summary of the push alone
	}
	if r.ImageDigest != "" {
		s.ImagePushed, s.ImageDigest = true, r.ImageDigest
		if s.Image == "" {
			s.Image, s.Tags = r.Image, tags(r.Image)
		}
		if err := put(dir, ImageDigestFile, r.ImageDigest+"\n"); err != nil {
			return nil, err
		}
		notes = append(notes, fmt.Sprintf("Pushed %s@%s (in %s)", r.PushedTo, r.ImageDigest, filepath.Join(dir, ImageDigestFile)))
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	return notes, put(dir, ImageJSONFile, string(b)+"\n")
}

// tags is the tag of a reference (latest when it has none; none for a digest reference).
func tags(image string) []string {
	name, _, digested := strings.Cut(image, "@")
	slash, colon := strings.LastIndex(name, "/"), strings.LastIndex(name, ":")
	switch {
	case colon > slash:
		return []string{name[colon+1:]}
	case digested:
		return []string{}
	}
	return []string{"latest"}
}

func put(dir, name, text string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return outputsError(err)
	}
	if err := atomicfile.Write(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
		return outputsError(err)
	}
	return nil
}

func outputsError(err error) error {
	return &engine.Error{Code: engine.CodeFailedPrecondition,
		Message: fmt.Sprintf("cannot write the image's files into --output-dir: %v", err),
		Fix:     "make --output-dir a directory this user can write", Err: err}
}
