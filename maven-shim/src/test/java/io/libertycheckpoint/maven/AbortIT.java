package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stopping Maven while the goal runs must not leave the CLI or its plugin behind, and must let the
 * tool clean up first. Real Maven on the staged plugin (target/local-repo, as invoker runs it), the bundled
 * CLI and the fake engine's plugin (a 20 s step, so the stop lands mid-step; the plugin writes a
 * marker once its clean-up has run).
 */
class AbortIT {
  private static final Duration STEP = Duration.ofSeconds(20);

  /** A fresh copy of the abort project. */
  private static Path project(String name) throws IOException {
    return ItWork.project("abort", name + "-" + System.nanoTime());
  }

  private static Path prop(String name) {
    return ItWork.prop(name);
  }

  private static Path settings() throws IOException {
    return ItWork.settings();
  }

  private record Run(Process maven, Path dir, ItWork.Output output) {}

  private static Run start(String name, boolean ownProcessGroup) throws Exception {
    Path dir = project(name);
    List<String> cmd = new ArrayList<>();
    if (ownProcessGroup) {
      // A shell's foreground job: its own process group, SIGINT not ignored (a test run started in
      // the background inherits an ignored SIGINT, and the JVM then leaves Ctrl-C alone).
      cmd.addAll(List.of("env", "--default-signal=INT", "setsid"));
    }
    cmd.addAll(List.of("mvn", "-B", "-ntp", "-s", settings().toString(), "-Dmaven.repo.local=" + prop("lcp.it.localRepo"),
        "io.libertycheckpoint:liberty-checkpoint-maven-plugin:" + System.getProperty("lcp.it.pluginVersion") + ":checkpoint-image",
        "-Dliberty.checkpoint.appArchive=app.war"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("XDG_CACHE_HOME", prop("lcp.it.work").resolveSibling("it-cache").toString());
    pb.environment().put("LCP_FAKE_STEP_DELAY", STEP.toSeconds() + "s");
    pb.environment().put("LCP_FAKE_CANCEL_MARKER", dir.resolve("cancelled").toString());
    Process p = pb.start();
    ItWork.Output out = ItWork.follow(p, "[1/3] containerize...");
    out.seen().get(120, TimeUnit.SECONDS);
    return new Run(p, dir, out);
  }

  private static List<ProcessHandle> toolProcesses(Process maven) {
    List<ProcessHandle> tools = maven.descendants()
        .filter(h -> h.info().command().map(c -> c.endsWith("/liberty-checkpoint") || c.endsWith("/liberty-checkpoint-plugin")).orElse(false))
        .toList();
    assertThat(tools).as("the CLI and its plugin run under Maven").hasSize(2);
    return tools;
  }

  private static void assertCleanedUpAndGone(Run run, List<ProcessHandle> tools, long stoppedAt) throws Exception {
    try {
      assertGone(run, tools, stoppedAt);
    } finally {
      run.maven().destroyForcibly();
      tools.forEach(ProcessHandle::destroyForcibly); // leave nothing behind when the test fails
    }
  }

  private static void assertGone(Run run, List<ProcessHandle> tools, long stoppedAt) throws Exception {
    assertThat(run.maven().waitFor(90, TimeUnit.SECONDS)).as("Maven exits").isTrue();
    run.output().ended().exceptionally(e -> null).get(10, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - stoppedAt);
    assertThat(took).as("the step was cancelled, not waited out").isLessThan(STEP);
    for (ProcessHandle h : tools) {
      assertThat(h.isAlive()).as("%s is gone", h.info().command().orElse("?")).isFalse();
    }
    assertThat(run.dir().resolve("cancelled")).as("the engine's clean-up ran before the tool exited: %s", run.output().text())
        .hasContent("checkpoint-image");
  }

  @Test
  void buildAbortSignalsOnlyMavenAndTheHookStopsTheTool() throws Exception {
    Run run = start("abort-term", false);
    List<ProcessHandle> tools = toolProcesses(run.maven());
    long t0 = System.nanoTime();
    run.maven().destroy(); // SIGTERM to Maven alone, as a CI runner or `kill` does
    assertCleanedUpAndGone(run, tools, t0);
  }

  @Test
  void ctrlCSignalsTheWholeForegroundGroupAndTheToolStillCleansUp() throws Exception {
    Run run = start("abort-int", true);
    List<ProcessHandle> tools = toolProcesses(run.maven());
    long t0 = System.nanoTime();
    // What a terminal does on Ctrl-C: SIGINT to every process in the foreground process group.
    Process kill = new ProcessBuilder("kill", "-INT", "--", "-" + run.maven().pid()).inheritIO().start();
    assertThat(kill.waitFor()).isZero();
    assertCleanedUpAndGone(run, tools, t0);
  }
}
