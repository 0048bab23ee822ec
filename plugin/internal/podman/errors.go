package podman

import (
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/containers/podman/v4/libpod/define"
	"github.com/containers/podman/v4/pkg/bindings"
	"github.com/containers/podman/v4/pkg/copy"
	"github.com/containers/podman/v4/pkg/errorhandling"
	storage "github.com/containers/storage/types"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// This file is the one place that tells what a Podman error means. Errors from the Podman API
// arrive as *errorhandling.ErrorModel: the HTTP status (ResponseCode) and the text of the
// server's root cause (Because), which is the Error() of one of Podman's error values when the
// server wrapped one. The values lose their type on the wire, so the classifier compares the
// cause with them (errorhandling.Contains, Podman's own way for errors that crossed the API) and
// uses errors.Is for errors that did not (the bindings' own values, syscalls).

// podmanCauses maps Podman's error values to the code the engine reports, first match wins.
var podmanCauses = []struct {
	err  error
	code engine.Code
}{
	{define.ErrNoSuchCtr, engine.CodeNotFound},
	{define.ErrNoSuchVolume, engine.CodeNotFound},
	{define.ErrNoSuchPod, engine.CodeNotFound},
	{storage.ErrImageUnknown, engine.CodeNotFound}, // "image not known"
	{define.ErrCtrExists, engine.CodeAlreadyExists},
	{define.ErrVolumeExists, engine.CodeAlreadyExists},
	{define.ErrImageExists, engine.CodeAlreadyExists},
	{storage.ErrDuplicateName, engine.CodeAlreadyExists}, // a container name in use
	{define.ErrCtrStateInvalid, engine.CodeFailedPrecondition},
	{define.ErrVolumeBeingUsed, engine.CodeFailedPrecondition},
	{syscall.EADDRINUSE, engine.CodeFailedPrecondition}, // a published host port is taken
}

// bindingsErrors are made by the bindings on this side of the API, so only errors.Is finds
// them: their text alone ("no such file or directory") would match unrelated server errors.
var bindingsErrors = []struct {
	err  error
	code engine.Code
}{
	{copy.ErrENOENT, engine.CodeNotFound}, // a path in a container (containers.Stat)
}

// podmanCode classifies an error from a Podman API call: CodeUnavailable when the service
// cannot be reached, the code of a known Podman error value, NotFound or AlreadyExists from
// the HTTP status, else CodeUnknown.
func podmanCode(err error) engine.Code {
	if err == nil {
		return 0
	}
	if isConnectionLost(err) {
		return engine.CodeUnavailable
	}
	for _, be := range bindingsErrors {
		if errors.Is(err, be.err) {
			return be.code
		}
	}
	if c := podmanCause(err); c != nil {
		for _, pc := range podmanCauses {
			if c == pc.err {
				return pc.code
			}
		}
	}
	switch apiStatus(err) {
	case 404:
		return engine.CodeNotFound
	case 409:
		return engine.CodeAlreadyExists
	}
	return engine.CodeUnknown
}

// podmanCause returns the Podman error value err stands for, or nil: err itself wraps it
// (errors.Is), an API error's cause is it, or the error's text contains it.
func podmanCause(err error) error {
	for _, pc := range podmanCauses {
		if errors.Is(err, pc.err) {
			return pc.err
		}
	}
	var em *errorhandling.ErrorModel
	if errors.As(err, &em) {
		for _, pc := range podmanCauses {
			if em.Because == pc.err.Error() {
				return pc.err
			}
		}
	}
	// The value's text in the message: a server that did not wrap with %w, or an error that lost
	// its type on the way (errorhandling.Contains is Podman's own test for that).
	for _, pc := range podmanCauses {
		if errorhandling.Contains(err, pc.err) {
			return pc.err
		}
	}
	return nil
}

func isNotFound(err error) bool { return podmanCode(err) == engine.CodeNotFound }

func isAlreadyExists(err error) bool { return podmanCode(err) == engine.CodeAlreadyExists }

// isPortInUse: a host port the container publishes is taken.
func isPortInUse(err error) bool { return podmanCause(err) == syscall.EADDRINUSE }

// isConnectionLost tells a service that cannot be reached (or went away mid-call) from an
// answer of the service.
func isConnectionLost(err error) bool {
	var ce bindings.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var ne *net.OpError
	return errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		// the bindings' words (commit, build) for a stream that ended early; they have no error value
		strings.Contains(err.Error(), "server probably quit")
}

// apiStatus returns the HTTP status of a Podman API error, or 0.
func apiStatus(err error) int {
	var em *errorhandling.ErrorModel
	if errors.As(err, &em) {
		return em.ResponseCode
	}
	var cm *errorhandling.PodConflictErrorModel
	if errors.As(err, &cm) {
		return cm.Code()
	}
	return 0
}
