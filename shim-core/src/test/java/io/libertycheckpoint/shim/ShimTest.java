package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A goal from settings to outcome, with a script in place of the tool. */
class ShimTest {
  @TempDir
  Path dir;

  final List<String> logged = new ArrayList<>();
  final Map<String, Object> script = new HashMap<>();

  final Log log = new Log() {
    @Override
    public void log(Level level, String line) {
      logged.add(level + " " + line);
    }

    @Override
    public boolean isDebug() {
      return false;
    }
  };

  /** Runs a goal with a tool that prints the given golden stream (and exits with code). */
  private Event run(String command, BuildTool tool, String body) throws Exception {
    if (!body.isEmpty()) {
      script.put("executable", ToolRunnerTest.script(dir, "echo \"$@\" > " + dir.resolve("args") + "\n" + body));
    }
    Settings t = Settings.bundled();
    Invocation inv = Invocation.of(t, t.goal(command), script::get, k -> null, k -> null, new Project(dir.toFile(), "sample", "1.0", null), tool);
    return new Shim(t, tool, log, c -> {
      throw new java.io.IOException("no repository in this test");
    }).run(inv, dir.toFile(), () -> false);
  }

  private static String golden(int stream, int exit) throws Exception {
    return "cat <<'EOF'\n" + Golden.streams().get(stream).stream().map(Event::raw).collect(Collectors.joining("\n")) + "\nEOF\nexit " + exit;
  }

  @Test
  void aResultIsLoggedAndReturned() throws Exception {
    Event r = run("checkpoint-image", BuildTool.MAVEN, "echo 'not an event'; echo '2024-01-01 [DEBUG] plugin: detail' >&2\n" + golden(0, 0));
    assertThat(r.str("image")).isEqualTo("localhost/sample:1.0-instanton");
    assertThat(new String(Files.readAllBytes(dir.resolve("args"))).trim())
        .isEqualTo("checkpoint-image --output json --image=localhost/sample:1.0-instanton --output-dir=" + dir.resolve("target/liberty-checkpoint"));
    assertThat(logged).contains("LIFECYCLE [3/3] commit done in 799ms", "WARN       warning: phase \"applications\" is the old name of afterAppStart; using afterAppStart",
        "WARN not an event", "DEBUG 2024-01-01 [DEBUG] plugin: detail");
  }

  @Test
  void failuresByKind() throws Exception {
    assertThatThrownBy(() -> run("checkpoint-image", BuildTool.GRADLE, golden(3, 2)))
        .hasMessageStartingWith("checkpointImage failed: /src/target/sample.war does not exist (NotFound)\n"
            + "  setting: libertyCheckpoint { appArchive = '...' } or -Pliberty.checkpoint.appArchive=...\n")
        .satisfies(f -> assertThat(((ShimFailure) f).kind()).isEqualTo(ShimFailure.Kind.BAD_INPUT));
    // The message and fix as the CLI spelled them for this build tool (it is told by LCP_FRONT_END),
    // the setting at fault in the build's own spelling, the log's last lines.
    assertThatThrownBy(() -> run("checkpoint-image", BuildTool.MAVEN, "test \"$LCP_FRONT_END\" = maven || exit 9\n" + golden(4, 1)))
        .hasMessage(String.join("\n", "liberty:checkpoint-image failed: criu dump failed (exit 1) (FailedPrecondition)",
            "  fix: run liberty-checkpoint doctor --image localhost/sample:1.0", "  last log lines:",
            "    Error (criu/vdso.c:123): Unexpected rt vDSO area bounds"))
        .satisfies(f -> assertThat(((ShimFailure) f).kind()).isEqualTo(ShimFailure.Kind.FAILED));
    assertThatThrownBy(() -> run("doctor", BuildTool.MAVEN, "echo '{\"error\":{\"code\":\"InvalidArgument\",\"message\":\"bad\",\"field\":\"operation_id\"}}'; exit 2"))
        .hasMessage("liberty:checkpoint-doctor failed: bad (InvalidArgument)\n  field: operation_id");
    assertThatThrownBy(() -> run("doctor", BuildTool.MAVEN, golden(2, 1))).hasMessage(String.join("\n",
        "liberty:checkpoint-doctor: 1 doctor check(s) failed",
        "  podman.runtime: crun 1.8.1 on hybrid cgroups",
        "    fix: set runtime = \"runc\" in /etc/containers/containers.conf"));
    assertThatThrownBy(() -> run("restore", BuildTool.GRADLE, "echo '{\"result\":{\"operation\":\"restore\",\"image\":\"i\","
        + "\"restore\":{\"verdict\":\"VERDICT_COLD_START\",\"readyMs\":\"900\"}}}'"))
        .hasMessageStartingWith("checkpointRestore: i fell back to a cold start (ready in 900ms): the checkpoint was not used\n"
            + "  fix: run gradle checkpointDoctor -Pliberty.checkpoint.image=i");
    assertThatThrownBy(() -> run("restore", BuildTool.MAVEN, "echo 'panic: boom' >&2; exit 2"))
        .hasMessage("liberty:checkpoint-restore: liberty-checkpoint exited with code 2 without reporting a result or an error"
            + "\n  last log lines:\n    panic: boom\n  fix: run the build again with -X to see everything the tool printed");
    assertThatThrownBy(() -> run("doctor", BuildTool.MAVEN, "echo '{\"accepted\":{\"schema\":3}}'; exec sleep 30"))
        .hasMessageContaining("speaks event schema 3, and this plugin reads schema 2");
  }

  /** The result file (Gradle's task output) holds the last successful run's result event, and only that. */
  @Test
  void theResultFileHoldsTheLastSuccess() throws Exception {
    Settings t = Settings.bundled();
    Path resultFile = dir.resolve("out/checkpointImage.json");
    script.put("executable", ToolRunnerTest.script(dir, golden(0, 0)));
    Invocation inv = Invocation.of(t, t.goal("checkpoint-image"), script::get, k -> null, k -> null, new Project(dir.toFile(), "sample", "1.0", null),
        BuildTool.GRADLE);
    PlatformBinaries.Resolver none = c -> {
      throw new java.io.IOException("no repository in this test");
    };
    Event r = new Shim(t, BuildTool.GRADLE, log, none).run(inv, dir.toFile(), () -> false, resultFile.toFile());
    assertThat(new String(Files.readAllBytes(resultFile), "UTF-8")).isEqualTo(r.raw() + "\n");
    script.put("executable", ToolRunnerTest.script(dir, golden(3, 2)));
    Invocation failing = Invocation.of(t, t.goal("checkpoint-image"), script::get, k -> null, k -> null,
        new Project(dir.toFile(), "sample", "1.0", null), BuildTool.GRADLE);
    assertThatThrownBy(() -> new Shim(t, BuildTool.GRADLE, log, none).run(failing, dir.toFile(), () -> false, resultFile.toFile()))
        .isInstanceOf(ShimFailure.class);
    assertThat(resultFile).doesNotExist();
  }

  /** A build tool spells each kind with its own exception; the message and the cause carry over. */
  @Test
  void spellings() {
    Function<ShimFailure.Kind, BiFunction<String, Throwable, ? extends RuntimeException>> s =
        k -> k == ShimFailure.Kind.BAD_INPUT ? IllegalArgumentException::new : IllegalStateException::new;
    ShimFailure bad = new ShimFailure(ShimFailure.Kind.BAD_INPUT, "image: not a reference", null);
    assertThat(bad.as(s)).isInstanceOf(IllegalArgumentException.class).hasMessage("image: not a reference").hasCause(bad);
    for (ShimFailure.Kind k : new ShimFailure.Kind[] {ShimFailure.Kind.FAILED, ShimFailure.Kind.CANCELLED, ShimFailure.Kind.CANNOT_RUN}) {
      assertThat(new ShimFailure(k, "m", null).as(s)).isExactlyInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void theExecutableMustExistAndSkipRunsNothing() throws Exception {
    script.put("executable", "/nonexistent/lc");
    assertThatThrownBy(() -> run("doctor", BuildTool.GRADLE, "")).hasMessageStartingWith(
        "checkpointDoctor: libertyCheckpoint { executable = '...' } or -Pliberty.checkpoint.executable=...: /nonexistent/lc does not exist")
        .satisfies(f -> assertThat(((ShimFailure) f).kind()).isEqualTo(ShimFailure.Kind.CANNOT_RUN));
    script.put("executable", "no-such-liberty-checkpoint");
    assertThatThrownBy(() -> run("doctor", BuildTool.GRADLE, "")).hasMessageContaining("no-such-liberty-checkpoint is not on PATH");
    script.put("skip", true);
    assertThat(run("doctor", BuildTool.MAVEN, "")).isNull();
    assertThat(logged).containsExactly("LIFECYCLE Skipping liberty:checkpoint-doctor (<skip> or -Dliberty.checkpoint.skip is true)");
  }
}
