// Package probebin carries doctor's probe (plugin/cmd/lcp-probe) as static Linux executables, one
// per architecture, so that a plugin on any machine (macOS, Windows, Linux of either
// architecture) can run it in a container on its Podman host. `make build` writes them, gzipped,
// into bin/ before it builds the plugin, which embeds them; a plugin built without them falls
// back on itself (on Linux it runs the probe too: probe.RunIfAsked).
package probebin

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"embed"
	"fmt"
	"io"
)

//go:embed bin
var files embed.FS

// Arches are the architectures make build embeds a probe for (Go spelling).
var Arches = []string{"amd64", "arm64"}

// FileName is the embedded probe of arch, under bin/.
func FileName(arch string) string { return "linux-" + arch + ".gz" }

// Embedded returns the embedded probe for a Podman host of arch (Go spelling, as podman info
// reports it), or nil when this plugin carries none.
func Embedded(arch string) []byte {
	gz, err := files.ReadFile("bin/" + FileName(arch))
	if err != nil {
		return nil
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil
	}
	bin, err := io.ReadAll(r)
	if err != nil {
		return nil
	}
	return bin
}

var goArchELF = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "386": elf.EM_386,
}

// Check returns why bin (named name) cannot run in every container of arch, or "": it must be a
// static ELF executable for that machine.
func Check(bin []byte, name, arch string) string {
	const rebuild = "; build the plugin with make build (CGO_ENABLED=0; it embeds a probe for amd64 and arm64)"
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Sprintf("the probe binary %s is not a Linux executable%s", name, rebuild)
	}
	defer f.Close()
	if want, known := goArchELF[arch]; known && f.Machine != want {
		return fmt.Sprintf("the probe binary %s is for %s but Podman runs %s containers%s", name, f.Machine, arch, rebuild)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Sprintf("the probe binary %s is dynamically linked%s", name, rebuild)
		}
	}
	return ""
}
