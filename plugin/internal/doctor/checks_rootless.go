package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Rootless Podman: the service runs as an ordinary user in a user namespace of its own. Each
// check below says what that user needs and, when rootful Podman does not need it, says so.

// libertyUID is the uid Open Liberty's images run the server as: a rootless user namespace must
// map it, so it needs at least libertyUID+1 ids.
const libertyUID = 1001

const subidFix = "give the user subordinate ids: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER " +
	"(as root; hack/setup-host.sh does it for its rootless user), then podman system migrate"

// checkUserNS: a rootless service needs user namespaces and subordinate uid/gid ranges large
// enough for the image's users (uid 1001 for Open Liberty).
func checkUserNS(ctx context.Context, s *state) engine.Check {
	info, err := s.engine(ctx)
	if err != nil {
		if s.local(ctx) {
			if b, rerr := s.d.Host.ReadFile("/proc/sys/user/max_user_namespaces"); rerr == nil && strings.TrimSpace(string(b)) == "0" {
				return fail("user.max_user_namespaces is 0: an ordinary user cannot create the user namespace rootless Podman runs in",
					"sysctl -w user.max_user_namespaces=28633, and keep it in /etc/sysctl.d/")
			}
		}
		return skip("Podman is not reachable (see podman)")
	}
	if !info.Rootless {
		return ok("Podman runs as root: no user namespace of its own")
	}
	ids := min(info.UIDMapSize, info.GIDMapSize)
	switch {
	case ids <= 1:
		return fail(fmt.Sprintf("rootless Podman maps only the user's own id (%d uids, %d gids): an image whose server runs as uid %d cannot start",
			info.UIDMapSize, info.GIDMapSize, libertyUID), subidFix)
	case ids <= libertyUID:
		return fail(fmt.Sprintf("the user namespace maps %d uids and %d gids: uid %d, Open Liberty's, is not among them",
			info.UIDMapSize, info.GIDMapSize, libertyUID), subidFix)
	}
	return ok(fmt.Sprintf("rootless: a user namespace of %d uids and %d gids (subuid/subgid ranges), uid %d included",
		info.UIDMapSize, info.GIDMapSize, libertyUID))
}

const tunFix = "make /dev/net/tun usable by users: chmod 0666 /dev/net/tun as root, and keep it with a udev rule " +
	"(KERNEL==\"tun\", MODE=\"0666\" in /etc/udev/rules.d/60-tun.rules); hack/setup-host.sh does it. " + hostNetworkFix

// hostNetworkFix is the way around rootless networking that cannot run: the host's network, asked
// for by name (never the default).
const hostNetworkFix = "Without root: checkpoint-image and restore with --network host (network: host in Maven and Gradle), " +
	"which shares the host's network and publishes nothing (the server listens on the host's ports as server.xml says)"

// checkRootlessNetwork: a rootless container's network is slirp4netns, which opens /dev/net/tun
// inside the user namespace; published ports go through it.
func checkRootlessNetwork(ctx context.Context, s *state) engine.Check {
	info, err := s.engine(ctx)
	if err != nil {
		return skip("Podman is not reachable (see podman)")
	}
	if !info.Rootless {
		return ok("Podman runs as root: containers get bridge networking (CNI or netavark)")
	}
	if info.Slirp4netns == "" {
		return fail("rootless Podman found no slirp4netns: containers cannot have a network of their own or publish ports",
			"install slirp4netns (apt-get install slirp4netns; hack/setup-host.sh does it). "+hostNetworkFix)
	}
	if !s.local(ctx) {
		return ok(fmt.Sprintf("rootless networking through %s (/dev/net/tun on %s not checked from here)", info.Slirp4netns, s.notLocal(ctx)))
	}
	if err := s.d.Host.Access("/dev/net/tun"); err != nil {
		why := err.Error()
		if errors.Is(err, fs.ErrPermission) {
			why = "it is not open to this user"
		} else if errors.Is(err, fs.ErrNotExist) {
			why = "it does not exist"
		}
		return fail(fmt.Sprintf("slirp4netns cannot open /dev/net/tun (%s): a rootless restore cannot publish its port", why), tunFix)
	}
	return ok(fmt.Sprintf("rootless networking through %s; /dev/net/tun is usable, so ports can be published", info.Slirp4netns))
}

const overlayFix = "use overlay: put driver = \"overlay\" under [storage] in ~/.config/containers/storage.conf " +
	"(native overlay needs Linux 5.13 or newer for rootless; older kernels need fuse-overlayfs as mount_program and a usable /dev/fuse), " +
	"then podman system reset (it removes this user's images and containers) and load the base image again"

// checkStorage: vfs copies every layer of an image for every container (seconds per restore);
// overlay shares them.
func checkStorage(ctx context.Context, s *state) engine.Check {
	info, err := s.engine(ctx)
	if err != nil {
		return skip("Podman is not reachable (see podman)")
	}
	driver := info.StorageDriver
	switch {
	case driver == "":
		return warn("Podman did not name its storage driver", "podman info --format {{.Store.GraphDriverName}} names it; overlay is the one to use")
	case driver == "vfs":
		return warn("storage driver vfs: every container copies its image's layers, which adds seconds to each restore "+
			"(1.7-4 s measured here for the sample instead of about 1 s)", overlayFix)
	case driver == "overlay" && info.StorageMountProgram != "":
		found := fmt.Sprintf("storage driver overlay through %s (FUSE)", info.StorageMountProgram)
		if v, parsed := parseVersion(s.kernel(ctx)); info.Rootless && parsed && !v.less(version{5, 13}) {
			return ok(found + "; this kernel (5.13 or newer) could mount overlay natively without FUSE: remove mount_program from storage.conf")
		}
		return ok(found)
	case driver == "overlay":
		return ok("storage driver overlay (the kernel's own): containers share their image's layers")
	}
	return ok("storage driver " + driver)
}

// checkRootlessCgroups: rootless containers get cgroup limits only on cgroups v2 with the
// controllers delegated to the user; checkpoint and restore work without them.
func checkRootlessCgroups(ctx context.Context, s *state) engine.Check {
	info, err := s.engine(ctx)
	if err != nil {
		return skip("Podman is not reachable (see podman)")
	}
	if !info.Rootless {
		return ok("Podman runs as root: it manages its containers' cgroups")
	}
	if info.CgroupVersion != "v2" {
		return warn(fmt.Sprintf("cgroups %s: rootless containers get no cgroup of their own, so memory and CPU limits (--memory, --cpus) are ignored; checkpoint and restore work",
			orUnknown(info.CgroupVersion)),
			"for limits, boot with cgroups v2 (systemd.unified_cgroup_hierarchy=1 on the kernel command line) and delegate its controllers to the user")
	}
	var missing []string
	for _, c := range []string{"memory", "pids", "cpu"} {
		if !slices.Contains(info.CgroupControllers, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return warn(fmt.Sprintf("cgroups v2, controllers delegated to this user: %s; missing %s, so those limits are ignored",
			orUnknown(strings.Join(info.CgroupControllers, " ")), strings.Join(missing, ", ")),
			"delegate them: a systemd drop-in /etc/systemd/system/user@.service.d/delegate.conf with [Service] Delegate=memory pids cpu cpuset, "+
				"then systemctl daemon-reload and log in again")
	}
	return ok("cgroups v2 with " + strings.Join(info.CgroupControllers, " ") + " delegated to this user (" + strconv.Itoa(len(info.CgroupControllers)) + " controllers)")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
