package privilege

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPolicies(t *testing.T) {
	// The masks as /proc/<pid>/status writes them: bits 40 (CHECKPOINT_RESTORE), 19 (SYS_PTRACE), 8 (SETPCAP).
	assert.Equal(t, uint64(0x0000010000080100), Checkpoint.Mask())
	assert.Equal(t, uint64(0x0000010000000100), Restore.Mask())
	assert.Equal(t, []string{"CAP_CHECKPOINT_RESTORE", "CAP_SETPCAP"}, Restore.CapAdd())
	assert.Equal(t, []string{"ALL"}, Restore.CapDrop())

	// Restore: Podman's default profile unless a profile, or unconfined, is named.
	assert.Equal(t, "", Restore.SeccompFor(""))
	assert.Equal(t, Unconfined, Restore.SeccompFor(Unconfined))
	assert.Equal(t, "/p.json", Restore.SeccompFor("/p.json"))
	// Checkpoint: unconfined unless a profile is named.
	assert.Equal(t, Unconfined, Checkpoint.SeccompFor(""))

	assert.Equal(t, []string{"--cap-drop=ALL", "--cap-add=CHECKPOINT_RESTORE", "--cap-add=SETPCAP"}, Restore.PodmanArgs(""))
	assert.Equal(t, []string{"--cap-drop=ALL", "--cap-add=CHECKPOINT_RESTORE", "--cap-add=SYS_PTRACE", "--cap-add=SETPCAP",
		"--security-opt", "seccomp=unconfined"}, Checkpoint.PodmanArgs(""))
	assert.Equal(t, "CHECKPOINT_RESTORE, SETPCAP (all others dropped), Podman's default seccomp profile", Restore.String())
}
