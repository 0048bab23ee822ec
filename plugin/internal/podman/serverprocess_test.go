package podman

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
)

// The process fact weighs against the output: a server that started after its container was
// created is a cold start whatever it printed; one that started before it confirms a restore.
func TestJudgeProcess(t *testing.T) {
	created := time.UnixMilli(1_796_079_267_235)
	line := "CWWKC0452I: The Liberty server process resumed operation from a checkpoint in 0.175 seconds."
	before := &engine.ServerProcess{PID: 1007, Started: created.Add(-6820 * time.Millisecond), ContainerCreated: created}
	after := &engine.ServerProcess{PID: 12, Started: created.Add(900 * time.Millisecond), ContainerCreated: created}

	v, because := judgeProcess(engine.Restored, line, before)
	assert.Equal(t, engine.Restored, v)
	assert.Equal(t, line+" (pid 1007 started 6.820 s before its container was created)", because)

	v, because = judgeProcess(engine.Restored, line, after)
	assert.Equal(t, engine.ColdStart, v, "a process younger than its container was not restored")
	assert.Contains(t, because, "pid 12 started 0.900 s after its container was created")

	v, because = judgeProcess(engine.ColdStart, noRestoreEvidence, before)
	assert.Equal(t, engine.ColdStart, v, "an old process alone is no restore without Liberty's message")
	assert.Equal(t, noRestoreEvidence, because)

	v, because = judgeProcess(engine.Restored, line, nil)
	assert.Equal(t, engine.Restored, v, "images that do not record the start rest on the message")
	assert.Equal(t, line, because)
}

func TestParseServerProcess(t *testing.T) {
	out := "1 1796079260415 CapEff:0000000000000000 NoNewPrivs:1 Seccomp:2 \n" +
		"1007 1796079260415 CapEff:0000000000000000 NoNewPrivs:1 Seccomp:2 \n" +
		"garbage\n"
	p := parseServerProcess(out)
	require.NotNil(t, p)
	assert.Equal(t, 1007, p.PID, "the highest PID: the JVM a start script launched")
	assert.Equal(t, int64(1796079260415), p.Started.UnixMilli())
	assert.Equal(t, "0000000000000000", p.CapEff)
	assert.True(t, p.NoNewPrivs)
	assert.Equal(t, 2, p.Seccomp)
	assert.Nil(t, parseServerProcess(""))
	assert.Nil(t, parseServerProcess("12 notanumber\n"))
}
