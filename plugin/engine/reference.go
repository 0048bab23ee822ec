package engine

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/containers/image/v5/docker/reference"
	"github.com/opencontainers/go-digest"
)

// References are parsed by Podman's own parser (github.com/containers/image/v5/docker/reference,
// distribution/reference's grammar without IPv6 registry addresses), without normalizing: the
// name stays as given. Digests are the ones Podman can verify (go-digest): sha256, sha384 or
// sha512 in lowercase hex of their exact length.
var imageIDRE = regexp.MustCompile(`^(?:sha256:)?[0-9a-f]{12,64}$`)

// Reference is a parsed image reference.
type Reference struct {
	Name, Tag, Digest string
}

func (r Reference) String() string {
	s := r.Name
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest
	}
	return s
}

// ParseReference parses name[:tag][@digest]. It reports a reason when s is not a reference.
func ParseReference(s string) (Reference, string, bool) {
	if s == "" {
		return Reference{}, "it is empty", false
	}
	parsed, err := reference.Parse(s)
	if err != nil {
		return Reference{}, referenceRefusal(s, err), false
	}
	var r Reference
	if n, ok := parsed.(reference.Named); ok {
		r.Name = n.Name()
	}
	if t, ok := parsed.(reference.Tagged); ok {
		r.Tag = t.Tag()
	}
	if d, ok := parsed.(reference.Digested); ok {
		r.Digest = d.Digest().String()
	}
	if r.Name == "" { // a bare digest
		return Reference{}, "it is not of the form [registry/]name[:tag][@digest]", false
	}
	return r, "", true
}

// referenceRefusal says in words why the parser refused s.
func referenceRefusal(s string, err error) string {
	switch {
	case errors.Is(err, reference.ErrNameTooLong):
		return fmt.Sprintf("its name is longer than %d characters", reference.NameTotalLengthMax)
	case errors.Is(err, reference.ErrNameContainsUppercase):
		return "repository names must be lowercase"
	case strings.ContainsAny(s, " \t\n"):
		return "it contains whitespace"
	}
	badDigest := !errors.Is(err, reference.ErrReferenceInvalidFormat) // go-digest's refusal
	if i := strings.Index(s, "@"); i >= 0 && !badDigest {
		_, derr := digest.Parse(s[i+1:])
		badDigest = derr != nil
	}
	if badDigest && strings.Contains(s, "@") {
		return "its digest is not sha256, sha384 or sha512 in lowercase hex of the full length"
	}
	return "it is not of the form [registry/]name[:tag][@digest]"
}

// IsImageID reports whether s looks like an image id (full or short hex).
func IsImageID(s string) bool { return imageIDRE.MatchString(s) }

// AppImageRef is the reference the chain tags the intermediate application image with when it
// keeps it: the InstantOn image's tag with -app appended (latest-app when it has none).
func AppImageRef(image string) string {
	r, _, ok := ParseReference(image)
	if !ok {
		return image + "-app"
	}
	tag := r.Tag
	if tag == "" {
		tag = "latest"
	}
	if len(tag) > 124 {
		tag = tag[:124]
	}
	return r.Name + ":" + tag + "-app"
}

// NormalizedName is the name Podman gives an image it tags with ref: a name without a registry
// gets localhost/ (podman tag, build and commit do that) and a missing tag becomes latest. Two
// references with the same normalized name write the same tag; a short name that reads an image
// (FROM open-liberty:x) also finds the localhost/ image of that name first.
func NormalizedName(ref string) string {
	r, _, ok := ParseReference(ref)
	if !ok || r.Digest != "" {
		return ref
	}
	name := r.Name
	first, _, hasSlash := strings.Cut(name, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		name = "localhost/" + name
	}
	tag := r.Tag
	if tag == "" {
		tag = "latest"
	}
	return name + ":" + tag
}
