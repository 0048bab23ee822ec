// Package probebin carries doctor's probe (plugin/cmd/lcp-probe) as static Linux executables, one
// per architecture, so that a plugin on any machine (macOS, Windows, Linux of either
// architecture) can run it in a container on its Podman host. `make build` writes them, gzipped,
// into bin/ before it builds the plugin, which embeds them; a plugin built without them falls
// back on itself (on Linux it runs the probe too: probe.RunIfAsked).
package probebin

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"embed"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
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

// For returns the probe for a Podman host of arch: embedded(arch) (Embedded, unless a test
// replaces it), else the file self, read with read, when it is a static Linux executable for arch
// (the plugin itself runs the probe too). Without one it returns why.
func For(arch string, embedded func(string) []byte, self string, read func(string) ([]byte, error)) ([]byte, string) {
	if embedded != nil {
		if bin := embedded(arch); bin != nil {
			return bin, ""
		}
	}
	if self == "" {
		return nil, "no probe binary configured"
	}
	bin, err := read(self)
	if err != nil {
		return nil, fmt.Sprintf("cannot read the probe binary: %v", err)
	}
	if why := Check(bin, self, arch); why != "" {
		return nil, why
	}
	return bin, ""
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

// Tar is the probe as a tar archive holding probe.Path: what is copied into a container (at /),
// or imported as the root file system of a probe image.
func Tar(bin []byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dir := strings.TrimPrefix(probe.Dir, "/")
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: time.Unix(0, 0)})
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(probe.Path, "/"), Mode: 0o755, Size: int64(len(bin)), ModTime: time.Unix(0, 0)})
	_, _ = tw.Write(bin)
	_ = tw.Close()
	return buf.Bytes()
}
