package io.libertycheckpoint.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shell scripts in place of the tool: events, noise, crashes, cancellation, signals, sessions. */
class ToolRunnerTest {
  static final String ACCEPTED = "echo '{\"accepted\":{\"operation\":\"x\",\"schema\":2}}'\n";

  @TempDir
  Path tmp;

  final List<Event> events = new ArrayList<>();
  final List<String> text = new ArrayList<>();

  final ToolRunner.Listener listener = new ToolRunner.Listener() {
    @Override
    public void event(Event e) {
      events.add(e);
    }

    @Override
    public void text(String line) {
      text.add(line);
    }
  };

  static String script(Path dir, String body) throws Exception {
    Path p = Files.createTempFile(dir, "tool", ".sh");
    Files.write(p, ("#!/bin/sh\n" + body + "\n").getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    return p.toString();
  }

  private ToolRunner.Outcome run(String body, BooleanSupplier cancel, long grace, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(script(tmp, body));
    cmd.addAll(Arrays.asList(args));
    return new ToolRunner(cmd, tmp.toFile(), grace, java.util.Collections.emptyMap()).run(listener, cancel);
  }

  private File file(String name) {
    return tmp.resolve(name).toFile();
  }

  @Test
  void anotherSchemaStopsTheTool() throws Exception {
    long t0 = System.currentTimeMillis();
    ToolRunner.Outcome o = run("echo '{\"accepted\":{\"schema\":3}}'\nexec sleep 30", () -> false, 2000);
    assertThat(o.foreignSchema).isEqualTo(3);
    assertThat(run("echo '{\"type\":\"start\",\"schema\":1}'", () -> false, 1000).foreignSchema).isEqualTo(1);
    assertThat(System.currentTimeMillis() - t0).isLessThan(10_000);
  }

  /** Cancel: one SIGTERM, the tool cleans up and still writes its last events; nothing keeps running. */
  @Test
  void cancelLetsTheToolCleanUp() throws Exception {
    File marker = file("cleaned");
    File pid = file("pid");
    long start = System.currentTimeMillis();
    ToolRunner.Outcome o = run("echo $$ > " + pid + "\n"
        + "trap 'sleep 0.3; echo done > " + marker + "; echo \"{\\\"error\\\":{\\\"code\\\":\\\"Canceled\\\"}}\"; exit 130' TERM\n"
        + ACCEPTED + "while :; do sleep 0.1; done", () -> pid.exists() && !events.isEmpty(), 10_000);
    assertThat(o.cancelled).isTrue();
    assertThat(o.exitCode).isEqualTo(130);
    assertThat(marker).as("the tool's clean-up ran").exists();
    assertThat(o.error.str("code")).as("its stdout stayed open for the event it wrote after the signal").isEqualTo("Canceled");
    assertThat(alive(pid)).isFalse();
    assertThat(System.currentTimeMillis() - start).isLessThan(8_000);
  }

  /** One SIGTERM, however long the clean-up takes: a second one means "quit now". */
  @Test
  void exactlyOneSignal() throws Exception {
    File signals = file("signals");
    ToolRunner.Outcome o = run("trap 'echo TERM >> " + signals + "' TERM\n" + ACCEPTED
        + "while [ ! -s " + signals + " ]; do sleep 0.05; done\nsleep 1\nexit 130", () -> !events.isEmpty(), 10_000);
    assertThat(o.cancelled).isTrue();
    assertThat(Files.readAllLines(signals.toPath())).containsExactly("TERM");
  }

  /** A session of its own: a terminal's Ctrl-C does not reach the tool directly. */
  @Test
  void ownSession() throws Exception {
    File out = file("sid");
    run("cut -d' ' -f6 /proc/$$/stat > " + out, () -> false, 1000);
    String ours = new String(Files.readAllBytes(new File("/proc/self/stat").toPath()), StandardCharsets.UTF_8);
    String session = ours.substring(ours.lastIndexOf(')') + 2).split(" ")[3];
    assertThat(new String(Files.readAllBytes(out.toPath()), StandardCharsets.UTF_8).trim()).isNotEqualTo(session);
  }

  /** A tool that ignores SIGTERM is killed after the grace period, with its children. */
  @Test
  void stubbornToolIsKilledWithItsChildren() throws Exception {
    File pid = file("pid");
    File child = file("child");
    long start = System.currentTimeMillis();
    ToolRunner.Outcome o = run("trap '' TERM\nsleep 300 &\necho $! > " + child + "\necho $$ > " + pid + "\n" + ACCEPTED + "wait",
        () -> pid.exists() && !events.isEmpty(), 500);
    assertThat(o.cancelled).isTrue();
    assertThat(alive(pid)).isFalse();
    for (long deadline = System.currentTimeMillis() + 5_000; alive(child) && System.currentTimeMillis() < deadline; ) {
      Thread.sleep(20);
    }
    assertThat(alive(child)).as("its child is gone").isFalse();
    assertThat(System.currentTimeMillis() - start).isLessThan(10_000);
  }

  /** Interrupting the waiting thread (Gradle's worker cancellation) cancels too, and the interrupt is kept. */
  @Test
  void interruptCancels() throws Exception {
    File pid = file("pid");
    Thread runner = Thread.currentThread();
    Thread t = new Thread(() -> {
      try {
        while (!pid.exists()) {
          Thread.sleep(20);
        }
        Thread.sleep(100);
        runner.interrupt();
      } catch (InterruptedException e) {
        // the test is over
      }
    });
    t.start();
    ToolRunner.Outcome o = run("echo $$ > " + pid + "\ntrap 'exit 130' TERM\nwhile :; do sleep 0.1; done", () -> false, 5_000);
    assertThat(Thread.interrupted()).isTrue();
    assertThat(o.cancelled).isTrue();
    assertThat(alive(pid)).isFalse();
  }

  static boolean alive(File pidFile) throws Exception {
    String pid = new String(Files.readAllBytes(pidFile.toPath()), StandardCharsets.UTF_8).trim();
    Path stat = new File("/proc/" + pid + "/stat").toPath();
    if (!Files.exists(stat)) {
      return false;
    }
    String s = new String(Files.readAllBytes(stat), StandardCharsets.UTF_8);
    char state = s.charAt(s.lastIndexOf(')') + 2);
    return state != 'Z' && state != 'X'; // a zombie has a /proc entry too
  }
}
