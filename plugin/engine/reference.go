package engine

import (
	"fmt"
	"regexp"
	"strings"
)

// The image reference grammar of Podman's parser (github.com/containers/image/v5/docker/reference,
// a fork of distribution/reference without IPv6 registry addresses), restated so this package
// needs only the standard library; FuzzParseReference holds the two together. Digests are the
// ones Podman can verify: sha256, sha384 or sha512 in lowercase hex of their exact length.
var (
	refComponent = `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
	refDomain    = `(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?`
	refName      = `(?:` + refDomain + `/)?` + refComponent + `(?:/` + refComponent + `)*`
	refTag       = `[\w][\w.-]{0,127}`
	refDigest    = `sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}`
	referenceRE  = regexp.MustCompile(`^(` + refName + `)(?::(` + refTag + `))?(?:@(` + refDigest + `))?$`)
	digestRE     = regexp.MustCompile(`^(?:` + refDigest + `)$`)
	// nameMax is Podman's limit on a repository name (the reference without tag and digest).
	nameMax   = 255
	imageIDRE = regexp.MustCompile(`^(?:sha256:)?[0-9a-f]{12,64}$`)
)

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
	m := referenceRE.FindStringSubmatch(s)
	if m != nil && len(m[1]) > nameMax {
		return Reference{}, fmt.Sprintf("its name is longer than %d characters", nameMax), false
	}
	if m == nil {
		name := s
		if i := strings.IndexAny(name, ":@"); i >= 0 && !strings.Contains(name[i:], "/") {
			name = name[:i]
		}
		if strings.ToLower(name) != name {
			return Reference{}, "repository names must be lowercase", false
		}
		if strings.ContainsAny(s, " \t\n") {
			return Reference{}, "it contains whitespace", false
		}
		if i := strings.Index(s, "@"); i >= 0 && !digestRE.MatchString(s[i+1:]) {
			return Reference{}, "its digest is not sha256, sha384 or sha512 in lowercase hex of the full length", false
		}
		return Reference{}, "it is not of the form [registry/]name[:tag][@digest]", false
	}
	return Reference{Name: m[1], Tag: m[2], Digest: m[3]}, "", true
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
