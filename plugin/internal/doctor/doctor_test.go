package doctor

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostmatch"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
)

// runFake runs doctor on fakes and returns the checks by id.
func runFake(t *testing.T, h *fakeHost, r *fakeRuntime, image string) (map[string]engine.Check, *engine.Result) {
	t.Helper()
	var mu sync.Mutex
	got := map[string]engine.Check{}
	d := &Doctor{Host: h, Runtime: r, ProbeBinary: "/plugin"}
	if h.embedded != "" {
		d.Embedded = func(arch string) []byte { return []byte(h.embedded) }
	}
	res, err := d.Run(context.Background(), engine.DoctorOptions{Image: image}, func(ev engine.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Check != nil {
			_, dup := got[ev.Check.ID]
			require.False(t, dup, "check %s reported twice", ev.Check.ID)
			got[ev.Check.ID] = *ev.Check
		}
	})
	require.NoError(t, err)
	require.Len(t, got, len(checks), "every check of the table reports")
	return got, res
}

func TestGoodHostAndImageAllOK(t *testing.T) {
	r := podmanLikeThisOne()
	checks, res := runFake(t, hostLikeThisOne(), r, goodImage)
	for id, c := range checks {
		assert.Equal(t, engine.CheckOK, c.Status, "%s: %s (fix %s)", id, c.Found, c.Fix)
		assert.Empty(t, c.Fix, id)
		assert.NotEmpty(t, c.Found, id)
	}
	assert.Equal(t, engine.DoctorSummary{OK: len(checks)}, *res.Doctor)
	assert.Equal(t, engine.OpDoctor, res.Operation)
	assert.Equal(t, goodImage, res.Image)

	// Both probes ran in the given image, with the probe copied in, unconfined, without a
	// network, every capability dropped but their step's: the caps probe as root with the
	// checkpoint's, the criu probe as a restore runs (uid 1001, no SYS_PTRACE); no probe image was
	// needed.
	require.Len(t, r.runs, 2)
	for _, spec := range r.runs {
		assert.Equal(t, goodImage, spec.Image)
		assert.True(t, r.copied[spec.Name], "probe copied into %s", spec.Name)
		assert.Equal(t, []string{"ALL"}, spec.CapDrop)
		if spec.Command[2] == "criu" {
			assert.Equal(t, "1001:0", spec.User)
			assert.Equal(t, []string{"CHECKPOINT_RESTORE", "SETPCAP"}, spec.CapAdd)
		} else {
			assert.Equal(t, "0", spec.User)
			assert.Equal(t, []string{"CHECKPOINT_RESTORE", "SYS_PTRACE", "SETPCAP"}, spec.CapAdd)
		}
		assert.True(t, spec.SeccompUnconfined)
		assert.True(t, spec.NoNetwork)
		assert.Equal(t, probe.Path, spec.Command[0])
		assert.Regexp(t, `^lcp-doctor-(caps|criu)-[0-9a-f]{8}$`, spec.Name)
	}
	assert.Empty(t, r.imported)
	assert.Contains(t, checks["container.rlimits"].Found, "default_ulimits nofile=4096:4096, nproc=4096:4096 from "+DropIn)
	assert.Contains(t, checks["criu.check"].Found, "only objects to the read-only /proc/sys/kernel/ns_last_pid")
}

func TestWithoutImageAProbeImageIsImportedAndRemoved(t *testing.T) {
	r := podmanLikeThisOne()
	checks, res := runFake(t, hostLikeThisOne(), r, "")
	require.Len(t, r.imported, 1)
	assert.Regexp(t, `^localhost/lcp-tmp-doctor-probe:[0-9a-f]{8}$`, r.imported[0])
	assert.Equal(t, r.imported, r.removed, "the probe image is removed again")
	require.Len(t, r.runs, 1, "only the caps probe runs without an image")
	assert.Equal(t, r.imported[0], r.runs[0].Image)
	assert.False(t, r.copied[r.runs[0].Name], "the probe image already holds the probe")
	for _, id := range []string{"image.found", "image.arch", "criu.version", "criu.check", "criu.dump", "criu.restore", "image.kernel", "image.cpu", "image.memory"} {
		assert.Equal(t, engine.CheckSkip, checks[id].Status, id)
		assert.Contains(t, checks[id].Found, "no image given", id)
	}
	assert.Equal(t, 14, res.Doctor.OK)
	assert.Equal(t, 9, res.Doctor.Skip)
}

// Known-bad inputs: each yields its line and its fix.
func TestKnownProblems(t *testing.T) {
	type want struct {
		id     string
		status engine.CheckStatus
		found  string
		fix    string
	}
	criuFailing := func(r *fakeRuntime, version string, unprivileged bool, logs ...string) {
		r.criu.Version = version
		r.criu.Unprivileged = unprivileged
		r.criu.Dump = &probe.Step{Command: "criu dump", Exit: 1, Log: logs}
		r.criu.Restore = &probe.Step{Command: "criu restore", Exit: -1, Skipped: "the dump failed"}
		r.criu.ServedAfter = false
	}
	for _, tc := range []struct {
		name   string
		image  string
		mutate func(h *fakeHost, r *fakeRuntime)
		want   []want
	}{
		{"RHEL 8 kernel without the capability", "", func(h *fakeHost, r *fakeRuntime) {
			h.release, r.info.Kernel = "4.18.0-372.el8.x86_64", "4.18.0-372.el8.x86_64"
			h.files["/proc/sys/kernel/cap_last_cap"] = "39\n"
		}, []want{{"kernel.version", engine.CheckFail, "Linux 4.18.0-372.el8.x86_64 has no CAP_CHECKPOINT_RESTORE (cap_last_cap 39", "run on Linux 5.9 or newer"}}},
		{"RHEL 8 kernel with the capability backported", "", func(h *fakeHost, r *fakeRuntime) {
			h.release, r.info.Kernel = "4.18.0-513.el8.x86_64", "4.18.0-513.el8.x86_64"
		}, []want{{"kernel.version", engine.CheckOK, "backported (cap_last_cap 40)", ""}}},
		{"old kernel on a remote engine", "", func(h *fakeHost, r *fakeRuntime) {
			r.info.Kernel = "4.18.0-372.el8.x86_64"
			r.host.CapLastCap = 37 // what a container sees there
		}, []want{
			{"kernel.version", engine.CheckFail, "Linux 4.18.0-372.el8.x86_64 has no CAP_CHECKPOINT_RESTORE (cap_last_cap 37", "run on Linux 5.9 or newer"},
			{"selinux", engine.CheckOK, "SELinux is not enabled on the Podman host (podman info)", ""},
		}},
		// A remote Podman host (ssh://, tcp://, podman machine): doctor reads it in the probe
		// container, never this machine's files.
		{"remote host: what the probe container sees of it", "", func(h *fakeHost, r *fakeRuntime) {
			r.info.Remote, r.info.Service = true, "ssh://core@127.0.0.1:50111/run/podman/podman.sock (the default connection podman-machine-default-root (x))"
			r.info.Kernel, r.info.SELinux = "6.5.6-300.fc39.aarch64", true
			r.host = &probe.Host{Kernel: "6.5.6-300.fc39.aarch64", CapLastCap: 40, PtraceScope: "2", CPUFlags: []string{"fp", "asimd"}}
			h.files = map[string]string{"/plugin": h.files["/plugin"]} // this machine has nothing to read
		}, []want{
			{"podman", engine.CheckOK, "on Linux 6.5.6-300.fc39.aarch64 (x86_64), at ssh://core@127.0.0.1:50111/run/podman/podman.sock (the default connection podman-machine-default-root (x)); that is another machine", ""},
			{"kernel.version", engine.CheckOK, "Linux 6.5.6-300.fc39.aarch64 has CAP_CHECKPOINT_RESTORE (cap_last_cap 40)", ""},
			{"yama.ptrace_scope", engine.CheckFail, "ptrace_scope 2", "sysctl -w kernel.yama.ptrace_scope=1"},
			{"selinux", engine.CheckWarn, "SELinux is enabled on the Podman host", "podman machine ssh sudo setsebool -P virt_sandbox_use_netlink 1"},
		}},
		{"remote host: the image's CPU against the Podman host's", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.info.Remote = true
			r.host.CPUFlags = []string{"fpu", "sse", "sse2"}
		}, []want{{"image.cpu", engine.CheckFail, "this CPU lacks 2 of the features the checkpointing CPU had: avx avx2", "restore on a CPU with these features"}}},
		// macOS or Windows with no Podman reachable: the host checks do not read this machine,
		// and the fix is podman machine.
		{"not Linux, Podman not reachable", "", func(h *fakeHost, r *fakeRuntime) {
			h.notLinux = true
			r.info, r.infoErr = nil, &engine.Error{Code: engine.CodeUnavailable, Message: "cannot connect to Podman",
				Fix: "Podman runs in a Linux VM here: podman machine init (once), then podman machine start"}
		}, []want{
			{"podman", engine.CheckFail, "cannot reach Podman", "podman machine start"},
			{"kernel.version", engine.CheckSkip, "Podman is not reachable", ""},
			{"host.arch", engine.CheckSkip, "Podman is not reachable", ""},
			{"yama.ptrace_scope", engine.CheckSkip, "Podman is not reachable", ""},
		}},
		{"the embedded probe goes before the plugin itself", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/plugin"] = "a Mach-O binary of a Mac"
			h.embedded = fakeELF(emX86_64, false)
		}, []want{{"container.caps", engine.CheckOK, "a container gets cap_checkpoint_restore", ""}}},
		{"aarch64", "", func(h *fakeHost, r *fakeRuntime) {
			h.machine = "aarch64"
		}, []want{{"host.arch", engine.CheckOK, "aarch64: IBM Semeru's UBI images (OpenJ9 with CRIU) and dumb-init exist for it", ""}}},
		{"riscv64", "", func(h *fakeHost, r *fakeRuntime) {
			h.machine = "riscv64"
		}, []want{{"host.arch", engine.CheckFail, "riscv64: no OpenJ9 JDK with CRIU support", "checkpoint and restore on x86-64, aarch64"}}},
		{"crun on hybrid cgroups", "", func(h *fakeHost, r *fakeRuntime) {
			r.info.OCIRuntime, r.info.OCIRuntimeVersion = "crun", "crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30"
			r.capsStartErr = errors.New(`crun: cgroups in hybrid mode not supported, drop all controllers from cgroupv2: OCI runtime error`)
		}, []want{
			{"oci.runtime", engine.CheckOK, "crun 1.8.1", ""},
			{"cgroups", engine.CheckFail, "cgroup v1 hybrid (cgroup2 also on /sys/fs/cgroup/unified), manager cgroupfs, runtime crun: crun refuses hybrid cgroups", `use runc: install runc 1.1.3 or newer and set runtime = "runc" under [engine] in ` + DropIn},
			{"container.caps", engine.CheckSkip, "see cgroups", ""},
		}},
		{"runc 1.1.2", "", func(h *fakeHost, r *fakeRuntime) {
			r.info.OCIRuntimeVersion = "runc version 1.1.2\ncommit: v1.1.2-0-ga916309f\nspec: 1.0.2-dev"
		}, []want{{"oci.runtime", engine.CheckFail, "runc 1.1.2 does not know CAP_CHECKPOINT_RESTORE", "upgrade runc to 1.1.3 or newer"}}},
		{"runc that does not know the capability", "", func(h *fakeHost, r *fakeRuntime) {
			r.capsStartErr = errors.New(`runc: runc create failed: unknown capability "CAP_CHECKPOINT_RESTORE": OCI runtime error`)
		}, []want{{"container.caps", engine.CheckFail, "the OCI runtime does not know CAP_CHECKPOINT_RESTORE", "upgrade runc to 1.1.3 or newer"}}},
		{"podman unreachable", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.info, r.infoErr = nil, errors.New("unable to connect to Podman socket: dial unix /run/podman/podman.sock: connect: no such file or directory")
		}, []want{
			{"podman", engine.CheckFail, "cannot reach Podman: unable to connect to Podman socket", "install Podman 4 or newer with runc"},
			{"container.caps", engine.CheckSkip, "Podman is not reachable", ""},
			{"criu.dump", engine.CheckSkip, "Podman is not reachable", ""},
			{"kernel.version", engine.CheckOK, "Linux 6.18.44-fc-v657", ""},
		}},
		{"podman unreachable with the engine's own fix", "", func(h *fakeHost, r *fakeRuntime) {
			r.info, r.infoErr = nil, engine.Wrap(errors.New("ssh: handshake failed"), engine.CodeUnavailable, "check the ssh key of the connection", "cannot reach ssh://core@box")
		}, []want{{"podman", engine.CheckFail, "cannot reach Podman: cannot reach ssh://core@box: ssh: handshake failed", "check the ssh key of the connection"}}},
		{"podman with its address", "", func(h *fakeHost, r *fakeRuntime) {
			r.info.Service = "unix:///run/podman/podman.sock"
		}, []want{{"podman", engine.CheckOK, "Podman 4.3.1 (API 4.3.1), rootful, on Linux 6.18.44-fc-v657 (x86_64), at unix:///run/podman/podman.sock", ""}}},
		{"podman 3", "", func(h *fakeHost, r *fakeRuntime) {
			r.info.Version = "3.4.4"
		}, []want{{"podman", engine.CheckFail, "Podman 3.4.4", "upgrade Podman to 4.0 or newer"}}},
		{"rlimit default above the hard limit", "", func(h *fakeHost, r *fakeRuntime) {
			delete(h.files, DropIn)
			r.capsStartErr = errors.New(`podman start: Error: unable to start container "c6a5": runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied`)
		}, []want{
			{"container.rlimits", engine.CheckFail, "containers cannot start: the OCI runtime cannot set RLIMIT_NOFILE (runc: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted); containers.conf sets no default_ulimits, so Podman asks for nofile and nproc 1048576; hard limits of this process: nofile 20000, nproc 96365 and Podman cannot raise them (no CAP_SYS_RESOURCE)",
				`set default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"] under [containers] in ` + DropIn},
			{"container.caps", engine.CheckSkip, "see container.rlimits", ""},
			{"seccomp", engine.CheckSkip, "did not run", ""},
		}},
		{"rlimit with a hard limit under 4096 (crun's wording)", "", func(h *fakeHost, r *fakeRuntime) {
			h.hard["nofile"] = 1024
			r.capsStartErr = errors.New("crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted: OCI permission denied")
		}, []want{{"container.rlimits", engine.CheckFail, "cannot set RLIMIT_NOFILE", `default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]`}}},
		{"CapEff without cap_checkpoint_restore", "", func(h *fakeHost, r *fakeRuntime) {
			r.caps.CapEff = "00000000800c05fb"
		}, []want{{"container.caps", engine.CheckFail, "lacks cap_checkpoint_restore (CapEff 00000000800c05fb)", "make sure nothing strips added capabilities"}}},
		{"CapEff without the capability on an old kernel", "", func(h *fakeHost, r *fakeRuntime) {
			r.caps.CapEff = "00000000800c05fb"
			h.files["/proc/sys/kernel/cap_last_cap"] = "39\n"
		}, []want{{"container.caps", engine.CheckFail, "lacks cap_checkpoint_restore", "run on Linux 5.9 or newer"}}},
		{"seccomp not lifted", "", func(h *fakeHost, r *fakeRuntime) {
			r.caps.Seccomp = "2"
		}, []want{{"seccomp", engine.CheckFail, "still runs under a seccomp filter (mode 2; default profile /usr/share/containers/seccomp.json)", "seccomp=unconfined"}}},
		{"criu 3.17 on a new kernel", goodImage, func(h *fakeHost, r *fakeRuntime) {
			criuFailing(r, "3.17.1", false, "(00.007999) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds",
				"(00.008041) Error (criu/crtools.c:260): Could not initialize kernel features detection.")
			r.criu.Check = &probe.Step{Command: "criu check", Exit: 1, Output: []string{"Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds"}}
		}, []want{
			{"criu.version", engine.CheckWarn, "criu 3.17.1 at /usr/sbin/criu does not accept --unprivileged", "use criu 4.2 or newer"},
			{"criu.check", engine.CheckFail, `criu 3.17.1 cannot read the vDSO of Linux 6.18.44-fc-v657 ("Unexpected rt vDSO area bounds")`, "criu 3.17 is too old for this kernel: it needs criu >= 4.2 (Debian forky) on this kernel"},
			{"criu.dump", engine.CheckFail, `criu dump fails: criu 3.17.1 cannot read the vDSO of Linux 6.18.44-fc-v657 ("Unexpected rt vDSO area bounds")`, "criu 3.17 is too old for this kernel: it needs criu >= 4.2 (Debian forky) on this kernel"},
			{"criu.restore", engine.CheckSkip, "not tried: the dump failed", ""},
		}},
		{"criu 4.1 and SO_PASSCRED", goodImage, func(h *fakeHost, r *fakeRuntime) {
			criuFailing(r, "4.1.1", true, "(00.009752) Error (criu/sockets.c:628): sockets: Can't get 1:16 opt: Operation not supported",
				"(00.009774) Error (criu/cr-dump.c:1681): Dump files (pid: 19) failed with -1")
		}, []want{
			{"criu.check", engine.CheckOK, "only objects to the read-only /proc/sys/kernel/ns_last_pid", ""},
			{"criu.dump", engine.CheckFail, `criu 4.1.1 asks for SO_PASSCRED on a TCP socket and Linux 6.18.44-fc-v657 refuses it ("sockets: Can't get 1:16 opt: Operation not supported")`, "criu 4.1 cannot dump a process with TCP sockets on this kernel: it needs criu >= 4.2 (Debian forky)"},
		}},
		{"restore without the capabilities the process held", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.criu.Restore = &probe.Step{Command: "criu restore", Exit: 1, Log: []string{"(00.01) Error (criu/cr-restore.c:3155): Unable to restore capabilities: Operation not permitted"}}
			r.criu.ServedAfter = false
		}, []want{{"criu.restore", engine.CheckFail, "Unable to restore capabilities", "setpriv --inh-caps=-all --ambient-caps=-all"}}},
		{"restore that claims success but does not serve", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.criu.ServedAfter = false
		}, []want{{"criu.restore", engine.CheckFail, "did not answer on its TCP port", "restore.log"}}},
		{"an unknown criu failure", goodImage, func(h *fakeHost, r *fakeRuntime) {
			criuFailing(r, "4.2.1", true, "(00.01) Error (criu/files.c:12): Can't dump file 5 of that type [60000] (unknown /x)")
		}, []want{{"criu.dump", engine.CheckFail, "criu dump fails (exit 1): Error (criu/files.c:12): Can't dump file 5", "read the criu log lines above"}}},
		{"no criu in the image", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.criu = &probe.CRIU{Error: "no criu binary on PATH or in /usr/sbin"}
		}, []want{
			{"criu.version", engine.CheckFail, "no criu in localhost/app:1.0-instanton: no criu binary on PATH", "build the image FROM an InstantOn base image"},
			{"criu.dump", engine.CheckSkip, "no criu in the image", ""},
		}},
		{"the image's container does not start", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.criuStartErr = errors.New("runc: exec format error")
		}, []want{{"criu.dump", engine.CheckFail, "a container of localhost/app:1.0-instanton does not start: runc: exec format error", "podman run --rm"}}},
		{"SELinux enforcing without the boolean", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/sys/fs/selinux/enforce"] = "1"
			h.files["/sys/fs/selinux/booleans/virt_sandbox_use_netlink"] = "0 0"
		}, []want{{"selinux", engine.CheckFail, "SELinux is enforcing and virt_sandbox_use_netlink is off", "setsebool -P virt_sandbox_use_netlink 1"}}},
		{"SELinux enforcing with the boolean", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/sys/fs/selinux/enforce"] = "1"
			h.files["/sys/fs/selinux/booleans/virt_sandbox_use_netlink"] = "1 1"
		}, []want{{"selinux", engine.CheckOK, "virt_sandbox_use_netlink is on", ""}}},
		{"ptrace_scope 3", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/proc/sys/kernel/yama/ptrace_scope"] = "3\n"
		}, []want{{"yama.ptrace_scope", engine.CheckFail, "ptrace_scope 3 (no ptrace at all)", "set kernel.yama.ptrace_scope = 1 in /etc/sysctl.d/10-ptrace.conf and reboot"}}},
		{"ptrace_scope 2", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/proc/sys/kernel/yama/ptrace_scope"] = "2\n"
		}, []want{{"yama.ptrace_scope", engine.CheckFail, "ptrace_scope 2 (admin only)", "sysctl -w kernel.yama.ptrace_scope=1"}}},
		{"ptrace_scope 1", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/proc/sys/kernel/yama/ptrace_scope"] = "1\n"
		}, []want{{"yama.ptrace_scope", engine.CheckOK, "ptrace_scope 1", ""}}},
		{"image from a newer kernel", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.images[goodImage].Labels[engine.LabelKernel] = "6.19.2-arch1-1"
		}, []want{{"image.kernel", engine.CheckWarn, "checkpointed on Linux 6.19.2-arch1-1, restoring on the older Linux 6.18.44-fc-v657", "restore on Linux 6.19.2 or newer"}}},
		{"image from an older kernel", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.images[goodImage].Labels[engine.LabelKernel] = "6.1.0-18-amd64"
		}, []want{{"image.kernel", engine.CheckOK, "checkpointed on Linux 6.1.0-18-amd64, restoring on the newer Linux 6.18.44-fc-v657 (the image's criu must know this kernel", ""}}},
		{"CPU without recorded flags", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.images[goodImage].Labels[engine.LabelCPUFlags] = "fpu sse sse2 avx avx2 avx512f avx512bw sha_ni"
		}, []want{{"image.cpu", engine.CheckFail, "this CPU lacks 3 of the features the checkpointing CPU had: avx512bw avx512f sha_ni", "restore on a CPU with these features"}}},
		{"image not there", "localhost/nope:1", nil, []want{
			{"image.found", engine.CheckFail, "image localhost/nope:1 is not in Podman's local storage", "build it first"},
			{"criu.dump", engine.CheckSkip, "see image.found", ""},
			{"image.kernel", engine.CheckSkip, "see image.found", ""},
		}},
		{"image for another architecture", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.images[goodImage].Arch = "arm64"
		}, []want{
			{"image.arch", engine.CheckFail, "the image is for arm64 but Podman runs amd64 containers", "build the image for amd64"},
			{"criu.dump", engine.CheckSkip, "see image.arch", ""},
		}},
		{"image checkpointed on another machine type", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.images[goodImage].Labels[engine.LabelArch] = "aarch64"
		}, []want{{"image.arch", engine.CheckFail, "checkpointed on aarch64, this machine is x86_64", "restore on aarch64"}}},
		{"dynamically linked plugin", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/plugin"] = fakeELF(emX86_64, true)
		}, []want{{"container.caps", engine.CheckSkip, "the probe binary /plugin is dynamically linked; build the plugin with make build", ""}}},
		{"plugin for another architecture", "", func(h *fakeHost, r *fakeRuntime) {
			h.files["/plugin"] = fakeELF(emAARCH64, false)
		}, []want{{"container.rlimits", engine.CheckSkip, "the probe binary /plugin is for EM_AARCH64 but Podman runs amd64 containers", ""}}},
		{"rootless as this machine's lcp-rootless user", goodImage, rootless, []want{
			{"rootless.userns", engine.CheckOK, "a user namespace of 65537 uids and 65537 gids", ""},
			{"rootless.network", engine.CheckOK, "/usr/bin/slirp4netns; /dev/net/tun is usable", ""},
			{"rootless.cgroups", engine.CheckWarn, "cgroups v1: rootless containers get no cgroup of their own", "systemd.unified_cgroup_hierarchy=1"},
			{"storage.driver", engine.CheckOK, "overlay (the kernel's own)", ""},
		}},
		{"rootless without subordinate ids", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			r.info.UIDMapSize, r.info.GIDMapSize = 1, 1
		}, []want{{"rootless.userns", engine.CheckFail, "maps only the user's own id (1 uids, 1 gids)", "usermod --add-subuids"}}},
		{"rootless with too few subordinate ids for uid 1001", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			r.info.GIDMapSize = 1001
		}, []want{{"rootless.userns", engine.CheckFail, "uid 1001, Open Liberty's, is not among them", "usermod --add-subuids"}}},
		{"rootless without /dev/net/tun access", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			h.denied = map[string]bool{"/dev/net/tun": true}
		}, []want{{"rootless.network", engine.CheckFail, "cannot open /dev/net/tun (it is not open to this user)", "chmod 0666 /dev/net/tun"},
			{"rootless.network", engine.CheckFail, "", "--network host (network: host in Maven and Gradle)"}}},
		{"rootless without slirp4netns", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			r.info.Slirp4netns = ""
		}, []want{{"rootless.network", engine.CheckFail, "found no slirp4netns", "apt-get install slirp4netns"},
			{"rootless.network", engine.CheckFail, "", "checkpoint-image and restore with --network host"}}},
		{"rootless on cgroups v2 without memory delegated", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			r.info.CgroupVersion, r.info.CgroupControllers = "v2", []string{"cpu", "pids"}
		}, []want{{"rootless.cgroups", engine.CheckWarn, "missing memory", "Delegate=memory pids cpu cpuset"}}},
		{"rootless on cgroups v2 with delegation", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			r.info.CgroupVersion, r.info.CgroupControllers = "v2", []string{"cpuset", "cpu", "io", "memory", "pids"}
		}, []want{{"rootless.cgroups", engine.CheckOK, "cgroups v2 with cpuset cpu io memory pids delegated", ""}}},
		{"vfs storage", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			r.info.StorageDriver = "vfs"
		}, []want{{"storage.driver", engine.CheckWarn, "storage driver vfs: every container copies", "driver = \"overlay\""}}},
		{"fuse-overlayfs on a kernel with native rootless overlay", goodImage, func(h *fakeHost, r *fakeRuntime) {
			rootless(h, r)
			r.info.StorageMountProgram = "/usr/bin/fuse-overlayfs"
		}, []want{{"storage.driver", engine.CheckOK, "through /usr/bin/fuse-overlayfs (FUSE); this kernel (5.13 or newer) could mount overlay natively", ""}}},
		{"user namespaces off and no service", goodImage, func(h *fakeHost, r *fakeRuntime) {
			r.infoErr = errors.New("cannot connect")
			h.files["/proc/sys/user/max_user_namespaces"] = "0\n"
		}, []want{{"rootless.userns", engine.CheckFail, "user.max_user_namespaces is 0", "sysctl -w user.max_user_namespaces"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, r := hostLikeThisOne(), podmanLikeThisOne()
			if tc.mutate != nil {
				tc.mutate(h, r)
			}
			checks, res := runFake(t, h, r, tc.image)
			for _, w := range tc.want {
				c, found := checks[w.id]
				require.True(t, found, w.id)
				assert.Equal(t, w.status, c.Status, "%s: %s", w.id, c.Found)
				assert.Contains(t, c.Found, w.found, w.id)
				if w.fix != "" {
					assert.Contains(t, c.Fix, w.fix, w.id)
				}
				if c.Status == engine.CheckFail || c.Status == engine.CheckWarn {
					assert.NotEmpty(t, c.Fix, "%s: every warn and fail says what to do", w.id)
				}
			}
			assert.Equal(t, res.Doctor.OK+res.Doctor.Warn+res.Doctor.Fail+res.Doctor.Skip, len(checks))
			assert.Equal(t, r.imported, r.removed, "no probe image left behind")
		})
	}
}

func TestCancelStopsAndSaysSo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	d := &Doctor{Host: hostLikeThisOne(), Runtime: podmanLikeThisOne(), ProbeBinary: "/plugin"}
	_, err := d.Run(ctx, engine.DoctorOptions{}, func(ev engine.Event) {
		if ev.Check != nil {
			if n++; n == 2 {
				cancel()
			}
		}
	})
	assert.True(t, engine.IsCanceled(err), "%v", err)
	assert.Equal(t, 2, n, "no check runs after the cancel")
}

func TestParsers(t *testing.T) {
	v, ok := parseVersion("4.18.0-372.el8.x86_64")
	require.True(t, ok)
	assert.Equal(t, "4.18.0", v.String())
	assert.True(t, v.less(version{5, 9}))
	v, _ = parseVersion("6.18.44-fc-v657")
	assert.False(t, v.less(version{5, 9}))
	assert.Equal(t, "3.17", majorMinor("3.17.1"))
	rv, raw, ok := runtimeVersion("runc version 1.1.5+ds1\ncommit: x")
	require.True(t, ok)
	assert.Equal(t, "1.1.5+ds1", raw)
	assert.False(t, rv.less(minRunc))

	hybrid, unified := cgroupHybrid([]byte(hostLikeThisOne().files["/proc/self/mountinfo"]))
	assert.True(t, hybrid)
	assert.Equal(t, "/sys/fs/cgroup/unified", unified)
	hybrid, _ = cgroupHybrid([]byte("35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"))
	assert.False(t, hybrid, "pure v2")

	vals, found := tomlStringArray("[engine]\ndefault_ulimits = [\"x=1:1\"]\n[containers]\n# comment\ndefault_ulimits = [\n  \"nofile=10:20\", # ten\n  \"nproc=5:5\",\n]\n", "containers", "default_ulimits")
	require.True(t, found)
	assert.Equal(t, []string{"nofile=10:20", "nproc=5:5"}, vals)
	_, found = tomlStringArray("[containers]\n#default_ulimits = [\"nofile=1:1\"]\n", "containers", "default_ulimits")
	assert.False(t, found, "a commented-out setting does not count")

	h := hostLikeThisOne()
	h.env["CONTAINERS_CONF"] = "/tmp/only.conf"
	h.files["/tmp/only.conf"] = "[containers]\ndefault_ulimits = [\"nofile=100:100\"]\n"
	u := defaultUlimits(h, false)
	assert.Equal(t, "/tmp/only.conf", u.source, "CONTAINERS_CONF replaces every other file")
	lim, _ := u.limit("nofile")
	assert.Equal(t, "100:100", lim)

	name, isRlimit := rlimitStartError(errors.New("error setting rlimit type 6: operation not permitted"))
	assert.True(t, isRlimit)
	assert.Equal(t, "RLIMIT_NPROC", name)
	_, isRlimit = rlimitStartError(errors.New("exec format error"))
	assert.False(t, isRlimit)

	assert.Equal(t, []string{"b", "c"}, hostmatch.Missing("a b c c", map[string]bool{"a": true}))
}

// A remote engine that cannot be reached: the checks that read this machine skip with the
// engine's address instead of crashing on the missing podman info.
func TestRemoteUnreachableEngine(t *testing.T) {
	rt := podmanLikeThisOne()
	rt.info, rt.infoErr = nil, &engine.Error{Code: engine.CodeUnavailable, Message: "connection refused", Fix: "start the service"}
	d := &Doctor{Host: hostLikeThisOne(), Runtime: rt, ProbeBinary: "/plugin"}
	var got []engine.Check
	res, err := d.Run(context.Background(), engine.DoctorOptions{Common: engine.Common{Connection: engine.Connection{URI: "tcp://10.0.0.9:8888"}}},
		func(ev engine.Event) { got = append(got, *ev.Check) })
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.Doctor.Fail, 1)
	for _, c := range got {
		if c.ID == "selinux" {
			assert.Equal(t, engine.CheckSkip, c.Status)
			assert.Contains(t, c.Found, "tcp://10.0.0.9:8888")
		}
	}
}

// rootless makes the fakes look like this machine's rootless Podman as hack/setup-host.sh's user
// (podman info of lcp-rootless: idMappings 1 + 65536 ids, slirp4netns, native overlay, cgroups v1).
func rootless(h *fakeHost, r *fakeRuntime) {
	r.info.Rootless = true
	r.info.UIDMapSize, r.info.GIDMapSize = 65537, 65537
	r.info.Slirp4netns = "/usr/bin/slirp4netns"
	r.info.StorageDriver = "overlay"
	h.files["/dev/net/tun"] = ""
}
