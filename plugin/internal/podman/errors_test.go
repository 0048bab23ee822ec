package podman

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/containers/podman/v4/libpod/define"
	"github.com/containers/podman/v4/pkg/copy"
	"github.com/containers/podman/v4/pkg/errorhandling"
	storage "github.com/containers/storage/types"
	"github.com/stretchr/testify/assert"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// apiError is what the bindings return for a failed call: the server's utils.Error wraps err
// and sends Because (the root cause's text), Message and ResponseCode.
func apiError(status int, err error) error {
	return &errorhandling.ErrorModel{Because: errorhandling.Cause(err).Error(), Message: err.Error(), ResponseCode: status}
}

func TestPodmanCode(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want engine.Code
	}{
		{"container gone", apiError(404, fmt.Errorf("no container with name or ID \"x\" found: %w", define.ErrNoSuchCtr)), engine.CodeNotFound},
		{"volume gone, sent as 500", apiError(500, fmt.Errorf("no volume with name \"v\" found: %w", define.ErrNoSuchVolume)), engine.CodeNotFound},
		{"image gone", apiError(500, fmt.Errorf("x: %w", storage.ErrImageUnknown)), engine.CodeNotFound},
		{"file in a container gone (bindings' value)", fmt.Errorf("stat: %w", copy.ErrENOENT), engine.CodeNotFound},
		{"container name taken", apiError(500, fmt.Errorf("creating container storage: the container name \"x\" is already in use by 1: %w", storage.ErrDuplicateName)), engine.CodeAlreadyExists},
		{"volume exists", apiError(500, fmt.Errorf("volume with name v already exists: %w", define.ErrVolumeExists)), engine.CodeAlreadyExists},
		{"a conflict without a known cause", apiError(409, errors.New("odd conflict")), engine.CodeAlreadyExists},
		{"a 404 without a known cause", apiError(404, errors.New("odd")), engine.CodeNotFound},
		{"state", apiError(409, fmt.Errorf("container x is running: %w", define.ErrCtrStateInvalid)), engine.CodeFailedPrecondition},
		{"port taken", apiError(500, fmt.Errorf("cannot listen on the TCP port: %w", &net.OpError{Op: "listen", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)})), engine.CodeFailedPrecondition},
		{"port taken, cause flattened to text", apiError(500, errors.New("rootlessport listen tcp 0.0.0.0:8080: bind: address already in use")), engine.CodeFailedPrecondition},
		{"service gone", fmt.Errorf("x: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), engine.CodeUnavailable},
		{"stream ended early", fmt.Errorf("server probably quit: %w", errors.New("unexpected EOF")), engine.CodeUnavailable},
		{"a server-side ENOENT is not a missing file in the container", apiError(500, fmt.Errorf("mount: %w", syscall.ENOENT)), engine.CodeUnknown},
		{"a report's error that lost its type", errors.New("removing x: no such container"), engine.CodeNotFound},
		{"unknown", errors.New("odd"), engine.CodeUnknown},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, podmanCode(c.err), c.name)
	}
	assert.True(t, isPortInUse(apiError(500, errors.New("bind: address already in use"))))
	assert.False(t, isPortInUse(apiError(409, define.ErrCtrExists)))
	assert.Equal(t, define.ErrNoSuchCtr, podmanCause(fmt.Errorf("wrapped: %w", apiError(404, define.ErrNoSuchCtr))), "through a wrap")
}
