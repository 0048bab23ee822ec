package betaimage

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The helper scripts run here for real, against a temporary /config, /output, /logs and a
// PATH of stub commands. Each stub appends the line "<name> <args>" to $STUB_CALLS, so a test
// can check what ran, in which order, with which arguments. Their behaviour is set with STUB_*.
var stubs = map[string]string{
	// server: `checkpoint` makes the checkpoint directory (as the OpenJ9 JVM would) and exits
	// with STUB_SERVER_RC; `run` says it is ready and, with STUB_SERVER_STAY=1, stays up until
	// killed (criu dump kills it), else exits STUB_SERVER_RC; `start` and `stop` succeed. It
	// records the variables the scripts must (not) pass on, and ltpa_keys_password in
	// $STUB_CALLS.ltpa.
	"server": `#!/bin/bash
if [[ $1 == start || $1 == stop ]]; then echo "server $1 OPENJ9_JAVA_OPTIONS=${OPENJ9_JAVA_OPTIONS-}" >>"$STUB_CALLS"; exit 0; fi
echo "server $* WLP_CHECKPOINT=${WLP_CHECKPOINT-unset} JVM_ARGS=${JVM_ARGS-}" >>"$STUB_CALLS"
[[ -n ${ltpa_keys_password:-} ]] && echo "$ltpa_keys_password" >"$STUB_CALLS.ltpa"
[[ -n ${LCP_JVM_STARTED_MS:-} ]] && echo "$LCP_JVM_STARTED_MS" >"$STUB_CALLS.started"
case $1 in
  checkpoint)
    [[ ${STUB_SERVER_NO_IMAGE:-} == 1 ]] || { mkdir -p "$LCP_OUTPUT_DIR/workarea/checkpoint/image"; echo core >"$LCP_OUTPUT_DIR/workarea/checkpoint/image/core-1.img"; }
    exit "${STUB_SERVER_RC:-0}" ;;
  run)
    echo "Launching $2 (stub)"
    [[ ${STUB_SERVER_EXIT_EARLY:-} == 1 ]] && exit 7
    # The checkpoint agent (LcpCompact.java): answer the compact request on its FIFOs.
    if [[ ${JVM_ARGS:-} =~ -javaagent:[^=]+=([^ ]+) && ${STUB_AGENT_SILENT:-} != 1 ]]; then
      dir=${BASH_REMATCH[1]}
      ( read -r max <"$dir/request"; echo "compacted: stub, MaxHeapFreeRatio=$max" >"$dir/reply" ) &
    fi
    echo "[AUDIT   ] CWWKF0011I: The $2 server is ready to run a smarter planet."
    # STUB_SERVER_CONNECT=port: hold a TCP connection to that port, as a server would hold a
    # client's connection that is still open.
    [[ -n ${STUB_SERVER_CONNECT:-} ]] && exec 7<>"/dev/tcp/127.0.0.1/$STUB_SERVER_CONNECT"
    if [[ ${STUB_SERVER_STAY:-} == 1 ]]; then exec sleep 60; fi
    exit "${STUB_SERVER_RC:-0}" ;;
esac
exit 99
`,
	// criu: dump writes an image and kills the dumped task; restore either fails (as criu does,
	// with a log line) or runs the action script at each step, as criu does, and returns the
	// restored server's exit status.
	"criu": `#!/bin/bash
echo "criu $*" >>"$STUB_CALLS"
images= log= pid= action=
while (( $# )); do
  case $1 in
    --images-dir) images=$2; shift ;;
    --log-file) log=$2; shift ;;
    -t) pid=$2; shift ;;
    --action-script) action=$2; shift ;;
  esac
  shift
done
[[ -n ${STUB_CRIU_EXEC_RC:-} ]] && exit "$STUB_CRIU_EXEC_RC"
if [[ -n $pid ]]; then
  if [[ ${STUB_CRIU_RC:-0} != 0 ]]; then echo "Error (criu/stub): dump failed on purpose" >"$log"; exit "$STUB_CRIU_RC"; fi
  echo core >"$images/core-$pid.img"; echo "Dumping finished successfully" >"$log"
  kill -KILL "$pid"; exit 0
fi
if [[ ${STUB_CRIU_RC:-0} != 0 ]]; then
  echo "Error (criu/stub): Unable to restore capabilities on purpose" >"$log"; exit "$STUB_CRIU_RC"
fi
for step in pre-restore post-restore pre-resume post-resume; do CRTOOLS_SCRIPT_ACTION=$step "$action" >>"$log"; done
echo "[AUDIT   ] restored server output" >>"$LCP_LOG_DIR/checkpoint/console.log"
sleep 0.4
exit "${STUB_RESTORED_RC:-0}"
`,
	// java: -version names the JVM STUB_JVM says (openj9, the default, or hotspot) and is not
	// recorded; other calls are, and printTopLayerStats reports a cache 42% full.
	"java": `#!/bin/bash
if [[ " $* " == *" -version "* && $* != *createLayer* ]]; then
  if [[ ${STUB_JVM:-openj9} == openj9 ]]; then
    printf '%s\n' 'openjdk version "17.0.12" 2024-07-16' 'Eclipse OpenJ9 VM (build openj9-0.46.1)' >&2
  else
    printf '%s\n' 'openjdk version "21.0.13" 2026-10-20' 'OpenJDK 64-Bit Server VM (build 21.0.13+9)' >&2
  fi
  exit 0
fi
echo "java $*" >>"$STUB_CALLS"
[[ $* == *printTopLayerStats* ]] && echo "Cache is 42% full" >&2
exit 0
`,
	// featureUtility records its call and exits STUB_FU_RC.
	"featureUtility": `#!/bin/bash
echo "featureUtility $*" >>"$STUB_CALLS"
exit "${STUB_FU_RC:-0}"
`,
	"setpriv": `#!/bin/bash
echo "setpriv $*" >>"$STUB_CALLS"
while [[ $1 != -- ]]; do shift; done
shift
exec "$@"
`,
	"dumb-init": `#!/bin/bash
echo "dumb-init $*" >>"$STUB_CALLS"
while [[ $1 != -- ]]; do shift; done
shift
exec "$@"
`,
}

type sandbox struct {
	root, calls string
	env         []string
}

func newSandbox(t *testing.T, runtime string) *sandbox {
	t.Helper()
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	for _, d := range []string{"bin", "config/configDropins/defaults", "config/apps", "output", "logs", "wlp/lib/features", "wlp/bin", "etc"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	for name, body := range stubs {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755))
	}
	require.NoError(t, os.Symlink(filepath.Join(bin, "server"), filepath.Join(root, "wlp/bin/server")))
	require.NoError(t, os.WriteFile(filepath.Join(root, "etc/ld.so.cache"), []byte("cache tuned for this CPU"), 0o664))
	s := &sandbox{root: root, calls: filepath.Join(root, "calls")}
	s.env = []string{
		"PATH=" + bin + ":/usr/bin:/bin",
		"HOME=" + root,
		"STUB_CALLS=" + s.calls,
		"LCP_RUNTIME=" + runtime,
		"LCP_WLP_DIR=" + filepath.Join(root, "wlp"),
		"LCP_CONFIG_DIR=" + filepath.Join(root, "config"),
		"LCP_OUTPUT_DIR=" + filepath.Join(root, "output"),
		"LCP_LOG_DIR=" + filepath.Join(root, "logs"),
		"CRIU_CHECKPOINT_PATH=" + filepath.Join(bin, "criu"),
		"CRIU_RESTORE_PATH=" + filepath.Join(bin, "criu"),
		"LCP_CHECKPOINT_SETTLE=0",
		"LCP_PID_FLOOR=1",
		"LCP_LD_CACHE=" + filepath.Join(root, "etc/ld.so.cache"),
		"LCP_PORTABLE_LD_CACHE=" + filepath.Join(root, "etc/instanton.ld.so.cache"),
		"TLS_DIR=" + filepath.Join(root, "certs"),
		"LCP_KUBE_SA_DIR=" + filepath.Join(root, "serviceaccount"),
		"LCP_SERVICEABILITY_DIR=" + filepath.Join(root, "serviceability"),
		"LCP_LIBERTY_LOGS=" + filepath.Join(root, "liberty-logs"),
	}
	return s
}

func (s *sandbox) checkpointDir() string {
	return filepath.Join(s.root, "output/workarea/checkpoint/image")
}

func (s *sandbox) makeCheckpoint(t *testing.T) {
	t.Helper()
	require.NoError(t, os.MkdirAll(s.checkpointDir(), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(s.checkpointDir(), "core-1001.img"), []byte("core"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(s.root, "logs/checkpoint"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(s.root, "logs/checkpoint/console.log"), []byte("old output\n"), 0o644))
}

type result struct {
	code           int
	stdout, stderr string
	calls          []string
}

// run runs a helper script with the sandbox's environment plus env.
func (s *sandbox) run(t *testing.T, script string, env []string, args ...string) result {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join("helpers", script))
	require.NoError(t, err)
	cmd := exec.Command("bash", append([]string{abs}, args...)...)
	cmd.Env = append(append([]string{}, s.env...), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	if b, err := os.ReadFile(s.calls); err == nil {
		r.calls = strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s\ncalls:\n%s", r.code, r.stdout, r.stderr, strings.Join(r.calls, "\n"))
	return r
}

var serverCmd = []string{"server", "run", "defaultServer"}

func TestStartWithoutCheckpointRunsTheServerWithoutCapabilities(t *testing.T) {
	for _, runtime := range []string{"openj9", "hotspot"} {
		t.Run(runtime, func(t *testing.T) {
			s := newSandbox(t, runtime)
			r := s.run(t, "lcp-start.sh", []string{"STUB_SERVER_RC=3"}, serverCmd...)
			assert.Equal(t, 3, r.code, "the server's exit status")
			require.Len(t, r.calls, 2)
			assert.Equal(t, "setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all -- server run defaultServer", r.calls[0])
			assert.True(t, strings.HasPrefix(r.calls[1], "server run defaultServer WLP_CHECKPOINT=unset"), r.calls[1])
			assertStartRecorded(t, s)
		})
	}
}

func TestStartWithoutCommandFails(t *testing.T) {
	s := newSandbox(t, "openj9")
	r := s.run(t, "lcp-start.sh", nil)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "give the image a CMD")
}

func TestCheckpointOpenJ9(t *testing.T) {
	s := newSandbox(t, "openj9")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "LCP_PID_FLOOR=" + fmt.Sprint(os.Getpid()+20)}, serverCmd...)
	assert.Equal(t, 0, r.code)
	// No no_new_privs for OpenJ9's checkpoint: the JVM launches criu, which needs its file
	// capabilities.
	assert.Contains(t, r.calls, "setpriv --inh-caps=-all --ambient-caps=-all -- server checkpoint defaultServer --at=afterAppStart")
	assert.Contains(t, r.calls, "server checkpoint defaultServer --at=afterAppStart WLP_CHECKPOINT=unset JVM_ARGS=", "WLP_CHECKPOINT is unset for the server")
	assertStartRecorded(t, s)
	assert.Regexp(t, `PID counter moved to \d+ \(floor \d+\)`, r.stderr)
	assert.NoFileExists(t, filepath.Join(s.root, "config/configDropins/defaults/liberty-checkpoint.xml"),
		"GA Liberty has no checkpoint feature to enable: nothing is added to the configuration")
	assert.NotContains(t, r.stdout+r.stderr, "checkpoint-1.0")
	st, err := os.Stat(filepath.Join(s.checkpointDir(), "core-1.img"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o060), st.Mode().Perm()&0o060, "checkpoint files are group-writable")
	st, err = os.Stat(s.checkpointDir())
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o070), st.Mode().Perm()&0o070, "checkpoint directories are group-writable")
}

func TestCheckpointOpenJ9OldPhaseName(t *testing.T) {
	s := newSandbox(t, "openj9")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=applications"}, serverCmd...)
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.calls, "setpriv --inh-caps=-all --ambient-caps=-all -- server checkpoint defaultServer --at=afterAppStart")
	assert.Contains(t, r.stderr, `"applications" is the old name of "afterAppStart"`)
}

func TestCheckpointOpenJ9FailureKeepsTheServerStatus(t *testing.T) {
	s := newSandbox(t, "openj9")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=beforeAppStart", "STUB_SERVER_RC=74"}, serverCmd...)
	assert.Equal(t, 74, r.code)
}

func TestCheckpointOpenJ9WithoutImageFails(t *testing.T) {
	s := newSandbox(t, "openj9")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_NO_IMAGE=1"}, serverCmd...)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "is empty")
}

func TestCheckpointUnknownPhase(t *testing.T) {
	for _, runtime := range []string{"openj9", "hotspot"} {
		t.Run(runtime, func(t *testing.T) {
			s := newSandbox(t, runtime)
			r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterLunch"}, serverCmd...)
			assert.Equal(t, 20, r.code)
			assert.Contains(t, r.stdout, `CWWKE0954E: The value "afterLunch" of WLP_CHECKPOINT is not a checkpoint phase`)
			assert.Empty(t, r.calls, "nothing ran")
		})
	}
}

func TestCheckpointHotSpot(t *testing.T) {
	s := newSandbox(t, "hotspot")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "CRIU_UNPRIVILEGED=true", "JVM_ARGS=-Xmx64m"}, serverCmd...)
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "CWWKF0011I", "the server's output is shown")
	assert.Contains(t, r.stdout, `CWWKC0451I: A server checkpoint "afterAppStart" was requested.`)
	assert.Regexp(t, `(?m)^liberty-checkpoint: server RSS before the dump: [1-9]\d* kB \(pid \d+\)$`, r.stdout,
		"the dumped process's VmRSS (make bench reads it)")
	assert.Regexp(t, `(?m)^liberty-checkpoint: memory at checkpoint: rss=[1-9]\d* kB$`, r.stdout,
		"the line liberty-checkpoint commit records as the image's memory labels")
	assert.Contains(t, r.stdout, "checkpoint of the server saved in "+s.checkpointDir())
	require.Len(t, r.calls, 3)
	assert.Equal(t, "setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all -- server run defaultServer", r.calls[0])
	assert.Equal(t, "server run defaultServer WLP_CHECKPOINT=unset JVM_ARGS=-XX:-UsePerfData -Xmx64m", r.calls[1])
	dump := r.calls[2]
	for _, want := range []string{
		"criu dump --unprivileged -t ", "--images-dir " + s.checkpointDir(),
		"--log-file " + filepath.Join(s.root, "logs/checkpoint/checkpoint.log"),
		"--shell-job", "--tcp-established", "--file-locks", "--irmap-scan-path " + filepath.Join(s.root, "wlp"),
	} {
		assert.Contains(t, dump, want)
	}
	entries, err := os.ReadDir(s.checkpointDir())
	require.NoError(t, err)
	assert.NotEmpty(t, entries)
}

func TestCheckpointHotSpotRSSUnknown(t *testing.T) {
	s := newSandbox(t, "hotspot")
	proc := t.TempDir() // no <pid>/status in it
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "LCP_PROC_DIR=" + proc}, serverCmd...)
	assert.Equal(t, 0, r.code, "an unreadable RSS does not stop the checkpoint")
	assert.Regexp(t, `(?m)^liberty-checkpoint: server RSS before the dump: unknown \(pid \d+\)$`, r.stdout)
}

func TestCheckpointHotSpotServerExitsEarly(t *testing.T) {
	s := newSandbox(t, "hotspot")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_EXIT_EARLY=1"}, serverCmd...)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "the server exited (status 7) before it was ready (CWWKF0011I)")
	for _, c := range r.calls {
		assert.False(t, strings.HasPrefix(c, "criu"), "no dump: %s", c)
	}
	assert.NoDirExists(t, s.checkpointDir())
}

func TestCheckpointHotSpotDumpFails(t *testing.T) {
	s := newSandbox(t, "hotspot")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "STUB_CRIU_RC=3"}, serverCmd...)
	assert.Equal(t, 3, r.code)
	assert.Contains(t, r.stderr, "criu dump failed (status 3)")
	assert.Contains(t, r.stderr, "dump failed on purpose", "criu's log is shown")
	assert.NoDirExists(t, s.checkpointDir(), "no half checkpoint is left for a commit")
}

func TestRestoreOpenJ9LeavesItToLiberty(t *testing.T) {
	s := newSandbox(t, "openj9")
	s.makeCheckpoint(t)
	r := s.run(t, "lcp-start.sh", nil, serverCmd...)
	assert.Equal(t, 0, r.code)
	require.GreaterOrEqual(t, len(r.calls), 2)
	assert.True(t, strings.HasPrefix(r.calls[0], "dumb-init --rewrite 15:2 -- setpriv --inh-caps=-all --ambient-caps=-all -- "), r.calls[0])
	assert.True(t, strings.HasSuffix(r.calls[0], "helpers/lcp-restore.sh server run defaultServer"), r.calls[0])
	assert.Contains(t, r.calls, "server run defaultServer WLP_CHECKPOINT=unset JVM_ARGS=")
}

func TestRestoreHotSpot(t *testing.T) {
	s := newSandbox(t, "hotspot")
	s.makeCheckpoint(t)
	r := s.run(t, "lcp-start.sh", []string{"STUB_RESTORED_RC=0"}, serverCmd...)
	assert.Equal(t, 0, r.code)
	assert.Regexp(t, `(?m)^CWWKC0452I: The Liberty server process resumed operation from a checkpoint in \d+\.\d{3} seconds\.$`, r.stdout)
	assert.Contains(t, r.stdout, "restored server output", "the restored JVM's console is shown")
	assert.NotContains(t, r.stdout, "old output", "only what the restored JVM writes")
	assert.NotContains(t, r.stdout, "CWWKE0961I")
	assert.True(t, strings.HasPrefix(r.calls[0], "dumb-init -- setpriv"), "no SIGTERM rewrite for HotSpot: %s", r.calls[0])
	var restore string
	for _, c := range r.calls {
		if strings.HasPrefix(c, "criu restore") {
			restore = c
		}
		assert.False(t, strings.HasPrefix(c, "server"), "no cold start: %s", c)
	}
	for _, want := range []string{"--images-dir " + s.checkpointDir(), "--shell-job", "--tcp-established", "--file-locks", "--action-script ", "--log-file " + filepath.Join(s.root, "logs/checkpoint/restore.log")} {
		assert.Contains(t, restore, want)
	}
}

func TestRestoreHotSpotReturnsTheServerStatus(t *testing.T) {
	s := newSandbox(t, "hotspot")
	s.makeCheckpoint(t)
	r := s.run(t, "lcp-start.sh", []string{"STUB_RESTORED_RC=143"}, serverCmd...)
	assert.Equal(t, 143, r.code)
	assert.Contains(t, r.stdout, "CWWKC0452I")
	assert.NotContains(t, r.stdout, "CWWKE0961I")
}

func TestRestoreHotSpotFailureFallsBackToAColdStart(t *testing.T) {
	s := newSandbox(t, "hotspot")
	s.makeCheckpoint(t)
	r := s.run(t, "lcp-start.sh", []string{"STUB_CRIU_RC=1", "STUB_SERVER_RC=0"}, serverCmd...)
	assert.Equal(t, 0, r.code, "the cold-started server's status")
	assert.NotContains(t, r.stdout, "CWWKC0452I", "never a false success")
	assert.Contains(t, r.stdout, "CWWKE0961I: Restoring the checkpoint server process failed.")
	assert.Contains(t, r.stderr, "Unable to restore capabilities on purpose", "criu's log is shown")
	assert.Contains(t, r.stdout, "CWWKF0011I", "the server started normally")
	last := r.calls[len(r.calls)-1]
	assert.True(t, strings.HasPrefix(last, "server run defaultServer"), last)
	assert.Contains(t, r.calls, "setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all -- server run defaultServer")
	assert.NoDirExists(t, s.checkpointDir(), "moved aside so Liberty's script does not retry")
	assert.DirExists(t, s.checkpointDir()+".not-restored")
}

func TestRestoreHotSpotFailureWithRecoveryDisabled(t *testing.T) {
	s := newSandbox(t, "hotspot")
	s.makeCheckpoint(t)
	r := s.run(t, "lcp-start.sh", []string{"STUB_CRIU_RC=1", "CRIU_RESTORE_DISABLE_RECOVERY=true"}, serverCmd...)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "CWWKE0964E")
	assert.NotContains(t, r.stdout, "CWWKE0961I")
	assert.NotContains(t, r.stdout, "CWWKC0452I")
	for _, c := range r.calls {
		assert.False(t, strings.HasPrefix(c, "server"), "no start: %s", c)
	}
	assert.DirExists(t, s.checkpointDir())
}

func TestRestoreHotSpotCriuCannotStartExplainsTheCapabilities(t *testing.T) {
	s := newSandbox(t, "hotspot")
	s.makeCheckpoint(t)
	r := s.run(t, "lcp-start.sh", []string{"STUB_CRIU_EXEC_RC=126", "CRIU_RESTORE_DISABLE_RECOVERY=true"}, serverCmd...)
	assert.Equal(t, 126, r.code)
	assert.Contains(t, r.stderr, "--cap-add=CHECKPOINT_RESTORE --cap-add=SETPCAP")
}

func TestConfigure(t *testing.T) {
	feature := func(t *testing.T, s *sandbox, short string) {
		mf := filepath.Join(s.root, "wlp/lib/features", "com.example."+short+".mf")
		require.NoError(t, os.WriteFile(mf, []byte("Manifest-Version: 1.0\r\nIBM-ShortName: "+short+"\r\n"), 0o644))
	}
	serverXML := func(t *testing.T, s *sandbox, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(s.root, "config/server.xml"), []byte(body), 0o644))
	}
	const xml = `<server><featureManager><feature>servlet-6.0</feature></featureManager>
  <webApplication location="sample.war" contextRoot="/sample"/></server>`

	t.Run("no server.xml", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		r := s.run(t, "configure.sh", nil)
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, "copy your server.xml there first")
	})
	t.Run("missing feature", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		feature(t, s, "jsonb-3.0")
		serverXML(t, s, xml)
		r := s.run(t, "configure.sh", nil)
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, "features not in this base image: servlet-6.0")
		assert.Contains(t, r.stderr, "LIBERTY_FEATURES=")
		assert.Contains(t, r.stderr, "jsonb-3.0", "lists what is installed")
	})
	t.Run("missing application", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		feature(t, s, "servlet-6.0")
		serverXML(t, s, xml)
		r := s.run(t, "configure.sh", nil)
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, `names the application "sample.war"`)
	})
	t.Run("ready", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		feature(t, s, "Servlet-6.0") // feature names are case-insensitive
		serverXML(t, s, xml)
		require.NoError(t, os.WriteFile(filepath.Join(s.root, "config/apps/sample.war"), []byte("war"), 0o600))
		r := s.run(t, "configure.sh", nil)
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.stderr, "1 feature(s) checked (servlet-6.0)")
		st, err := os.Stat(filepath.Join(s.root, "config/apps/sample.war"))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o060), st.Mode().Perm()&0o060, "group-writable")
		keystore, err := os.ReadFile(filepath.Join(s.root, "config/configDropins/defaults/keystore.xml"))
		require.NoError(t, err, "a default keystore configuration, as the official configure.sh writes")
		assert.Regexp(t, `password="[A-Za-z0-9+/=]{44}"`, string(keystore), "a password of the image's own")
		assert.NotContains(t, string(keystore), "@PASSWORD@")
		assert.NotContains(t, strings.Join(r.calls, "\n"), "java", "no shared class cache layer on HotSpot")
	})
	t.Run("no keystore with SSL=false", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		feature(t, s, "servlet-6.0")
		serverXML(t, s, `<server><featureManager><feature>servlet-6.0</feature></featureManager></server>`)
		r := s.run(t, "configure.sh", []string{"SSL=false"})
		assert.Equal(t, 0, r.code)
		assert.NoFileExists(t, filepath.Join(s.root, "config/configDropins/defaults/keystore.xml"))
	})
	t.Run("openj9 installs missing features and fills the class cache", func(t *testing.T) {
		s := newSandbox(t, "openj9")
		serverXML(t, s, `<server><featureManager><feature>servlet-6.0</feature></featureManager></server>`)
		r := s.run(t, "configure.sh", []string{"OPENJ9_SCC=true"})
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.calls, "featureUtility installServerFeatures --acceptLicense defaultServer --noCache")
		assert.Contains(t, r.stdout, "populate_scc.sh: the shared class cache layer is 42% full")
	})
	t.Run("featureUtility fails", func(t *testing.T) {
		s := newSandbox(t, "openj9")
		serverXML(t, s, `<server><featureManager><feature>nosuch-1.0</feature></featureManager></server>`)
		r := s.run(t, "configure.sh", []string{"STUB_FU_RC=21"})
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, "featureUtility could not install nosuch-1.0")
	})
}

// The official build-time entry point: checkpoint.sh PHASE checkpoints with the image's command.
func TestCheckpointScript(t *testing.T) {
	t.Run("openj9", func(t *testing.T) {
		s := newSandbox(t, "openj9")
		r := s.run(t, "checkpoint.sh", nil, "afterAppStart")
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.calls, "setpriv --inh-caps=-all --ambient-caps=-all -- server checkpoint defaultServer --at=afterAppStart")
	})
	t.Run("hotspot", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		r := s.run(t, "checkpoint.sh", []string{"STUB_SERVER_STAY=1"}, "beforeAppStart")
		assert.Equal(t, 0, r.code)
		assert.Equal(t, "setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all -- server run defaultServer", r.calls[0])
		assert.Contains(t, r.stdout, "checkpoint of the server saved in "+s.checkpointDir())
	})
	t.Run("usage", func(t *testing.T) {
		s := newSandbox(t, "openj9")
		r := s.run(t, "checkpoint.sh", nil)
		assert.Equal(t, 2, r.code)
		assert.Contains(t, r.stderr, "usage: checkpoint.sh beforeAppStart|afterAppStart")
	})
}

// Only OpenJ9 can run `server checkpoint`: on another JVM the script says so and stops.
func TestCheckpointOpenJ9ScriptOnAnotherJVM(t *testing.T) {
	s := newSandbox(t, "openj9")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_JVM=hotspot"}, serverCmd...)
	assert.Equal(t, 78, r.code)
	assert.Contains(t, r.stdout, "needs OpenJ9's CRIU API, and this JVM (openjdk version \"21.0.13\" 2026-10-20) is not OpenJ9: nothing was checkpointed")
	for _, c := range r.calls {
		assert.False(t, strings.HasPrefix(c, "server"), "no server command: %s", c)
	}
	assert.NoDirExists(t, s.checkpointDir())
}

// Semeru's /etc/instanton.ld.so.cache replaces the linker cache before the checkpoint, in both flavors.
func TestCheckpointUsesThePortableLinkerCache(t *testing.T) {
	for _, runtime := range []string{"openj9", "hotspot"} {
		t.Run(runtime, func(t *testing.T) {
			s := newSandbox(t, runtime)
			require.NoError(t, os.WriteFile(filepath.Join(s.root, "etc/instanton.ld.so.cache"), []byte("portable cache"), 0o644))
			r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1"}, serverCmd...)
			assert.Equal(t, 0, r.code)
			cache, err := os.ReadFile(filepath.Join(s.root, "etc/ld.so.cache"))
			require.NoError(t, err)
			assert.Equal(t, "portable cache", string(cache))
			assert.Contains(t, r.stderr, "using the portable linker cache")
		})
	}
	t.Run("none in the image", func(t *testing.T) {
		s := newSandbox(t, "openj9")
		r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart"}, serverCmd...)
		assert.Equal(t, 0, r.code)
		cache, err := os.ReadFile(filepath.Join(s.root, "etc/ld.so.cache"))
		require.NoError(t, err)
		assert.Equal(t, "cache tuned for this CPU", string(cache), "left alone")
	})
}

// populate_scc.sh: an OpenJ9 layer sized to what the classes fill; on another JVM it says so.
func TestPopulateSCC(t *testing.T) {
	t.Run("openj9", func(t *testing.T) {
		s := newSandbox(t, "openj9")
		r := s.run(t, "populate_scc.sh", nil)
		assert.Equal(t, 0, r.code)
		calls := strings.Join(r.calls, "\n")
		assert.Contains(t, calls, "java -Xshareclasses:name=liberty,cacheDir="+filepath.Join(s.root, "output/.classCache")+",createLayer,groupAccess -Xscmx80m -version")
		assert.Contains(t, calls, ",createLayer,groupAccess -Xscmx34m -version", "80 MB x 42% full, rounded")
		assert.Contains(t, r.stdout, "the classes filled 42% of 80 MB; the layer is made again with 34 MB")
		assert.Equal(t, 3, strings.Count(calls, "server start OPENJ9_JAVA_OPTIONS=-XX:+IProfileDuringStartupPhase -Xshareclasses:"),
			"one start to size the layer, two to fill it")
	})
	t.Run("not openj9", func(t *testing.T) {
		s := newSandbox(t, "openj9")
		require.NoError(t, os.MkdirAll(filepath.Join(s.root, "logs/old"), 0o755))
		r := s.run(t, "populate_scc.sh", []string{"STUB_JVM=hotspot"}, "-i", "1")
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.stdout, "is not OpenJ9, so there is no shared class cache to fill")
		assert.Equal(t, []string{"server start OPENJ9_JAVA_OPTIONS=", "server stop OPENJ9_JAVA_OPTIONS="}, r.calls)
		assert.NoDirExists(t, filepath.Join(s.root, "logs/old"), "no logs in the image")
	})
}

// The run-time set-up of Open Liberty's images, done before every start.
func TestRuntimeSetup(t *testing.T) {
	requireTools(t, "openssl", "keytool", "csplit")
	t.Run("defaults", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		r := s.run(t, "lcp-start.sh", nil, serverCmd...)
		assert.Equal(t, 0, r.code)
		keystore, err := os.ReadFile(filepath.Join(s.root, "config/configDropins/defaults/keystore.xml"))
		require.NoError(t, err)
		assert.Regexp(t, `password="[A-Za-z0-9+/=]{44}"`, string(keystore))
		ltpa, err := os.ReadFile(s.calls + ".ltpa")
		require.NoError(t, err, "the server gets ltpa_keys_password")
		assert.Len(t, strings.TrimSpace(string(ltpa)), 44)
		assert.NoFileExists(t, filepath.Join(s.root, "config/configDropins/overrides/tls.xml"))
	})
	t.Run("ltpa password given or turned off", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		s.run(t, "lcp-start.sh", []string{"ltpa_keys_password=mine"}, serverCmd...)
		ltpa, _ := os.ReadFile(s.calls + ".ltpa")
		assert.Equal(t, "mine\n", string(ltpa))
		s = newSandbox(t, "hotspot")
		s.run(t, "lcp-start.sh", []string{"GENERATE_LTPA_KEYS_PASSWORD=false"}, serverCmd...)
		assert.NoFileExists(t, s.calls+".ltpa")
	})
	t.Run("certificates", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		certs := filepath.Join(s.root, "certs")
		sa := filepath.Join(s.root, "serviceaccount")
		require.NoError(t, os.MkdirAll(certs, 0o755))
		require.NoError(t, os.MkdirAll(sa, 0o755))
		selfSigned(t, certs, "tls", "server.example")
		selfSigned(t, certs, "ca", "ca.example")
		selfSigned(t, sa, "k8s-a", "kube-a.example")
		selfSigned(t, sa, "k8s-b", "kube-b.example")
		bundle := append(must(os.ReadFile(filepath.Join(sa, "k8s-a.crt"))), must(os.ReadFile(filepath.Join(sa, "k8s-b.crt")))...)
		require.NoError(t, os.WriteFile(filepath.Join(sa, "ca.crt"), bundle, 0o644))
		for _, f := range []string{"k8s-a.crt", "k8s-b.crt", "k8s-a.key", "k8s-b.key"} {
			require.NoError(t, os.Remove(filepath.Join(sa, f)))
		}
		r := s.run(t, "lcp-start.sh", []string{"SEC_IMPORT_K8S_CERTS=true", "TLS=true"}, serverCmd...)
		assert.Equal(t, 0, r.code)
		assert.Contains(t, r.stdout, "making the keystore from the certificate in "+certs)
		security := filepath.Join(s.root, "output/resources/security")
		assert.FileExists(t, filepath.Join(security, "key.p12"))
		over := filepath.Join(s.root, "config/configDropins/overrides")
		keystore := string(must(os.ReadFile(filepath.Join(over, "keystore.xml"))))
		pw := regexp.MustCompile(`password="([^"]+)"`).FindStringSubmatch(keystore)
		require.NotNil(t, pw, keystore)
		out, err := exec.Command("keytool", "-list", "-storetype", "pkcs12", "-keystore", filepath.Join(security, "key.p12"), "-storepass", pw[1]).CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Contains(t, string(out), "defaultkeystore")
		trust := string(must(os.ReadFile(filepath.Join(over, "truststore.xml"))))
		tpw := regexp.MustCompile(`password="([^"]+)"`).FindStringSubmatch(trust)
		require.NotNil(t, tpw, trust)
		out, err = exec.Command("keytool", "-list", "-storetype", "pkcs12", "-keystore", filepath.Join(security, "trust.p12"), "-storepass", tpw[1]).CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, alias := range []string{"service-ca", "service-sa-crt-00", "service-sa-crt-01"} {
			assert.Contains(t, string(out), alias, "the mounted CA and each certificate of the Kubernetes bundle")
		}
		assert.FileExists(t, filepath.Join(over, "tls.xml"), "TLS=true turns on transportSecurity")
	})
	t.Run("serviceability", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		r := s.run(t, "lcp-start.sh", []string{"SERVICEABILITY_NAMESPACE=shop", "HOSTNAME=pod-1"}, serverCmd...)
		assert.Equal(t, 0, r.code)
		target, err := os.Readlink(filepath.Join(s.root, "liberty-logs"))
		require.NoError(t, err)
		assert.Equal(t, filepath.Join(s.root, "serviceability/shop/pod-1/logs"), target)
		assert.DirExists(t, target)
	})
}

// selfSigned writes NAME.key and NAME.crt, a self-signed certificate for cn, into dir.
func selfSigned(t *testing.T, dir, name, cn string) {
	t.Helper()
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN="+cn,
		"-keyout", filepath.Join(dir, name+".key"), "-out", filepath.Join(dir, name+".crt")).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestShellcheck(t *testing.T) {
	requireTools(t, "shellcheck")
	scripts, err := filepath.Glob("helpers/*.sh")
	require.NoError(t, err)
	local, err := filepath.Glob("local/*.sh")
	require.NoError(t, err)
	scripts = append(scripts, local...)
	scripts = append(scripts, "standin/build.sh", "standin/yum")
	require.GreaterOrEqual(t, len(scripts), 14)
	out, err := exec.Command("shellcheck", append([]string{"-x", "-P", "SCRIPTDIR"}, scripts...)...).CombinedOutput()
	assert.NoError(t, err, "shellcheck:\n%s", out)
}

func TestCheckpointHotSpotCompactsTheJVMBeforeTheDump(t *testing.T) {
	s := newSandbox(t, "hotspot")
	agent := filepath.Join(s.root, "lcp-compact.jar")
	require.NoError(t, os.WriteFile(agent, []byte("jar"), 0o644))
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "LCP_COMPACT_AGENT=" + agent, "TMPDIR=" + s.root}, serverCmd...)
	assert.Equal(t, 0, r.code)
	require.GreaterOrEqual(t, len(r.calls), 2)
	assert.Regexp(t, `^server run defaultServer WLP_CHECKPOINT=unset JVM_ARGS=-XX:-UsePerfData -javaagent:`+regexp.QuoteMeta(agent)+`=\S+/lcp-compact-\w+ $`, r.calls[1])
	assert.Contains(t, r.stdout, "liberty-checkpoint: compacted: stub, MaxHeapFreeRatio=10\n", "the agent's answer is shown")
	assert.Regexp(t, `(?m)^liberty-checkpoint: server RSS before the dump: [1-9]\d* kB \(pid \d+; [1-9]\d* kB before compacting\)$`, r.stdout,
		"both RSS values (make bench reads them)")
	left, err := filepath.Glob(filepath.Join(s.root, "lcp-compact-*"))
	require.NoError(t, err)
	assert.Empty(t, left, "the FIFOs are gone before the dump")

	t.Run("turned off", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		require.NoError(t, os.WriteFile(agent, []byte("jar"), 0o644))
		r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "LCP_COMPACT_AGENT=" + agent, "LCP_CHECKPOINT_COMPACT=false"}, serverCmd...)
		assert.Equal(t, 0, r.code)
		assert.NotContains(t, r.calls[1], "-javaagent")
		assert.NotContains(t, r.stdout, "compacted")
	})
	t.Run("agent silent", func(t *testing.T) {
		s := newSandbox(t, "hotspot")
		require.NoError(t, os.WriteFile(agent, []byte("jar"), 0o644))
		r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "LCP_COMPACT_AGENT=" + agent,
			"STUB_AGENT_SILENT=1", "LCP_COMPACT_TIMEOUT=1"}, serverCmd...)
		assert.Equal(t, 0, r.code, "a JVM that does not compact is still checkpointed")
		assert.Contains(t, r.stderr, "did not answer the request to compact its memory within 1s")
		assert.Contains(t, r.stdout, "checkpoint of the server saved in")
	})
}

func TestCheckpointHotSpotWarmsUpBeforeTheDump(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		fmt.Fprintln(w, "ok")
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	s := newSandbox(t, "hotspot")
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "LCP_HTTP_PORT=" + port,
		"LCP_CHECKPOINT_WARMUP=/app/ /app/api", "LCP_CHECKPOINT_WARMUP_REQUESTS=3"}, serverCmd...)
	assert.Equal(t, 0, r.code)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"/app/", "/app/", "/app/", "/app/api", "/app/api", "/app/api"}, paths)
	assert.Contains(t, r.stdout, "warmed up with 3 requests to each of /app/ /app/api")
	assert.Contains(t, r.stdout, "warm-up done, the server holds no open connection")
}

// A connection the server still holds after the warm-up would be dumped with it (criu's
// --tcp-established) and restored without its peer: the script waits for it to close, then says so.
func TestCheckpointHotSpotWarmUpWaitsForConnections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	s := newSandbox(t, "hotspot")
	start := time.Now()
	r := s.run(t, "lcp-start.sh", []string{"WLP_CHECKPOINT=afterAppStart", "STUB_SERVER_STAY=1", "LCP_HTTP_PORT=" + port,
		"STUB_SERVER_CONNECT=" + port, "LCP_CHECKPOINT_WARMUP=/app/", "LCP_CHECKPOINT_WARMUP_REQUESTS=1", "LCP_CHECKPOINT_QUIET_TIMEOUT=1"}, serverCmd...)
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stderr, "warm-up: the server still holds 1 TCP connection(s) after 1s; criu dumps them with it")
	assert.NotContains(t, r.stdout, "holds no open connection")
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "it waited")
}

func TestRestoreHotSpotMakesTheLTPAPasswordOnlyForAColdStart(t *testing.T) {
	s := newSandbox(t, "hotspot")
	s.makeCheckpoint(t)
	r := s.run(t, "lcp-start.sh", []string{"STUB_CRIU_RC=1", "STUB_SERVER_RC=0"}, serverCmd...)
	assert.Equal(t, 0, r.code)
	ltpa, err := os.ReadFile(s.calls + ".ltpa")
	require.NoError(t, err, "the server started after a failed restore gets ltpa_keys_password")
	assert.Len(t, strings.TrimSpace(string(ltpa)), 44)
}

func TestCriuActionScriptOnlyActsAtPreResume(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, ".resumed")
	abs, err := filepath.Abs("helpers/lcp-criu-action.sh")
	require.NoError(t, err)
	for _, action := range []string{"pre-restore", "post-restore", "post-resume", "post-setup-namespaces"} {
		cmd := exec.Command(abs)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "CRTOOLS_SCRIPT_ACTION=" + action, "LCP_RESUMED_MARKER=" + marker}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, action)
		assert.Empty(t, out, action)
		assert.NoFileExists(t, marker, action)
	}
	cmd := exec.Command(abs)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "CRTOOLS_SCRIPT_ACTION=pre-resume", "LCP_RESUMED_MARKER=" + marker, "LCP_RESTORE_T0_MS=1"}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err)
	assert.Regexp(t, `^CWWKC0452I: The Liberty server process resumed operation from a checkpoint in \d+\.\d{3} seconds\.\n$`, string(out))
	assert.FileExists(t, marker)
	data, err := os.ReadFile(abs)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "#!/bin/sh\n"), "criu waits for it at every step: plain sh, not bash")
}

// assertStartRecorded checks that the server got LCP_JVM_STARTED_MS, the wall clock of its start
// in milliseconds, in its environment (the fact liberty-checkpoint restore reads).
func assertStartRecorded(t *testing.T, s *sandbox) {
	t.Helper()
	b, err := os.ReadFile(s.calls + ".started")
	require.NoError(t, err, "the server's environment has LCP_JVM_STARTED_MS")
	ms, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), time.UnixMilli(ms), time.Minute)
}
