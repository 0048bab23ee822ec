package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/** Errors are the tool's own message and fix, with settings and commands spelled the Maven way. */
class SuggestionsTest {
  private final Suggestions suggest = new Suggestions();

  private static Event goldenError(String code) throws Exception {
    for (String line : Golden.eventLines()) {
      Event e = Event.parse(line).orElse(null);
      if (e != null && "error".equals(e.type()) && code.equals(e.str("code"))) {
        return e;
      }
    }
    throw new AssertionError("no golden error " + code);
  }

  @Test
  void fieldErrorNamesTheParameterAndTheProperty() throws Exception {
    MojoFailureException e = suggest.failure("liberty:checkpoint-image", goldenError("NotFound"));
    assertThat(e.getMessage()).isEqualTo(String.join("\n",
        "liberty:checkpoint-image failed: /src/target/sample.war does not exist (NotFound)",
        "  setting: <appArchive> or -Dliberty.checkpoint.appArchive",
        "  fix: build the application first (mvn package / gradle war) or correct the path"));
  }

  @Test
  void operationErrorRewritesTheCliCommandAsAGoalAndKeepsTheLogTail() throws Exception {
    MojoFailureException e = suggest.failure("liberty:checkpoint-image", goldenError("FailedPrecondition"));
    assertThat(e.getMessage()).isEqualTo(String.join("\n",
        "liberty:checkpoint-image failed: criu dump failed (exit 1) (FailedPrecondition)",
        "  fix: run mvn liberty:checkpoint-doctor -Dliberty.checkpoint.image=localhost/sample:1.0",
        "  last log lines:",
        "    Error (criu/vdso.c:123): Unexpected rt vDSO area bounds"));
  }

  @Test
  void flagsAndApiFieldsOfTheFailingSettingBecomeItsParameter() {
    Event e = Event.parse("{\"type\":\"error\",\"code\":\"InvalidArgument\",\"message\":\"config_dir: /x is not a directory\","
        + "\"field\":\"config_dir\",\"setting\":\"configDirectory\",\"flag\":\"--config-directory\","
        + "\"fix\":\"set config_dir to your Liberty configuration directory, or drop --config-directory\",\"exitCode\":2}").orElseThrow();
    assertThat(suggest.failure("liberty:checkpoint-image", e).getMessage()).isEqualTo(String.join("\n",
        "liberty:checkpoint-image failed: <configDirectory>: /x is not a directory (InvalidArgument)",
        "  setting: <configDirectory> or -Dliberty.checkpoint.configDirectory",
        "  fix: set <configDirectory> to your Liberty configuration directory, or drop <configDirectory>"));
  }

  @Test
  void fieldWithoutSettingIsNamedAsIs() {
    Event e = Event.parse("{\"type\":\"error\",\"code\":\"InvalidArgument\",\"message\":\"bad\",\"field\":\"operation_id\",\"exitCode\":2}").orElseThrow();
    assertThat(suggest.failure("liberty:checkpoint-doctor", e).getMessage())
        .isEqualTo("liberty:checkpoint-doctor failed: bad (InvalidArgument)\n  field: operation_id");
  }

  @Test
  void flagParsingErrorsNameTheSettingTheirFlagBelongsTo() {
    Event e = Event.parse("{\"type\":\"error\",\"code\":\"InvalidArgument\","
        + "\"message\":\"invalid argument \\\"x\\\" for \\\"-p, --publish\\\" flag: \\\"x\\\": \\\"x\\\" is not a port number (1-65535)\","
        + "\"fix\":\"see --help for the flags\",\"exitCode\":2}").orElseThrow();
    assertThat(suggest.failure("liberty:checkpoint-restore", e).getMessage()).isEqualTo(String.join("\n",
        "liberty:checkpoint-restore failed: invalid argument \"x\" for \"-p, <ports>\" flag: \"x\": \"x\" is not a port number (1-65535) (InvalidArgument)",
        "  setting: <ports> or -Dliberty.checkpoint.ports",
        "  fix: see the goal's parameters: mvn liberty:help -Ddetail=true -Dgoal=checkpoint-restore"));
    assertThat(suggest.settingNamedIn("--image and --publish")).isNull();
    assertThat(suggest.settingNamedIn("no flags")).isNull();
  }

  @Test
  void mavenize() {
    assertThat(suggest.mavenize("rebuild (make build); run with --log-level debug to see the plugin's output", null))
        .isEqualTo("rebuild (make build); run Maven with -X to see the plugin's output");
    assertThat(suggest.mavenize("try liberty-checkpoint restore --image a/b:1 --publish 9080 --keep-running, then look", null))
        .isEqualTo("try mvn liberty:checkpoint-restore -Dliberty.checkpoint.image=a/b:1 -Dliberty.checkpoint.ports=9080 -Dliberty.checkpoint.keepRunning=true, then look");
    assertThat(suggest.mavenize("next: liberty-checkpoint commit --container c1 --image x", null))
        .as("commands without a goal stay as they are")
        .isEqualTo("next: liberty-checkpoint commit --container c1 --image x");
    assertThat(suggest.mavenize("liberty-checkpoint doctor", null)).isEqualTo("mvn liberty:checkpoint-doctor");
  }

  @Test
  void toolThatDiedWithoutAnEventIsAnExecutionError() {
    MojoExecutionException e = suggest.died("liberty:checkpoint-image",
        new CliRunner.Outcome(2, null, null, List.of("panic: boom"), List.of()));
    assertThat(e.getMessage()).startsWith("liberty:checkpoint-image: liberty-checkpoint exited with code 2 without reporting a result or an error")
        .contains("\n    panic: boom").contains("-X");
  }
}
