package podman

import (
	"context"
	"errors"
	"os"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// Every container, image, lock volume and temporary directory the engine creates records its
// owner: the operation and the plugin process that ran it (owner.Label, owner.File). What an
// operation leaves behind when its process is killed is then recognisable as garbage once that
// process is gone, and only then: prune (run at the start of every operation too) removes it.
//
// What prune must keep although its operation has ended is marked with labelKeep:
//   - keepIfExited0: the container of a checkpoint operation, once it has exited 0: it holds the
//     checkpoint the user commits next;
//   - keepIfRunning: a restore run with keep_running, while it runs.
//
// Images are never removed by id: prune removes only their temporary names
// (localhost/lcp-tmp-*), so an image that also carries a name of the user's stays.
//
// Labels are inherited: a container gets its image's labels, and an image built FROM another or
// committed from a container gets theirs. So a container counts as the engine's only if
// labelContainer names the container itself, and a temporary image name only if labelImage is
// that name: a container or image made by anyone else from an image the engine made inherits
// the labels but has another name, and prune leaves it alone.

const (
	// labelKeep says which of its states makes a container a product prune must keep.
	labelKeep     = "io.liberty-checkpoint.keep"
	keepIfExited0 = "exited-0"
	keepIfRunning = "running"
	// labelContainer holds the name the engine gave a container it created.
	labelContainer = "io.liberty-checkpoint.container"
	// labelImage holds the temporary name the engine gave an image it built or committed.
	labelImage = "io.liberty-checkpoint.image"
	// labelLock marks a lock volume with the image name it guards.
	labelLock = "io.liberty-checkpoint.lock"
	// tempDirPrefix starts the name of every temporary directory the tool makes (build contexts,
	// transient service sockets, the host's plugin socket directory).
	tempDirPrefix = "lcp-"
)

// errNothingRemoved is what a clean-up task returns when there was nothing left to remove, so
// the clean-up does not claim it removed something.
var errNothingRemoved = errors.New("nothing to remove")

// ownerOf is the owner of what the operation running in ctx creates.
func ownerOf(ctx context.Context) owner.Owner {
	id := engine.OperationID(ctx)
	if id == "" {
		id = "direct-" + randomSuffix() // a call that did not come through the gRPC service (tests)
	}
	return owner.Self(id)
}

// withOperation gives ctx an operation id if it has none, so everything one call creates
// records the same owner.
func withOperation(ctx context.Context) context.Context {
	if engine.OperationID(ctx) != "" {
		return ctx
	}
	return engine.WithOperationID(ctx, "direct-"+randomSuffix())
}

// ownedLabels returns the labels of an object the operation creates: role (labelOwner), the
// owner, and what makes it a product to keep ("" for none).
func ownedLabels(ctx context.Context, role, keep string) map[string]string {
	l := ownerOf(ctx).Labels()
	l[labelOwner] = role
	l[labelKeep] = keep // also when empty: a value inherited from the image must not count
	return l
}

// containerLabels are the labels of a container the engine creates under name.
func containerLabels(ctx context.Context, name, role, keep string) map[string]string {
	l := ownedLabels(ctx, role, keep)
	l[labelContainer] = name
	return l
}

// imageLabels are the labels of an image the engine builds or commits under the temporary name tmp.
func imageLabels(ctx context.Context, tmp, role string) map[string]string {
	l := ownedLabels(ctx, role, "")
	l[labelImage] = tmp
	return l
}

// mkdirTemp makes a temporary directory that records the operation as its owner.
func mkdirTemp(ctx context.Context, kind string) (string, error) {
	return owner.MkdirTemp(os.TempDir(), tempDirPrefix+kind+"-", ownerOf(ctx))
}
