package doctor

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
)

// fakeHost is a machine made of strings.
type fakeHost struct {
	files            map[string]string
	release, machine string
	hard             map[string]uint64
	env              map[string]string
	notLinux         bool            // a Mac or a Windows machine: Podman runs elsewhere
	embedded         string          // the probe the plugin carries, if any
	denied           map[string]bool // Access refuses these
}

func (h *fakeHost) ReadFile(name string) ([]byte, error) {
	if s, found := h.files[name]; found {
		return []byte(s), nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (h *fakeHost) Glob(pattern string) ([]string, error) {
	var out []string
	for name := range h.files {
		if m, _ := filepath.Match(pattern, name); m {
			out = append(out, name)
		}
	}
	return out, nil
}

func (h *fakeHost) Uname() (string, string, error) {
	if h.notLinux {
		return "", "", hostinfo.ErrNotLinux
	}
	return h.release, h.machine, nil
}

func (h *fakeHost) HardLimit(res string) (uint64, error) {
	if v, found := h.hard[res]; found {
		return v, nil
	}
	return 0, errors.New("unknown")
}

func (h *fakeHost) Getenv(key string) string { return h.env[key] }

// Access allows the files in h.files unless they are listed in h.denied.
func (h *fakeHost) Access(name string) error {
	if h.denied[name] {
		return &fs.PathError{Op: "access", Path: name, Err: fs.ErrPermission}
	}
	if _, found := h.files[name]; found {
		return nil
	}
	return &fs.PathError{Op: "access", Path: name, Err: fs.ErrNotExist}
}

// fakeRuntime answers like Podman would, from scripted probe reports.
type fakeRuntime struct {
	mu           sync.Mutex
	info         *EngineInfo
	infoErr      error
	images       map[string]*ImageInfo
	caps         *probe.Caps
	host         *probe.Host // what the caps probe sees of its host
	capsStartErr error
	criu         *probe.CRIU
	criuStartErr error
	runs         []RunSpec
	copied       map[string]bool // container name -> an archive was copied in
	imported     []string
	removed      []string
}

func (r *fakeRuntime) Info(context.Context) (*EngineInfo, error) { return r.info, r.infoErr }

func (r *fakeRuntime) Image(_ context.Context, ref string) (*ImageInfo, error) {
	if img, found := r.images[ref]; found {
		return img, nil
	}
	return nil, engine.Errorf(engine.CodeNotFound, "image", "", "image %s not known", ref)
}

func (r *fakeRuntime) Run(_ context.Context, spec RunSpec) (*RunResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, spec)
	if r.copied == nil {
		r.copied = map[string]bool{}
	}
	if spec.CopyIn != nil {
		b, _ := io.ReadAll(spec.CopyIn)
		r.copied[spec.Name] = len(b) > 0
	}
	var rep probe.Report
	switch spec.Command[2] {
	case "caps":
		if r.capsStartErr != nil {
			return nil, r.capsStartErr
		}
		rep.Caps, rep.Host = r.caps, r.host
	case "criu":
		if r.criuStartErr != nil {
			return nil, r.criuStartErr
		}
		rep.CRIU = r.criu
	}
	b, _ := json.Marshal(rep)
	return &RunResult{Output: "some noise\n" + probe.Marker + string(b) + "\n"}, nil
}

func (r *fakeRuntime) ImportImage(_ context.Context, ref string, rootfs io.Reader) error {
	r.imported = append(r.imported, ref)
	return nil
}

func (r *fakeRuntime) RemoveImage(_ context.Context, ref string) error {
	r.removed = append(r.removed, ref)
	return nil
}

// fakeELF is a minimal 64-bit little-endian ELF executable header for machine, with a PT_INTERP
// program header when dynamic.
func fakeELF(machine uint16, dynamic bool) string {
	var b bytes.Buffer
	b.Write([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	phnum := uint16(0)
	if dynamic {
		phnum = 1
	}
	le := binary.LittleEndian
	_ = binary.Write(&b, le, struct {
		Type, Machine                                    uint16
		Version                                          uint32
		Entry, Phoff, Shoff                              uint64
		Flags                                            uint32
		Ehsize, Phentsize, Phnum, Shentsize, Shnum, Shst uint16
	}{2, machine, 1, 0, 64, 0, 0, 64, 56, phnum, 64, 0, 0})
	if dynamic {
		_ = binary.Write(&b, le, struct {
			Type, Flags                             uint32
			Off, Vaddr, Paddr, Filesz, Memsz, Align uint64
		}{3, 4, 0, 0, 0, 0, 0, 1})
	}
	return b.String()
}

const (
	emX86_64  = 62
	emAARCH64 = 183
)

// hostLikeThisOne is a fake of the machine this project runs on: Linux 6.18, cgroups v1 hybrid,
// runc, hard nofile 20000 without CAP_SYS_RESOURCE, containers.conf drop-in in place.
func hostLikeThisOne() *fakeHost {
	return &fakeHost{
		release: "6.18.44-fc-v657", machine: "x86_64",
		hard: map[string]uint64{"nofile": 20000, "nproc": 96365},
		env:  map[string]string{},
		files: map[string]string{
			"/plugin":                               fakeELF(emX86_64, false),
			"/proc/sys/kernel/cap_last_cap":         "40\n",
			"/proc/self/status":                     "Name:\tx\nCapEff:\t000001fffeffffff\nSeccomp:\t0\n",
			"/proc/cpuinfo":                         "processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2\n\nprocessor\t: 1\nflags\t\t: fpu sse sse2 avx avx2\n",
			"/proc/self/mountinfo":                  "30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n31 25 0:27 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
			"/usr/share/containers/containers.conf": "[containers]\n#default_ulimits = [\n#  \"nofile=1280:2560\",\n#]\n",
			DropIn:                                  "# Written by liberty-checkpoint hack/setup-host.sh\n[containers]\ndefault_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]\n\n[engine]\nruntime = \"runc\"\n",
		},
	}
}

const goodImage = "localhost/app:1.0-instanton"

func podmanLikeThisOne() *fakeRuntime {
	return &fakeRuntime{
		info: &EngineInfo{
			Version: "4.3.1", APIVersion: "4.3.1", OCIRuntime: "runc",
			OCIRuntimeVersion: "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev",
			CgroupVersion:     "v1", CgroupManager: "cgroupfs", Kernel: "6.18.44-fc-v657", Arch: "amd64",
			Seccomp: true, SeccompProfile: "/usr/share/containers/seccomp.json",
			StorageDriver: "overlay",
		},
		images: map[string]*ImageInfo{goodImage: {ID: "sha256:86c843e9da8b0123", Arch: "amd64", OS: "linux", Labels: map[string]string{
			engine.LabelPhase: "afterAppStart", engine.LabelKernel: "6.18.44-fc-v657", engine.LabelArch: "x86_64",
			engine.LabelCPUFlags: "fpu sse sse2 avx avx2", engine.LabelMemoryRSS: "157286400", engine.LabelHeapMax: "268435456",
		}}},
		host: &probe.Host{Kernel: "6.18.44-fc-v657", Machine: "x86_64", CapLastCap: 40, PtraceScope: "1", CPUFlags: []string{"fpu", "sse", "sse2", "avx", "avx2"}},
		caps: &probe.Caps{UID: 0, CapEff: "00000100800c05fb", CapPrm: "00000100800c05fb", CapBnd: "00000100800c05fb",
			Seccomp: "0", NoNewPrivs: "0", Nofile: [2]uint64{4096, 4096}, Nproc: [2]uint64{4096, 4096}},
		criu: &probe.CRIU{Path: "/usr/sbin/criu", Version: "4.2.1", Unprivileged: true,
			Check:        &probe.Step{Command: "criu check --unprivileged", Exit: 1, Output: []string{"Error (criu/cr-check.c:160): sys/kernel/ns_last_pid sysctl is inaccessible: Read-only file system", "Warn  (criu/cr-check.c:1674): Does not look good."}},
			Dump:         &probe.Step{Command: "criu dump", Log: []string{"Dumping finished successfully"}},
			Restore:      &probe.Step{Command: "criu restore", Log: []string{"Restore finished successfully. Tasks resumed."}},
			ServedBefore: true, ServedAfter: true},
	}
}
