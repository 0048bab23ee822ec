package betaimage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/liberty-checkpoint/liberty-checkpoint/internal/testenv"
)

// The UBI Dockerfiles, built for real without a registry: every step of the real file runs with
// `podman build` on the UBI stand-in (standin/: the Semeru image's shape on Debian, HotSpot,
// USER 1001 last, a faking yum) while the Liberty zip (the real one, so the file's own sha1
// checks it) and dumb-init are served on a loopback port. Build arguments select those; the
// file itself is not changed. Then the image is checked (ownership, no server.env, the linker
// cache, the shared class cache options, the helpers on PATH), run (the run-time set-up:
// certificates, truststore, serviceability logs, LTPA password), and asked to checkpoint, where
// the stand-in's HotSpot says plainly that only OpenJ9 can.

// loopbackFiles serves files on 127.0.0.1 and counts the requests for each path.
type loopbackFiles struct {
	url  string
	mu   sync.Mutex
	hits map[string]int
}

func serveLoopback(t *testing.T, files map[string]string) *loopbackFiles {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	lf := &loopbackFiles{url: "http://" + l.Addr().String(), hits: map[string]int{}}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		lf.mu.Lock()
		lf.hits[r.URL.Path]++
		lf.mu.Unlock()
		http.ServeFile(w, r, path)
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return lf
}

func (lf *loopbackFiles) count(path string) int {
	lf.mu.Lock()
	defer lf.mu.Unlock()
	return lf.hits[path]
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var stepRE = regexp.MustCompile(`(?m)^STEP (\d+)/(\d+): `)

func TestUBIDockerfilesBuildOnTheStandIn(t *testing.T) {
	requireTools(t, "podman", "bash", "openssl")
	testenv.SkipIfShort(t, "the UBI stand-in builds (about a minute)")
	e := newE2E(t)
	tmp := t.TempDir()

	// The stand-in (cached by content hash) and what the loopback server hands out in place of
	// Maven Central and GitHub: the real Liberty zip, and the stand-in's own dumb-init build.
	standin := lastLine(e.must(15*time.Minute, "bash", "standin/build.sh"))
	zip := lastLine(e.must(15*time.Minute, "bash", "local/runtime-zip.sh"))
	arch := strings.TrimSpace(e.must(time.Minute, "podman", "run", "--rm", "--entrypoint", "uname", standin, "-m"))
	dumbInitName := "dumb-init_1.2.5_" + arch
	dumbInit := filepath.Join(tmp, dumbInitName)
	out := e.must(time.Minute, "podman", "run", "--rm", "--entrypoint", "cat", standin, "/usr/share/lcp-standin/"+dumbInitName)
	require.NoError(t, os.WriteFile(dumbInit, []byte(out), 0o755))
	zipPath := "/maven2/io/openliberty/openliberty-runtime/26.0.0.3/openliberty-runtime-26.0.0.3.zip"
	srv := serveLoopback(t, map[string]string{zipPath: zip, "/dumb-init/" + dumbInitName: dumbInit})

	for _, file := range []string{"Dockerfile.ubi.openjdk11", "Dockerfile.ubi.openjdk17"} {
		t.Run(file, func(t *testing.T) {
			e := &e2e{t: t, id: e.id}
			t.Cleanup(e.cleanup)
			zipHits, dumbHits := srv.count(zipPath), srv.count("/dumb-init/"+dumbInitName)

			// The header's own build command, run as written but for the tag (a test tag, not
			// the user's) and the build arguments that point it at the stand-in and loopback.
			header := headerBuildCommand(t, file)
			require.Equal(t, "beta-image/"+file, header[3])
			assert.Equal(t, ubiTags[file], header[5], "the header tags the image the tool and the README name")
			image := e.image(strings.ReplaceAll(strings.ToLower(file), ".", "-"))
			args := []string{"build", "-f", file, "-t", image,
				"--layers=false", "--network=host",
				"--build-arg", "BASE_IMAGE=" + standin,
				"--build-arg", "LIBERTY_URL=" + srv.url + zipPath,
				"--build-arg", "DUMB_INIT_URL=" + srv.url + "/dumb-init",
				"--build-arg", "DUMB_INIT_SHA256=" + sha256File(t, dumbInit),
				"."}
			start := time.Now()
			build, err := e.cmd(15*time.Minute, "podman", args...)
			require.NoError(t, err, "podman %s\n%s", strings.Join(args, " "), build)
			t.Logf("%s built on the stand-in in %s", file, time.Since(start).Round(time.Second))

			// Every instruction of the file ran (all but the ARG before FROM are build steps),
			// none from a cache.
			steps := stepRE.FindAllStringSubmatch(build, -1)
			ins := parseDockerfile(t, file)
			want := len(ins)
			for _, in := range ins {
				if in.cmd == "from" {
					break
				}
				want--
			}
			require.Len(t, steps, want, "one STEP per instruction:\n%s", build)
			for i, m := range steps {
				assert.Equal(t, strconv.Itoa(i+1), m[1])
				assert.Equal(t, strconv.Itoa(want), m[2])
			}
			assert.NotContains(t, build, "Using cache")
			assert.Equal(t, zipHits+1, srv.count(zipPath), "the Liberty zip was downloaded (and its sha1 checked)")
			assert.Equal(t, dumbHits+1, srv.count("/dumb-init/"+dumbInitName), "dumb-init was downloaded for %s", arch)
			for _, s := range []string{"/tmp/wlp.zip: OK", "/usr/bin/dumb-init: OK", "stand-in yum: shadow-utils: faked",
				"stand-in yum: unzip: removed", "/usr/local/sbin/criu cap_setpcap,cap_sys_ptrace,cap_checkpoint_restore=eip",
				"populate_scc.sh: openjdk version"} {
				assert.Contains(t, build, s)
			}

			// What the image holds.
			inspect := e.must(time.Minute, "podman", "image", "inspect", "--format",
				"{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{range .Config.Env}}{{.}};{{end}}", image)
			parts := strings.SplitN(strings.TrimSpace(inspect), "|", 4)
			require.Len(t, parts, 4, inspect)
			assert.Equal(t, "1001", parts[0], "USER 1001 last")
			assert.Equal(t, `["/opt/ol/helpers/lcp-start.sh"]`, parts[1])
			assert.Equal(t, `["/opt/ol/wlp/bin/server","run","defaultServer"]`, parts[2])
			assert.Contains(t, parts[3], "-Xshareclasses:name=openj9_system_scc,cacheDir=/opt/java/.scc,readonly,nonFatal")
			assert.Contains(t, parts[3], "CRIU_RESTORE_PATH=/opt/criu/criu")
			checks := e.must(time.Minute, "podman", "run", "--rm", "--entrypoint", "bash", image, "-c", `
				set -u
				id -u
				for d in /opt/ol/wlp /opt/ol/wlp/lib /opt/ol/wlp/lib/features /opt/ol/wlp/usr /opt/ol/wlp/output /logs /serviceability; do
				  [[ -w $d ]] && echo "writable $d" || echo "NOT writable $d"
				done
				touch /opt/ol/wlp/lib/features/lcp-test.mf && echo "wrote a feature manifest"
				stat -c 'owner %u:%g %n' /opt/ol/wlp /opt/ol/wlp/lib/features /opt/ol/wlp/bin/server
				[[ -e /config/server.env ]] && echo "server.env present" || echo "no server.env"
				grep -rl keystore_password /config/ 2>/dev/null | sed 's/^/password in /'
				stat -c 'ldcache %A' /etc/ld.so.cache
				[[ -e /etc/instanton.ld.so.cache ]] && echo "portable ldcache"
				for c in checkpoint.sh features.sh configure.sh populate_scc.sh server dumb-init setpriv; do command -v $c >/dev/null && echo "has $c"; done
				command -v unzip >/dev/null && echo "unzip left" || echo "no unzip"
				readlink /liberty/logs /config /output
			`)
			for _, s := range []string{"1001\n", "writable /opt/ol/wlp/lib\n", "writable /opt/ol/wlp/lib/features\n", "writable /logs\n",
				"wrote a feature manifest", "owner 1001:0 /opt/ol/wlp\n", "owner 1001:0 /opt/ol/wlp/lib/features\n", "no server.env",
				"portable ldcache", "has checkpoint.sh", "has features.sh", "has populate_scc.sh", "has dumb-init", "has setpriv", "no unzip",
				"/logs\n/opt/ol/wlp/usr/servers/defaultServer\n/opt/ol/wlp/output/defaultServer"} {
				assert.Contains(t, checks, s)
			}
			assert.NotContains(t, checks, "NOT writable")
			assert.NotContains(t, checks, "password in")
			assert.Regexp(t, `ldcache -rw-rw-r--`, checks, "group-writable, for the portable cache")

			t.Run("runtime set-up", func(t *testing.T) { ubiRuntimeSetup(t, e, image, tmp) })
			t.Run("checkpoint needs OpenJ9", func(t *testing.T) { ubiCheckpointSaysOpenJ9(t, e, image) })
		})
	}
}

// ubiRuntimeSetup starts the image with mounted certificates and the Kubernetes and
// serviceability settings, and checks what the start script made of them.
func ubiRuntimeSetup(t *testing.T, e *e2e, image, tmp string) {
	certs := filepath.Join(tmp, "certs")
	sa := filepath.Join(tmp, "serviceaccount")
	if _, err := os.Stat(certs); err != nil {
		require.NoError(t, os.MkdirAll(certs, 0o755))
		require.NoError(t, os.MkdirAll(sa, 0o755))
		selfSigned(t, certs, "tls", "server.example")
		selfSigned(t, certs, "ca", "ca.example")
		selfSigned(t, sa, "ca", "kube.example")
		for _, f := range []string{filepath.Join(certs, "tls.key"), filepath.Join(certs, "ca.key"), filepath.Join(sa, "ca.key")} {
			require.NoError(t, os.Chmod(f, 0o644)) // readable by uid 1001 in the container
		}
	}
	name := e.container("runtime")
	e.must(time.Minute, "podman", "run", "-d", "--name", name, "--hostname", "pod-1",
		"-v", certs+":/etc/x509/certs:ro", "-v", sa+":/var/run/secrets/kubernetes.io/serviceaccount:ro",
		"-e", "SEC_IMPORT_K8S_CERTS=true", "-e", "SERVICEABILITY_NAMESPACE=shop", image)
	var logs string
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		logs, _ = e.cmd(30*time.Second, "podman", "logs", name)
		if strings.Contains(logs, "CWWKF0011I") {
			break
		}
	}
	require.Contains(t, logs, "CWWKF0011I", "the server starts (cold, on the stand-in's HotSpot)")
	assert.Contains(t, logs, "making the keystore from the certificate in /etc/x509/certs")
	state := e.must(time.Minute, "podman", "exec", name, "bash", "-c", `
		ls /output/resources/security/
		ls /config/configDropins/overrides/
		readlink /liberty/logs
		ls /serviceability/shop/pod-1/logs/
		tr '\0' '\n' </proc/1/environ | grep -c '^ltpa_keys_password=.\{44\}$'
		grep -c 'CWWKF0011I' /logs/messages.log 2>/dev/null || echo "no messages.log in /logs"
	`)
	for _, s := range []string{"key.p12", "trust.p12", "keystore.xml", "truststore.xml", "/serviceability/shop/pod-1/logs\n", "messages.log", "\n1\n",
		"no messages.log in /logs"} {
		assert.Contains(t, state, s)
	}
	e.must(time.Minute, "podman", "rm", "-f", "-t", "5", name)
}

// ubiCheckpointSaysOpenJ9 asks the image for a checkpoint: everything before `server checkpoint`
// runs (PID counter, portable linker cache), and the stand-in's HotSpot says that only OpenJ9 can
// go on.
func ubiCheckpointSaysOpenJ9(t *testing.T, e *e2e, image string) {
	name := e.container("checkpoint")
	out, err := e.cmd(3*time.Minute, "podman", "run", "--name", name, "-e", "WLP_CHECKPOINT=afterAppStart",
		"--cap-add=CHECKPOINT_RESTORE,SYS_PTRACE,SETPCAP", "--security-opt", "seccomp=unconfined", image)
	require.Error(t, err, "the stand-in cannot checkpoint:\n%s", out)
	code := strings.TrimSpace(e.must(time.Minute, "podman", "inspect", "--format", "{{.State.ExitCode}}", name))
	assert.Equal(t, "78", code, out)
	assert.Regexp(t, `PID counter moved to \d+ \(floor 1000\)`, out)
	assert.Contains(t, out, "using the portable linker cache /etc/instanton.ld.so.cache")
	assert.Contains(t, out, fmt.Sprintf("`server checkpoint --at=%s` needs OpenJ9's CRIU API, and this JVM (openjdk version", "afterAppStart"))
	assert.Contains(t, out, "is not OpenJ9: nothing was checkpointed")
}
