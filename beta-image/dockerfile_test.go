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

	"github.com/liberty-checkpoint/liberty-checkpoint/plugin/engine"
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
	ubiSay := []string{"sha1sum -c", "sha256sum -c", "useradd -u 1001 -r -g 0", `case "$(uname -m)" in`,
		"chown -R 1001:0 /opt/ol/wlp;", "/opt/ol/wlp/usr/servers/defaultServer/server.env",
		"if [ -e /etc/instanton.ld.so.cache ]; then chmod g+w /etc/ld.so.cache; fi", "populate_scc.sh",
		"-Xshareclasses:name=openj9_system_scc,cacheDir=/opt/java/.scc,readonly,nonFatal"}
	cases := []struct {
		file      string
		runtime   string // LCP_RUNTIME
		stages    int
		fromMatch string
		extraArgs []string // ARGs the file must declare besides LIBERTY_VERSION
		mustSay   []string // text the file must contain
		criu      [2]string
	}{
		{
			file: "Dockerfile.ubi.openjdk11", runtime: "openj9", stages: 1,
			fromMatch: `ibm-semeru-runtimes:open-11-jdk-ubi`,
			extraArgs: []string{"BASE_IMAGE", "LIBERTY_SHA1", "LIBERTY_URL", "DUMB_INIT_URL", "DUMB_INIT_SHA256", "OPENJ9_SCC"},
			mustSay:   ubiSay,
			criu:      [2]string{"/usr/local/sbin/criu", "/opt/criu/criu"},
		},
		{
			file: "Dockerfile.ubi.openjdk17", runtime: "openj9", stages: 1,
			fromMatch: `ibm-semeru-runtimes:open-17-jdk-ubi`,
			extraArgs: []string{"BASE_IMAGE", "LIBERTY_SHA1", "LIBERTY_URL", "DUMB_INIT_URL", "DUMB_INIT_SHA256", "OPENJ9_SCC"},
			mustSay:   ubiSay,
			criu:      [2]string{"/usr/local/sbin/criu", "/opt/criu/criu"},
		},
		{
			file: "Dockerfile.local", runtime: "hotspot", stages: 2,
			fromMatch: `localhost/lcp-rootfs:liberty`,
			extraArgs: []string{"LIBERTY_FEATURES", "ROOTFS_IMAGE"},
			mustSay: []string{
				"local flavor: HotSpot + criu dump, not the UBI/OpenJ9 image",
				"useradd -u 1001 -g 0",
				"COPY --from=unpack /opt/ol/wlp /opt/ol/wlp",
				"/opt/ol/wlp/usr/servers/defaultServer/server.env",
			},
			criu: [2]string{"/opt/criu/checkpoint/criu", "/opt/criu/restore/criu"},
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
			require.NotEmpty(t, users, "USER in the final stage")
			assert.Equal(t, []string{"1001"}, users[len(users)-1].args, "the image runs as 1001")
			if tc.runtime == "openj9" {
				// The Semeru image ends with USER 1001: installing and chown need root first.
				require.GreaterOrEqual(t, len(final), 2)
				assert.Equal(t, "user", final[1].cmd, "USER root right after FROM")
				assert.Equal(t, []string{"root"}, final[1].args)
			}

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
			for _, s := range []string{"lcp-start.sh", "lcp-checkpoint.sh", "lcp-restore.sh", "lcp-criu-action.sh", "configure.sh",
				"checkpoint.sh", "features.sh", "populate_scc.sh"} {
				st, err := os.Stat(filepath.Join("helpers", s))
				if assert.NoError(t, err) {
					assert.NotZero(t, st.Mode()&0o111, "%s is executable", s)
				}
			}

			env := allText(find(final, "env"))
			assert.Contains(t, env, "LCP_RUNTIME="+tc.runtime)
			assert.Contains(t, env, "CRIU_CHECKPOINT_PATH="+tc.criu[0])
			assert.Contains(t, env, "CRIU_RESTORE_PATH="+tc.criu[1])
			assert.Contains(t, env, "LOG_DIR=/liberty/logs")

			run := allText(find(final, "run"))
			if tc.runtime == "hotspot" {
				// Two criu copies with file capabilities: the restore copy must not have sys_ptrace,
				// or it would not even start in a container without SYS_PTRACE.
				assert.Regexp(t, regexp.MustCompile(`setcap cap_checkpoint_restore,cap_sys_ptrace,cap_setpcap=eip /opt/criu/checkpoint/criu`), run)
				restoreCaps := regexp.MustCompile(`setcap (\S+)=eip /opt/criu/restore/criu`).FindStringSubmatch(run)
				if assert.NotNil(t, restoreCaps, "setcap on the restore copy") {
					assert.Equal(t, "cap_checkpoint_restore,cap_setpcap", restoreCaps[1])
				}
			} else {
				// Semeru's own two copies, checked: the restore copy must not have sys_ptrace.
				assert.Contains(t, run, "getcap /opt/criu/criu | grep -q sys_ptrace")
				assert.NotContains(t, run, "setcap")
			}
			assert.NotContains(t, text, "--privileged")

			// The well-known links and group-writable places for uid 1001 / group 0.
			for _, s := range []string{
				"ln -s /opt/ol/wlp/usr/servers/defaultServer /config",
				"ln -s /opt/ol/wlp/output/defaultServer /output",
				"ln -s /opt/ol/wlp /liberty",
				"ln -s /logs /opt/ol/wlp/logs",
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

// The two UBI files are one image for two Java versions: they differ only where the version is.
func TestUBIDockerfilesDifferOnlyInTheJavaVersion(t *testing.T) {
	read := func(name string) []string {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		return strings.Split(string(b), "\n")
	}
	a, b := read("Dockerfile.ubi.openjdk11"), read("Dockerfile.ubi.openjdk17")
	require.Equal(t, len(a), len(b), "same number of lines")
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		norm := strings.NewReplacer("openjdk11", "openjdkNN", "Semeru 11", "Semeru NN", "open-11-", "open-NN-",
			" and the tool's default base image:", ":", "beta-checkpoint-ubi beta-image", "beta-checkpoint-ubi-javaNN beta-image")
		normB := strings.NewReplacer("openjdk17", "openjdkNN", "Semeru 17", "Semeru NN", "open-17-", "open-NN-",
			"beta-checkpoint-ubi-java17", "beta-checkpoint-ubi-javaNN")
		assert.Equal(t, norm.Replace(a[i]), normB.Replace(b[i]), "line %d differs beyond the Java version", i+1)
	}
}

// The build command in each UBI file's header tags the image the tool and the README name.
func TestUBIDockerfileHeaderTags(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for file, tag := range ubiTags {
		cmd := headerBuildCommand(t, file)
		assert.Equal(t, []string{"podman", "build", "-f", "beta-image/" + file, "-t", tag, "beta-image"}, cmd, file)
		assert.True(t, strings.Contains(string(readme), strings.Join(cmd, " ")), "beta-image/README.md shows %s's build command: %s", file, strings.Join(cmd, " "))
	}
	assert.Equal(t, engine.DefaultBaseImage, ubiTags[engine.DefaultContainerfile], "the default Containerfile builds the default base image")
}

// ubiTags are the tags the UBI images are built with: the Java 11 one is the tool's default base.
var ubiTags = map[string]string{
	"Dockerfile.ubi.openjdk11": engine.DefaultBaseImage,
	"Dockerfile.ubi.openjdk17": "open-liberty:beta-checkpoint-ubi-java17",
}

// headerBuildCommand returns the words of the `podman build` line in a Dockerfile's header.
func headerBuildCommand(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^#\s+(podman build .*)$`).FindStringSubmatch(string(b))
	require.NotNil(t, m, "%s: no podman build line in the header", file)
	return strings.Fields(m[1])
}

// checkpoint-1.0 is not a feature of GA Open Liberty: nothing may name it any more.
func TestNoCheckpointFeature(t *testing.T) {
	var files []string
	for _, glob := range []string{"Dockerfile.*", "helpers/*", "helpers/snippets/*", "local/*", "standin/*", "*.md", "../sample/src/main/liberty/config/*"} {
		m, err := filepath.Glob(glob)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.Greater(t, len(files), 20)
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.False(t, strings.Contains(strings.ToLower(string(b)), "checkpoint-1.0"), "%s names checkpoint-1.0", f)
	}
}
