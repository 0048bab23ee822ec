package podman

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/containers/podman/v4/pkg/bindings/volumes"
	"github.com/containers/podman/v4/pkg/domain/entities"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/owner"
	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// lockPrefix names the lock volumes.
const lockPrefix = "lcp-lock-"

// lockImage makes sure no other operation writes the image name ref while this one does: it
// creates a Podman volume named after ref (creating a volume whose name exists fails, on any
// Podman, for any client) that records this operation as its owner, and removes it when the call
// ends. A second operation on the same name fails at once, naming the first; a lock whose owner
// is gone (killed) is taken over.
func lockImage(ctx context.Context, cu *cleanup, ref, field string) error {
	norm := engine.NormalizedName(ref)
	name := lockName(norm)
	labels := ownedLabels(ctx, "lock", "")
	labels[labelLock] = norm
	for attempt := 0; attempt < 2; attempt++ {
		_, err := volumes.Create(ctx, entities.VolumeCreateOptions{Name: name, Label: labels, Labels: labels}, nil)
		if err == nil {
			cu.always("lock "+name+" on "+norm, func(ctx context.Context) error { return removeVolume(ctx, name) })
			return nil
		}
		if isConnectionLost(err) || ctx.Err() != nil {
			return failed(err, engine.CodeUnavailable, "", "cannot lock the image name %s", norm)
		}
		if !isAlreadyExists(err) {
			return failed(err, engine.CodeInternal, "retry", "cannot create the lock volume %s for %s", name, norm)
		}
		held, err := volumes.Inspect(ctx, name, nil)
		if err != nil {
			continue // removed meanwhile: try again
		}
		o, ok := owner.FromLabels(held.Labels)
		if !ok {
			return engine.Errorf(engine.CodeFailedPrecondition, field,
				"remove the volume if no liberty-checkpoint operation is running: podman volume rm "+name,
				"the image name %s is locked by the volume %s, which does not say who made it", norm, name)
		}
		switch st, why := o.Status(); st {
		case owner.Gone:
			if err := removeVolume(ctx, name); err != nil && err != errNothingRemoved {
				return failed(err, engine.CodeInternal, "podman volume rm "+name, "cannot remove the stale lock %s", name)
			}
			cu.sink.Infof("took over the lock on %s: its %s ended without releasing it (%s)", norm, o, why)
		case owner.Elsewhere:
			return engine.Errorf(engine.CodeFailedPrecondition, field,
				fmt.Sprintf("wait for it, or choose another name; if that operation is gone, podman volume rm %s", name),
				"another liberty-checkpoint %s is writing the image %s (%s)", o, norm, why)
		default:
			return engine.Errorf(engine.CodeFailedPrecondition, field,
				"wait for it to finish, or choose another image name",
				"another liberty-checkpoint %s is writing the image %s right now", o, norm)
		}
	}
	return engine.Errorf(engine.CodeFailedPrecondition, field, "retry", "cannot lock the image name %s", norm)
}

// lockName is the lock volume of a normalized image name.
func lockName(norm string) string {
	sum := sha256.Sum256([]byte(norm))
	return lockPrefix + hex.EncodeToString(sum[:8])
}

// removeVolume removes a volume; errNothingRemoved when it is gone already.
func removeVolume(ctx context.Context, name string) error {
	yes := true
	if err := volumes.Remove(ctx, name, &volumes.RemoveOptions{Force: &yes}); err != nil {
		if isNotFound(err) {
			return errNothingRemoved
		}
		return err
	}
	return nil
}
