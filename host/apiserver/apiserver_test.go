package apiserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true,
		"": false, "0.0.0.0": false, "::": false, "192.168.1.10": false, "example.com": false,
	} {
		assert.Equal(t, want, IsLoopback(host), host)
	}
}

func TestListen(t *testing.T) {
	l, err := Listen("127.0.0.1:0", false)
	require.NoError(t, err)
	defer l.Close()
	_, err = Listen(l.Addr().String(), false)
	assert.Equal(t, engine.CodeFailedPrecondition, engine.CodeOf(err), "port in use")
	_, err = Listen("nonsense", false)
	assert.Equal(t, engine.CodeInvalidArgument, engine.CodeOf(err))
	_, err = Listen("0.0.0.0:0", false)
	assert.Contains(t, err.Error(), "--allow-remote")
	l2, err := Listen("0.0.0.0:0", true)
	require.NoError(t, err, "allowed when asked for")
	l2.Close()
}
