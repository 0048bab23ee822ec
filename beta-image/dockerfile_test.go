package betaimage

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// instruction is one parsed Dockerfile line: its keyword, its arguments and its text.
type instruction struct {
	cmd      string // lower case: from, run, copy, ...
	args     []string
	json     bool // exec form (ENTRYPOINT ["..."])
	original string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	res, err := parser.Parse(f)
	require.NoError(t, err, "BuildKit cannot parse %s", path)
	for _, w := range res.Warnings {
		t.Errorf("%s: parser warning: %s", path, w.Short)
	}
	var out []instruction
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), json: n.Attributes["json"], original: n.Original}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		out = append(out, in)
	}
	return out
}

func find(ins []instruction, cmd string) []instruction {
	var out []instruction
	for _, in := range ins {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// lastStage returns the instructions after the last FROM.
func lastStage(ins []instruction) []instruction {
	last := 0
	for i, in := range ins {
		if in.cmd == "from" {
			last = i
		}
	}
	return ins[last:]
}

func allText(ins []instruction) string {
	var b strings.Builder
	for _, in := range ins {
		b.WriteString(in.original)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestDockerfiles(t *testing.T) {
	cases := []struct {
		file      string
		runtime   string // LCP_RUNTIME
		stages    int
		fromMatch string
		extraArgs []string // ARGs the file must declare besides LIBERTY_VERSION
		mustSay   []string // text the file must contain
	}{
		{
			file: "Dockerfile.ubi.openjdk11", runtime: "openj9", stages: 1,
			fromMatch: `ibm-semeru-runtimes:open-11-jdk-ubi9-minimal`,
			extraArgs: []string{"LIBERTY_SHA1", "DUMB_INIT_SHA256"},
			mustSay:   []string{"sha1sum -c", "sha256sum -c", "useradd -u 1001 -r -g 0"},
		},
		{
			file: "Dockerfile.ubi.openjdk17", runtime: "openj9", stages: 1,
			fromMatch: `ibm-semeru-runtimes:open-17-jdk-ubi9-minimal`,
			extraArgs: []string{"LIBERTY_SHA1", "DUMB_INIT_SHA256"},
			mustSay:   []string{"sha1sum -c", "sha256sum -c", "useradd -u 1001 -r -g 0"},
		},
		{
			file: "Dockerfile.local", runtime: "hotspot", stages: 2,
			fromMatch: `localhost/lcp-rootfs:liberty`,
			extraArgs: []string{"LIBERTY_FEATURES", "ROOTFS_IMAGE"},
			mustSay: []string{
				"local flavor: HotSpot + criu dump, not the UBI/OpenJ9 image",
				"useradd -u 1001 -g 0",
				"COPY --from=unpack /opt/ol/wlp /opt/ol/wlp",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			ins := parseDockerfile(t, tc.file)
			text := allText(ins)

			froms := find(ins, "from")
			assert.Len(t, froms, tc.stages, "stages")
			assert.Contains(t, text, tc.fromMatch, "base image")

			args := map[string]string{}
			for _, a := range find(ins, "arg") {
				for _, kv := range a.args {
					k, v, _ := strings.Cut(kv, "=")
					args[k] = v
				}
			}
			assert.Regexp(t, `^\d+\.\d+\.\d+\.\d+$`, args["LIBERTY_VERSION"], "ARG LIBERTY_VERSION with a default release")
			for _, a := range tc.extraArgs {
				assert.Contains(t, args, a, "ARG %s", a)
			}

			final := lastStage(ins)
			users := find(final, "user")
			require.Len(t, users, 1, "one USER in the final stage")
			assert.Equal(t, []string{"1001"}, users[0].args)

			eps := find(final, "entrypoint")
			require.Len(t, eps, 1, "one ENTRYPOINT")
			assert.True(t, eps[0].json, "ENTRYPOINT in exec form")
			assert.Equal(t, []string{"/opt/ol/helpers/lcp-start.sh"}, eps[0].args)
			cmds := find(final, "cmd")
			require.Len(t, cmds, 1, "one CMD")
			assert.Equal(t, []string{"/opt/ol/wlp/bin/server", "run", "defaultServer"}, cmds[0].args)
			assert.Contains(t, allText(find(final, "expose")), "9080")

			// The helpers come from the shared folder, and exist.
			assert.Contains(t, allText(find(final, "copy")), "COPY helpers /opt/ol/helpers")
			for _, s := range []string{"lcp-start.sh", "lcp-checkpoint.sh", "lcp-restore.sh", "lcp-criu-action.sh", "configure.sh"} {
				st, err := os.Stat(filepath.Join("helpers", s))
				if assert.NoError(t, err) {
					assert.NotZero(t, st.Mode()&0o111, "%s is executable", s)
				}
			}

			env := allText(find(final, "env"))
			assert.Contains(t, env, "LCP_RUNTIME="+tc.runtime)
			assert.Contains(t, env, "CRIU_CHECKPOINT_PATH=/opt/criu/checkpoint/criu")
			assert.Contains(t, env, "CRIU_RESTORE_PATH=/opt/criu/restore/criu")
			assert.Contains(t, env, "LOG_DIR=/logs")

			// Two criu copies with file capabilities: the restore copy must not have sys_ptrace,
			// or it would not even start in a container without SYS_PTRACE.
			run := allText(find(final, "run"))
			assert.Regexp(t, regexp.MustCompile(`setcap cap_checkpoint_restore,cap_sys_ptrace,cap_setpcap=eip /opt/criu/checkpoint/criu`), run)
			restoreCaps := regexp.MustCompile(`setcap (\S+)=eip /opt/criu/restore/criu`).FindStringSubmatch(run)
			if assert.NotNil(t, restoreCaps, "setcap on the restore copy") {
				assert.Equal(t, "cap_checkpoint_restore,cap_setpcap", restoreCaps[1])
				assert.NotContains(t, restoreCaps[1], "sys_ptrace")
			}
			assert.NotContains(t, text, "--privileged")

			// The well-known links and group-writable places for uid 1001 / group 0.
			for _, s := range []string{
				"ln -s /opt/ol/wlp/usr/servers/defaultServer /config",
				"ln -s /opt/ol/wlp/output/defaultServer /output",
				"ln -s /opt/ol/wlp /liberty",
				"mkdir -p /logs",
				"chmod -R g+rwX /opt/ol/wlp/usr /opt/ol/wlp/output /logs",
			} {
				assert.Contains(t, run, s)
			}

			labels := allText(find(final, "label"))
			assert.Contains(t, labels, "org.opencontainers.image.title=")
			assert.Contains(t, labels, "org.opencontainers.image.description=")
			assert.Contains(t, labels, "io.liberty-checkpoint.jvm=\""+tc.runtime+"\"")
			for _, s := range tc.mustSay {
				assert.Contains(t, text, s)
			}
		})
	}
}
