package probebin

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// make build embeds a static probe for each Linux architecture; each must pass Check for its own
// architecture and fail it for the other.
func TestEmbeddedProbesAreStaticLinuxExecutables(t *testing.T) {
	for _, arch := range Arches {
		bin := Embedded(arch)
		if bin == nil {
			testenv.Missing(t, "the embedded probe "+FileName(arch), "run make probes (make build does) before go test")
		}
		assert.Empty(t, Check(bin, FileName(arch), arch), arch)
		other := map[string]string{"amd64": "arm64", "arm64": "amd64"}[arch]
		assert.Contains(t, Check(bin, FileName(arch), other), "is for ", arch)
	}
	assert.Nil(t, Embedded("s390x"), "no probe for an architecture make build does not embed")
}

func TestCheckRefusesWhatCannotRunInAContainer(t *testing.T) {
	assert.Contains(t, Check([]byte("#!/bin/sh\n"), "x", "amd64"), "is not a Linux executable")
	if runtime.GOOS == "linux" {
		// A test binary built with cgo (the race detector) is dynamically linked; without, static.
		self, err := os.Executable()
		require.NoError(t, err)
		bin, err := os.ReadFile(self)
		require.NoError(t, err)
		why := Check(bin, filepath.Base(self), runtime.GOARCH)
		if why != "" {
			assert.Contains(t, why, "dynamically linked")
		}
	}
}
