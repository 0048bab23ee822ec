package hostinfo

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCPUFlags(t *testing.T) {
	x86 := "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu vme  sse2 avx2\nbugs\t\t: sysret_ss_attrs\n\nprocessor\t: 1\nflags\t\t: fpu\n"
	assert.Equal(t, []string{"fpu", "vme", "sse2", "avx2"}, CPUFlags([]byte(x86)), "first CPU only")
	arm := "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd aes\n"
	assert.Equal(t, []string{"fp", "asimd", "aes"}, CPUFlags([]byte(arm)))
	assert.Nil(t, CPUFlags([]byte("processor: 0\n")))
}

func TestUnameMachine(t *testing.T) {
	for in, want := range map[string]string{"amd64": "x86_64", "arm64": "aarch64", "ppc64le": "ppc64le", "s390x": "s390x", "386": "i686"} {
		assert.Equal(t, want, UnameMachine(in))
	}
}
