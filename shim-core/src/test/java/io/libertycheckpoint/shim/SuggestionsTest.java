package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Errors are the tool's own message and fix, with settings and commands spelled each build tool's way. */
class SuggestionsTest {
  private static ShimFailure failure(BuildTool tool, String command, Event error) {
    return new Suggestions(Settings.bundled(), tool, Settings.bundled().goal(command)).failure(error);
  }

  private static Event golden(int stream) throws Exception {
    return Golden.last(Golden.streams().get(stream));
  }

  @Test
  void fieldErrorNamesTheSettingTheBuildToolsWay() throws Exception {
    ShimFailure m = failure(BuildTool.MAVEN, "checkpoint-image", golden(3));
    assertThat(m.kind()).isEqualTo(ShimFailure.Kind.BAD_INPUT);
    assertThat(m).hasMessage(String.join("\n",
        "liberty:checkpoint-image failed: /src/target/sample.war does not exist (NotFound)",
        "  setting: <appArchive> or -Dliberty.checkpoint.appArchive",
        "  fix: build the application first (mvn package / gradle war) or correct the path"));
    assertThat(failure(BuildTool.GRADLE, "checkpoint-image", golden(3))).hasMessageContaining(
        "checkpointImage failed: /src/target/sample.war does not exist (NotFound)\n"
            + "  setting: libertyCheckpoint { appArchive = '...' } or -Pliberty.checkpoint.appArchive=...\n");
  }

  @Test
  void operationErrorRewritesTheCliCommandAsAGoalAndKeepsTheLogTail() throws Exception {
    assertThat(failure(BuildTool.MAVEN, "checkpoint-image", golden(4))).hasMessage(String.join("\n",
        "liberty:checkpoint-image failed: criu dump failed (exit 1) (FailedPrecondition)",
        "  fix: run mvn liberty:checkpoint-doctor -Dliberty.checkpoint.image=localhost/sample:1.0",
        "  last log lines:",
        "    Error (criu/vdso.c:123): Unexpected rt vDSO area bounds"));
    assertThat(failure(BuildTool.GRADLE, "checkpoint-image", golden(4)).kind()).isEqualTo(ShimFailure.Kind.FAILED);
    assertThat(failure(BuildTool.GRADLE, "checkpoint-image", golden(4)))
        .hasMessageContaining("  fix: run gradle checkpointDoctor -Pliberty.checkpoint.image=localhost/sample:1.0\n");
  }

  @Test
  void flagsAndApiFieldsOfTheFailingSettingBecomeItsName() {
    Event e = Event.parse("{\"error\":{\"code\":\"InvalidArgument\",\"message\":\"config_dir: /x is not a directory\","
        + "\"field\":\"config_dir\",\"setting\":\"configDirectory\",\"flag\":\"--config-directory\","
        + "\"fix\":\"set config_dir to your Liberty configuration directory, or drop --config-directory\",\"exitCode\":2}}");
    assertThat(failure(BuildTool.MAVEN, "checkpoint-image", e)).hasMessage(String.join("\n",
        "liberty:checkpoint-image failed: <configDirectory>: /x is not a directory (InvalidArgument)",
        "  setting: <configDirectory> or -Dliberty.checkpoint.configDirectory",
        "  fix: set <configDirectory> to your Liberty configuration directory, or drop <configDirectory>"));
    assertThat(failure(BuildTool.GRADLE, "checkpoint-image", e)).hasMessageContaining("fix: set configDirectory to your");
  }

  @Test
  void theKeysTheCliWritesBecomeTheBuildToolsSpelling() {
    Event e = Event.parse("{\"error\":{\"code\":\"NotFound\",\"message\":\"/x does not exist\","
        + "\"field\":\"config_dir\",\"setting\":\"configDirectory\",\"flag\":\"--config-directory\","
        + "\"fix\":\"set configDirectory to your Liberty configuration directory (src/main/liberty/config)\",\"exitCode\":2}}");
    assertThat(failure(BuildTool.MAVEN, "checkpoint-image", e))
        .hasMessageContaining("  fix: set <configDirectory> to your Liberty configuration directory (src/main/liberty/config)");
    assertThat(failure(BuildTool.GRADLE, "checkpoint-image", e)).hasMessageContaining("fix: set configDirectory to your");
  }

  @Test
  void aFlagTheGoalFillsFromAnotherSettingIsNamedByThatSetting() {
    Event e = Event.parse("{\"error\":{\"code\":\"InvalidArgument\",\"message\":\"--image: \\\"UPPER\\\" is not a valid reference\","
        + "\"field\":\"image\",\"setting\":\"image\",\"flag\":\"--image\",\"exitCode\":2}}");
    assertThat(failure(BuildTool.GRADLE, "build-base-image", e)).hasMessage(String.join("\n",
        "checkpointBaseImage failed: baseImage: \"UPPER\" is not a valid reference (InvalidArgument)",
        "  setting: libertyCheckpoint { baseImage = '...' } or -Pliberty.checkpoint.baseImage=..."));
  }

  @Test
  void fieldWithoutSettingAndFlagParsingErrors() {
    Event e = Event.parse("{\"error\":{\"code\":\"InvalidArgument\",\"message\":\"bad\",\"field\":\"operation_id\"}}");
    assertThat(failure(BuildTool.MAVEN, "doctor", e)).hasMessage("liberty:checkpoint-doctor failed: bad (InvalidArgument)\n  field: operation_id");
    Event flag = Event.parse("{\"error\":{\"code\":\"InvalidArgument\","
        + "\"message\":\"invalid argument \\\"x\\\" for \\\"-p, --publish\\\" flag: \\\"x\\\" is not a port number (1-65535)\","
        + "\"fix\":\"see --help for the flags\",\"exitCode\":2}}");
    assertThat(failure(BuildTool.MAVEN, "restore", flag)).hasMessage(String.join("\n",
        "liberty:checkpoint-restore failed: invalid argument \"x\" for \"-p, <ports>\" flag: \"x\" is not a port number (1-65535) (InvalidArgument)",
        "  setting: <ports> or -Dliberty.checkpoint.ports",
        "  fix: see the goal's parameters: mvn liberty:help -Ddetail=true -Dgoal=checkpoint-restore"));
    Event two = Event.parse("{\"error\":{\"message\":\"--image and --publish\"}}");
    assertThat(new Suggestions(Settings.bundled(), BuildTool.MAVEN, Settings.bundled().goal("restore")).setting(two)).isNull();
  }

  @Test
  void rewrites() {
    Suggestions m = new Suggestions(Settings.bundled(), BuildTool.MAVEN, Settings.bundled().goal("restore"));
    assertThat(m.rewrite("rebuild (make build); run with --log-level debug to see the plugin's output", null))
        .isEqualTo("rebuild (make build); run Maven with -X to see the plugin's output");
    assertThat(m.rewrite("try liberty-checkpoint restore --image a/b:1 --publish 9080 --keep-running, then look", null)).isEqualTo(
        "try mvn liberty:checkpoint-restore -Dliberty.checkpoint.image=a/b:1 -Dliberty.checkpoint.ports=9080 -Dliberty.checkpoint.keepRunning=true, then look");
    assertThat(m.rewrite("next: liberty-checkpoint commit --container c1 --image x", null))
        .as("commands without a goal stay as they are").isEqualTo("next: liberty-checkpoint commit --container c1 --image x");
    assertThat(m.rewrite("liberty-checkpoint build-base-image --image x --context d", null))
        .isEqualTo("mvn liberty:checkpoint-base-image -Dliberty.checkpoint.baseImage=x -Dliberty.checkpoint.contextDirectory=d");
    Suggestions g = new Suggestions(Settings.bundled(), BuildTool.GRADLE, Settings.bundled().goal("restore"));
    assertThat(g.rewrite("liberty-checkpoint doctor; or run with --log-level debug", null))
        .isEqualTo("gradle checkpointDoctor; or run Gradle with --debug");
  }
}
