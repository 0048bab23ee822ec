package io.libertycheckpoint.maven;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.maven.plugin.logging.Log;

/**
 * Runs the CLI once and streams its JSON events to the Maven log. The child never outlives the
 * build: when Maven is stopped (Ctrl-C, a CI abort, a kill) a shutdown hook sends it one SIGTERM
 * and waits for the tool to remove what it created, then kills it if it does not exit. On Linux
 * the child runs in its own session (setsid), so a Ctrl-C on the terminal reaches it only through
 * that hook: the tool treats a second signal as "quit now, skip the clean-up".
 */
public final class CliRunner {
  /** How long a stopped child gets to clean up before it is killed. */
  public static final Duration CLEANUP_GRACE = Duration.ofSeconds(60);

  private static final int TAIL = 20;

  /** What one run produced: the exit code and the last result or error event. */
  public static final class Outcome {
    public final int exitCode;
    public final Event result;
    public final Event error;
    public final List<String> stderrTail;
    /** Doctor checks with status fail. */
    public final List<Event> failedChecks;

    Outcome(int exitCode, Event result, Event error, List<String> stderrTail, List<Event> failedChecks) {
      this.exitCode = exitCode;
      this.result = result;
      this.error = error;
      this.stderrTail = stderrTail;
      this.failedChecks = failedChecks;
    }
  }

  private final Log log;
  private final Duration grace;

  public CliRunner(Log log) {
    this(log, CLEANUP_GRACE);
  }

  CliRunner(Log log, Duration grace) {
    this.log = log;
    this.grace = grace;
  }

  /** Runs executable with the command's arguments in workDir and waits for it. */
  public Outcome run(Path executable, CliCommand command, File workDir) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    String setsid = setsid();
    if (setsid != null) {
      argv.add(setsid);
    }
    argv.add(executable.toString());
    argv.addAll(command.arguments());
    log.debug("running " + String.join(" ", argv));
    Process p = new ProcessBuilder(argv).directory(workDir).start();
    Thread hook = new Thread(() -> stop(p), "liberty-checkpoint-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      p.getOutputStream().close();
      Deque<String> stderrTail = new ArrayDeque<>();
      Thread errors = pump(p.getErrorStream(), line -> {
        synchronized (stderrTail) {
          if (stderrTail.size() == TAIL) {
            stderrTail.removeFirst();
          }
          stderrTail.addLast(line);
        }
        if (log.isDebugEnabled()) {
          log.debug(line);
        } else {
          log.warn(line);
        }
      });
      EventLog events = new EventLog(log);
      Event result = null;
      Event error = null;
      List<Event> failedChecks = new ArrayList<>();
      try (BufferedReader out = reader(p.getInputStream())) {
        for (String line; (line = out.readLine()) != null; ) {
          Event e = Event.parse(line).orElse(null);
          if (e == null) {
            log.info(line);
            continue;
          }
          if ("result".equals(e.type())) {
            result = e;
          } else if ("error".equals(e.type())) {
            error = e;
          } else if ("check".equals(e.type()) && "fail".equals(e.str("status"))) {
            failedChecks.add(e);
          }
          events.accept(e);
        }
      } catch (IOException e) {
        log.debug("reading liberty-checkpoint's output: " + e);
      }
      int code = p.waitFor();
      errors.join(TimeUnit.SECONDS.toMillis(5));
      synchronized (stderrTail) {
        return new Outcome(code, result, error, new ArrayList<>(stderrTail), failedChecks);
      }
    } finally {
      if (p.isAlive()) {
        stop(p);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or has run
      }
    }
  }

  /**
   * SIGTERM, time to clean up, then SIGKILL for it and whatever it started. Signals go through the
   * ProcessHandle: Process.destroy() would also close our end of the child's stdout, and the tool,
   * writing its last events into a closed pipe, would die of SIGPIPE before its clean-up.
   */
  void stop(Process p) {
    if (!p.isAlive()) {
      return;
    }
    List<ProcessHandle> children = p.descendants().toList();
    p.toHandle().destroy();
    try {
      if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
    p.toHandle().destroyForcibly();
  }

  private static Thread pump(InputStream in, Consumer<String> lines) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = reader(in)) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.accept(line);
        }
      } catch (IOException ignored) {
        // the process is gone
      }
    }, "liberty-checkpoint-stderr");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static BufferedReader reader(InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /** util-linux setsid, on Linux, when installed. */
  static String setsid() {
    if (!System.getProperty("os.name", "").toLowerCase().startsWith("linux")) {
      return null;
    }
    for (String dir : new String[] {"/usr/bin", "/bin"}) {
      Path p = Paths.get(dir, "setsid");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
