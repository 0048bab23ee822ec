package io.libertycheckpoint.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running the CLI: events in, outcome out, and no child left behind. */
class CliRunnerTest {
  @TempDir
  Path dir;

  private Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/bash\n" + body + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void streamsEventsAndKeepsTheResult() throws Exception {
    Path exe = script("cli", String.join("\n",
        "echo \"$@\" > \"$(dirname \"$0\")/args\"",
        "echo '{\"type\":\"start\",\"schema\":1,\"operation\":\"doctor\"}'",
        "echo 'a tool warning' >&2",
        "echo '{\"type\":\"log\",\"elapsedMs\":1,\"source\":\"tool\",\"level\":\"debug\",\"line\":\"detail\"}'",
        "echo '{\"type\":\"check\",\"elapsedMs\":2,\"id\":\"k\",\"status\":\"fail\",\"found\":\"old\",\"fix\":\"upgrade\"}'",
        "echo 'plain text on stdout'",
        "echo '{\"type\":\"result\",\"operation\":\"doctor\",\"doctor\":{\"ok\":0,\"warn\":0,\"fail\":1,\"skip\":0},\"durationMs\":3}'",
        "exit 1"));
    RecordingLog log = new RecordingLog(false);
    CliRunner.Outcome o = new CliRunner(log).run(exe, new CliCommand("doctor").set("image", "x"), dir.toFile());
    assertThat(o.exitCode).isEqualTo(1);
    assertThat(o.result.obj("doctor").num("fail")).isEqualTo(1);
    assertThat(o.error).isNull();
    assertThat(o.failedChecks).extracting(e -> e.str("id")).containsExactly("k");
    assertThat(o.stderrTail).containsExactly("a tool warning");
    assertThat(log.lines).contains("[WARNING] a tool warning", "[INFO] plain text on stdout",
        "[ERROR] fail  k                        old");
    assertThat(log.at("DEBUG")).isEmpty();
    assertThat(Files.readString(dir.resolve("args")).trim()).isEqualTo("doctor --output json --image x");
  }

  @Test
  void keepsTheErrorEvent() throws Exception {
    Path exe = script("cli", String.join("\n",
        "echo '{\"type\":\"start\",\"schema\":1,\"operation\":\"restore\"}'",
        "echo '{\"type\":\"error\",\"code\":\"InvalidArgument\",\"message\":\"bad\",\"exitCode\":2}'",
        "exit 2"));
    CliRunner.Outcome o = new CliRunner(new RecordingLog(true)).run(exe, new CliCommand("restore"), dir.toFile());
    assertThat(o.exitCode).isEqualTo(2);
    assertThat(o.error.str("message")).isEqualTo("bad");
    assertThat(o.result).isNull();
  }

  @Test
  void runsTheChildInItsOwnSessionSoATerminalCtrlCReachesItOnlyThroughTheHook() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(CliRunner.setsid() != null || System.getenv("CI") != null,
        "setsid (util-linux) is not installed");
    Path exe = script("cli", String.join("\n",
        "sid=$(cut -d' ' -f6 /proc/$$/stat)",
        "echo \"{\\\"type\\\":\\\"result\\\",\\\"operation\\\":\\\"doctor\\\",\\\"image\\\":\\\"$sid\\\"}\""));
    CliRunner.Outcome o = new CliRunner(new RecordingLog(false)).run(exe, new CliCommand("doctor"), dir.toFile());
    String mySession = Files.readString(Path.of("/proc/self/stat")).split(" ")[5];
    assertThat(o.result.str("image")).isNotEmpty().isNotEqualTo(mySession);
  }

  @Test
  void stopSendsOneTermAndWaitsForTheCleanUpWhichMayStillWriteItsEvents() throws Exception {
    Path marker = dir.resolve("cleaned");
    Path exe = script("cli", String.join("\n",
        // a closed stdout would kill the writer with SIGPIPE before its clean-up
        "trap 'sleep 0.2; echo cancelling; sleep 0.3; echo cleaned > " + marker + "; exit 130' TERM",
        "echo started",
        "while true; do sleep 0.05; done"));
    Process p = new ProcessBuilder(exe.toString()).start();
    p.getInputStream().read();
    new CliRunner(new RecordingLog(false), Duration.ofSeconds(10)).stop(p);
    assertThat(p.isAlive()).isFalse();
    assertThat(p.exitValue()).isEqualTo(130);
    assertThat(marker).hasContent("cleaned");
  }

  @Test
  void stopKillsAChildThatIgnoresTermAfterTheGrace() throws Exception {
    Path exe = script("cli", String.join("\n",
        "trap '' TERM",
        "sleep 60 &",
        "echo started",
        "wait"));
    Process p = new ProcessBuilder(exe.toString()).start();
    p.getInputStream().read();
    List<ProcessHandle> children = p.descendants().toList();
    assertThat(children).isNotEmpty();
    long t0 = System.nanoTime();
    new CliRunner(new RecordingLog(false), Duration.ofMillis(300)).stop(p);
    assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    for (ProcessHandle c : children) {
      c.onExit().get(5, TimeUnit.SECONDS);
      assertThat(c.isAlive()).isFalse();
    }
  }
}
