package settings

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// Errors are the tool's own message and fix, with settings and commands spelled each build tool's way.
func TestFrontEndRewrites(t *testing.T) {
	assert.Equal(t, "rebuild (make build); run Maven with -X to see the plugin's output",
		Maven.Rewrite("rebuild (make build); run with --log-level debug to see the plugin's output", "restore", nil))
	assert.Equal(t, "try mvn liberty:checkpoint-restore -Dliberty.checkpoint.image=a/b:1 -Dliberty.checkpoint.ports=9080 -Dliberty.checkpoint.keepRunning=true, then look",
		Maven.Rewrite("try liberty-checkpoint restore --image a/b:1 --publish 9080 --keep-running, then look", "restore", nil))
	assert.Equal(t, "next: liberty-checkpoint commit --container c1 --image x",
		Maven.Rewrite("next: liberty-checkpoint commit --container c1 --image x", "restore", nil), "commands without a goal stay as they are")
	assert.Equal(t, "mvn liberty:checkpoint-base-image -Dliberty.checkpoint.baseImage=x -Dliberty.checkpoint.contextDirectory=d",
		Maven.Rewrite("liberty-checkpoint build-base-image --image x --context d", "restore", nil), "a flag the goal fills from another setting")
	assert.Equal(t, "gradle checkpointDoctor; or run Gradle with --debug",
		Gradle.Rewrite("liberty-checkpoint doctor; or run with --log-level debug", "restore", nil))
	assert.Equal(t, "run gradle checkpointDoctor -Pliberty.checkpoint.image=localhost/sample:1.0",
		Gradle.Rewrite("run liberty-checkpoint doctor --image localhost/sample:1.0", "checkpoint-image", nil))
	assert.Equal(t, "see the goal's parameters: mvn liberty:help -Ddetail=true -Dgoal=checkpoint-restore",
		Maven.Rewrite("see --help for the flags", "restore", nil))
	assert.Equal(t, "run with --log-level debug", FrontEnd("").Rewrite("run with --log-level debug", "restore", nil), "the CLI's own spelling")
}

func TestFrontEndNamesTheFailingSetting(t *testing.T) {
	s, ok := Maven.Failing("checkpoint-image", "config_dir", "")
	assert.True(t, ok)
	assert.Equal(t, "<configDirectory>: /x is not a directory", Maven.Rewrite("config_dir: /x is not a directory", "checkpoint-image", &s))
	assert.Equal(t, "set <configDirectory> to your Liberty configuration directory, or drop <configDirectory>",
		Maven.Rewrite("set config_dir to your Liberty configuration directory, or drop --config-directory", "checkpoint-image", &s))
	assert.Equal(t, "set configDirectory to your Liberty configuration directory (src/main/liberty/config)",
		Gradle.Rewrite("set configDirectory to your Liberty configuration directory (src/main/liberty/config)", "checkpoint-image", &s))
	assert.Equal(t, "<configDirectory>/server.xml is missing; server.xml stays",
		Maven.Rewrite("configDirectory/server.xml is missing; server.xml stays", "checkpoint-image", &s))

	base, ok := Gradle.Failing("build-base-image", "image", `--image: "UPPER" is not a valid reference`)
	assert.True(t, ok)
	assert.Equal(t, "baseImage", base.Key, "build-base-image's --image is the baseImage setting")
	assert.Equal(t, `baseImage: "UPPER" is not a valid reference`, Gradle.Rewrite(`--image: "UPPER" is not a valid reference`, "build-base-image", &base))

	ports, ok := Maven.Failing("restore", "", `invalid argument "x" for "-p, --publish" flag: "x" is not a port number (1-65535)`)
	assert.True(t, ok, "a flag parsing error names its setting by its flag")
	assert.Equal(t, "ports", ports.Key)
	assert.Equal(t, `invalid argument "x" for "-p, <ports>" flag`, Maven.Rewrite(`invalid argument "x" for "-p, --publish" flag`, "restore", &ports))
	_, ok = Maven.Failing("restore", "", "--image and --publish")
	assert.False(t, ok, "two settings named: no telling which")
	_, ok = Maven.Failing("doctor", "operation_id", "bad")
	assert.False(t, ok)
}
