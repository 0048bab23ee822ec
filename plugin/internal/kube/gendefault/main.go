//go:build linux

// Command gendefault writes plugin/internal/kube/runtime-default.json: containers/common's default
// seccomp profile (Podman's and CRI-O's runtime default, seccomp.DefaultProfile) of the pinned
// module, as JSON. The kube package embeds it, because containers/common builds DefaultProfile on
// Linux only and kube must write the same profile from a macOS or Windows host. make gen runs it;
// make check-gen fails when the committed file differs from the module's profile.
package main

import (
	"encoding/json"
	"log"
	"os"

	"github.com/containers/common/pkg/seccomp"
)

func main() {
	b, err := json.MarshalIndent(seccomp.DefaultProfile(), "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("plugin/internal/kube/runtime-default.json", append(b, '\n'), 0o644); err != nil {
		log.Fatal(err)
	}
}
