package doctor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/privilege"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/hostinfo"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probe"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/internal/probebin"
)

// state holds what the checks found out, each fact fetched once and shared by the checks that
// need it.
type state struct {
	d    *Doctor
	opts engine.DoctorOptions
	sink engine.Sink

	unameDone        bool
	release, machine string
	unameErr         error

	infoDone bool
	info     *EngineInfo
	infoErr  error

	imageDone bool
	image     *ImageInfo
	imageErr  error

	probeDone   bool
	probeTar    []byte // the probe binary at probe.Path, as a tar archive
	probeReason string // why the probe cannot run, when it cannot

	caps, criu *probeResult
}

// uname is this machine's kernel release and machine.
func (s *state) uname() (string, string, error) {
	if !s.unameDone {
		s.unameDone = true
		s.release, s.machine, s.unameErr = s.d.Host.Uname()
	}
	return s.release, s.machine, s.unameErr
}

// engine is `podman info`, or why Podman cannot be reached.
func (s *state) engine(ctx context.Context) (*EngineInfo, error) {
	if !s.infoDone {
		s.infoDone = true
		s.info, s.infoErr = s.d.Runtime.Info(ctx)
		if s.infoErr == nil && s.info == nil {
			s.infoErr = errors.New("podman info returned nothing")
		}
	}
	return s.info, s.infoErr
}

// local reports whether the engine runs on this machine, so that this machine's /proc, /sys and
// /etc describe the containers' host. Never when this machine does not run Linux. Without an
// engine, a Linux machine is all there is.
func (s *state) local(ctx context.Context) bool {
	release, _, uerr := s.uname()
	if errors.Is(uerr, hostinfo.ErrNotLinux) {
		return false
	}
	uri := s.opts.Connection.URI
	if strings.HasPrefix(uri, "ssh://") || strings.HasPrefix(uri, "tcp://") {
		return false
	}
	info, err := s.engine(ctx)
	if err == nil && info.Remote {
		return false
	}
	return err != nil || uerr != nil || info.Kernel == "" || info.Kernel == release
}

// notLocal is the skip reason of a check that reads this machine's files.
func (s *state) notLocal(ctx context.Context) string {
	if _, err := s.engine(ctx); err != nil {
		where := s.opts.Connection.URI
		if where == "" {
			where = "its default connection"
		}
		return "Podman is not reachable at " + where + " (see podman): this check reads the machine Podman runs on, which is not this one"
	}
	return fmt.Sprintf("Podman runs on another machine (%s): run liberty-checkpoint doctor on it for this check", s.where(ctx))
}

// where names the Podman host: its kernel and address.
func (s *state) where(ctx context.Context) string {
	info, err := s.engine(ctx)
	if err != nil {
		return s.opts.Connection.URI
	}
	where := info.Service
	if where == "" {
		where = s.opts.Connection.URI
	}
	if info.Kernel != "" {
		where = "Linux " + info.Kernel + " at " + where
	}
	return where
}

// hostFacts is what the caps probe saw of the Podman host, or why there is nothing: how a check
// that reads this machine's files reads a remote Podman host instead.
func (s *state) hostFacts(ctx context.Context) (*probe.Host, string) {
	if why := s.probeUsable(ctx); why != "" {
		return nil, why
	}
	r := s.capsProbe(ctx)
	if r.report == nil || r.report.Host == nil {
		return nil, "the probe container did not run (see container.caps)"
	}
	return r.report.Host, ""
}

// kernel is the kernel release of the machine containers run on.
func (s *state) kernel(ctx context.Context) string {
	if info, err := s.engine(ctx); err == nil && info.Kernel != "" {
		return info.Kernel
	}
	release, _, _ := s.uname()
	return release
}

// imageInfo inspects opts.Image.
func (s *state) imageInfo(ctx context.Context) (*ImageInfo, error) {
	if !s.imageDone {
		s.imageDone = true
		s.image, s.imageErr = s.d.Runtime.Image(ctx, s.opts.Image)
		if s.imageErr == nil && s.image == nil {
			s.imageErr = errors.New("image inspect returned nothing")
		}
	}
	return s.image, s.imageErr
}

// probeUsable reads and checks the probe binary once; it returns why it cannot run, if it cannot.
func (s *state) probeUsable(ctx context.Context) string {
	if s.probeDone {
		return s.probeReason
	}
	s.probeDone = true
	if _, err := s.engine(ctx); err != nil {
		s.probeReason = "Podman is not reachable (see podman)"
		return s.probeReason
	}
	bin, reason := probebin.For(s.info.Arch, s.d.Embedded, s.d.ProbeBinary, s.d.Host.ReadFile)
	if reason != "" {
		s.probeReason = reason
		return reason
	}
	s.probeTar = probebin.Tar(bin)
	return ""
}

// capsProbe runs `probe caps` once, in the given image when it is usable, else in a probe image
// imported for the purpose and removed afterwards.
func (s *state) capsProbe(ctx context.Context) *probeResult {
	if s.caps != nil {
		return s.caps
	}
	if s.opts.Image != "" && s.imageUsable(ctx) {
		s.caps = s.runProbe(ctx, s.opts.Image, true, "caps")
		return s.caps
	}
	ref := "localhost/lcp-tmp-doctor-probe:" + randomSuffix() // lcp-tmp-: prune removes it if this process is killed
	if err := s.d.Runtime.ImportImage(ctx, ref, bytes.NewReader(s.probeTar)); err != nil {
		s.caps = &probeResult{startErr: fmt.Errorf("import a probe image: %w", err)}
		return s.caps
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := s.d.Runtime.RemoveImage(rctx, ref); err != nil {
			s.sink.Warnf("could not remove the probe image %s: %v", ref, err)
		}
	}()
	s.caps = s.runProbe(ctx, ref, false, "caps")
	return s.caps
}

// imageUsable reports whether opts.Image exists and matches the engine's architecture.
func (s *state) imageUsable(ctx context.Context) bool {
	img, err := s.imageInfo(ctx)
	info, ierr := s.engine(ctx)
	return err == nil && ierr == nil && (img.Arch == "" || img.Arch == info.Arch)
}

// criuProbe runs `probe criu` once in opts.Image.
func (s *state) criuProbe(ctx context.Context) *probeResult {
	if s.criu == nil {
		s.criu = s.runProbe(ctx, s.opts.Image, true, "criu")
	}
	return s.criu
}

func (s *state) runProbe(ctx context.Context, image string, copyIn bool, mode string) *probeResult {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	spec := RunSpec{
		Name:      "lcp-doctor-" + mode + "-" + randomSuffix(),
		Image:     image,
		Command:   []string{probe.Path, probe.Command, mode},
		NoNetwork: true,
	}
	spec.setPrivileges(mode)
	if copyIn {
		spec.CopyIn = bytes.NewReader(s.probeTar)
	}
	s.sink.Debugf("probe %s: running a throwaway container of %s", mode, image)
	res, err := s.d.Runtime.Run(ctx, spec)
	if err != nil {
		if ctx.Err() != nil {
			return &probeResult{startErr: fmt.Errorf("the probe container did not finish: %w", ctx.Err())}
		}
		return &probeResult{startErr: err}
	}
	rep, perr := probe.Parse(res.Output)
	if perr != nil {
		perr = fmt.Errorf("%w (exit code %d)", perr, res.ExitCode)
	}
	return &probeResult{report: rep, err: perr, output: res.Output}
}

// criuProbeUser is who the criu probe runs as: the user Open Liberty's images (and this project's)
// run the server as, so criu works with its file capabilities alone, as in a real restore.
const criuProbeUser = "1001:0"

// setPrivileges gives a probe container the privileges of the step it stands for, from the one
// policy (internal/privilege) the engine applies. The caps probe asks whether a container really
// gets the checkpoint's capabilities, so it runs as root with the checkpoint policy. The criu
// probe runs as a restore does: uid 1001, every capability dropped but the restore's
// (CHECKPOINT_RESTORE, SETPCAP; no SYS_PTRACE), and the image's restore copy of criu
// (CRIU_RESTORE_PATH, which the probe reads from the image's environment). Its dump and restore
// run under seccomp unconfined: criu cannot dump a process under a seccomp filter without
// SYS_ADMIN, and the probe has to dump before it can restore.
func (spec *RunSpec) setPrivileges(mode string) {
	policy, user := privilege.Checkpoint, "0"
	if mode == "criu" {
		policy, user = privilege.Restore, criuProbeUser
	}
	spec.User = user
	spec.CapDrop = policy.CapDrop()
	spec.CapAdd = append([]string(nil), policy.Caps...)
	spec.SeccompUnconfined = true
}

// probeProblem explains a probe container that gave no report, for the check that needed it.
func probeProblem(r *probeResult) engine.Check {
	if r.startErr != nil {
		return fail("a container does not start: "+oneLine(r.startErr.Error()),
			"run `podman run --rm "+strings.Join(privilege.Checkpoint.PodmanArgs(""), " ")+" <image> true` to see why, and fix that")
	}
	return fail("the probe gave no answer: "+r.err.Error()+"; output: "+oneLine(lastLines(r.output, 5)),
		"report this as a liberty-checkpoint bug, with the output above")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
