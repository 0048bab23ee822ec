package io.libertycheckpoint.shim;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Runs one {@code liberty-checkpoint <command> --output json ...} and hands its events and other
 * lines to a listener on the calling thread (where the build tool's logging expects them).
 *
 * <p>The tool never outlives the run, and gets exactly one signal: it runs in a session of its own
 * (setsid), so a terminal's Ctrl-C reaches the build and not the tool; when the build is cancelled
 * (the cancellation says so, the calling thread is interrupted, or the JVM shuts down) the tool
 * gets one SIGTERM, cancels its operation and removes what it created, and is killed with its
 * children only after the grace period. A second signal would make it quit without its clean-up.
 */
final class ToolRunner {
  /** How long the tool gets to clean up after SIGTERM. */
  static final long GRACE_MILLIS = 60_000;
  private static final int TAIL_LINES = 20;

  /** Receives what the tool prints, on the thread that called {@link #run}. */
  interface Listener {
    void event(Event e);

    /** A line on stderr (the tool's and the plugin's logs), or a line on stdout that is no event. */
    void text(String line);
  }

  /** What a run ended with. */
  static final class Outcome {
    int exitCode;
    Event result;
    Event error;
    boolean cancelled;
    /** The schema of a stream this reader does not understand, else 0. */
    long foreignSchema;
    final LinkedList<String> tail = new LinkedList<>();
  }

  private final ProcessBuilder command;
  private final long graceMillis;
  private final AtomicBoolean terminated = new AtomicBoolean();

  /** environment: variables added to the tool's environment (secrets that must not be in its arguments). */
  ToolRunner(List<String> command, File workDir, long graceMillis, Map<String, String> environment) {
    List<String> cmd = new ArrayList<>();
    Stream.of("/usr/bin/setsid", "/bin/setsid").filter(f -> new File(f).canExecute()).limit(1)
        .forEach(cmd::add); // util-linux setsid execs the tool in place, in a new session
    cmd.addAll(command);
    this.command = new ProcessBuilder(cmd).directory(workDir);
    this.command.environment().putAll(environment);
    this.graceMillis = graceMillis;
  }

  Outcome run(Listener listener, BooleanSupplier cancelled) throws IOException {
    Process p = command.start();
    Thread hook = new Thread(() -> stop(p, Math.min(graceMillis, 15_000)), "liberty-checkpoint-shutdown");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      return drive(p, listener, cancelled);
    } finally {
      stop(p, graceMillis);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running, and stops the process
      }
    }
  }

  private Outcome drive(Process p, Listener listener, BooleanSupplier cancellation) throws IOException {
    p.getOutputStream().close();
    BlockingQueue<Object[]> lines = new LinkedBlockingQueue<>();
    pump(p.getInputStream(), lines, true);
    pump(p.getErrorStream(), lines, false);
    Outcome o = new Outcome();
    long killAt = Long.MAX_VALUE;
    long exitedAt = 0;
    boolean interrupted = false;
    for (int open = 2; open > 0 || p.isAlive(); ) {
      if (!p.isAlive()) {
        // Output still open after the tool exited: something it started holds the pipes.
        exitedAt = exitedAt == 0 ? System.currentTimeMillis() : exitedAt;
        if (System.currentTimeMillis() - exitedAt > 3_000 && lines.isEmpty()) {
          break;
        }
      }
      Object[] line = null;
      try {
        line = lines.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (!o.cancelled && (interrupted || Thread.currentThread().isInterrupted() || cancellation.getAsBoolean())) {
        o.cancelled = true;
        listener.text("cancelling liberty-checkpoint (it removes what it created)");
        terminate(p);
        killAt = System.currentTimeMillis() + graceMillis;
      }
      if (System.currentTimeMillis() > killAt) {
        kill(p);
      }
      if (line != null && line[1] == null) {
        open--;
      } else if (line != null) {
        line(p, (Boolean) line[0], (String) line[1], o, listener);
      }
    }
    boolean wasInterrupted = Thread.interrupted() || interrupted;
    try {
      o.exitCode = p.waitFor();
    } catch (InterruptedException e) {
      o.exitCode = -1;
    } finally {
      if (wasInterrupted) {
        Thread.currentThread().interrupt(); // kept for the caller
      }
    }
    return o;
  }

  private void line(Process p, boolean stdout, String text, Outcome o, Listener listener) {
    Event e = null;
    try {
      e = stdout && text.startsWith("{") ? Event.parse(text) : null;
    } catch (IllegalArgumentException notJson) {
      // shown as text
    }
    if (e == null) {
      o.tail.addLast(text);
      if (o.tail.size() > TAIL_LINES) {
        o.tail.removeFirst();
      }
      listener.text(text);
      return;
    }
    if (e.schema() != 0 && e.schema() != Event.SCHEMA || "schema1".equals(e.kind())) {
      o.foreignSchema = Math.max(e.schema(), 1);
      terminate(p);
    }
    o.result = "result".equals(e.kind()) ? e : o.result;
    o.error = "error".equals(e.kind()) ? e : o.error;
    listener.event(e);
  }

  /** Reads lines into the queue as {stdout, line}; {stdout, null} at the end. */
  private static void pump(InputStream in, BlockingQueue<Object[]> q, boolean stdout) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          q.add(new Object[] {stdout, line});
        }
      } catch (IOException ignored) {
        // the stream closes when the process dies
      } finally {
        q.add(new Object[] {stdout, null});
      }
    }, "liberty-checkpoint-output");
    t.setDaemon(true);
    t.start();
  }

  /** SIGTERM, once. */
  private void terminate(Process p) {
    if (terminated.compareAndSet(false, true)) {
      signal(p, null, false);
    }
  }

  /** SIGTERM (if not sent yet), up to graceMillis for the clean-up, then kill it and its children. */
  void stop(Process p, long graceMillis) {
    if (!p.isAlive()) {
      return;
    }
    terminate(p);
    try {
      if (!p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        kill(p);
      }
    } catch (InterruptedException e) {
      kill(p);
      Thread.currentThread().interrupt();
    }
  }

  /** SIGKILL to the process and its descendants (the plugin; Java 8 has no ProcessHandle: only the child there). */
  private static void kill(Process p) {
    if (p.isAlive()) {
      try {
        Object h = Process.class.getMethod("toHandle").invoke(p);
        for (Object d : ((Stream<?>) Class.forName("java.lang.ProcessHandle").getMethod("descendants").invoke(h)).toArray()) {
          signal(p, d, true);
        }
      } catch (ReflectiveOperationException | RuntimeException java8) {
        // only the direct child can be killed
      }
      signal(p, null, true);
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * SIGTERM or SIGKILL to handle (a ProcessHandle), else to p through its ProcessHandle, which, unlike
   * Process.destroy(), leaves our ends of its pipes open: the tool writes its last events after
   * SIGTERM, and a closed stdout would kill it with SIGPIPE before its clean-up. Java 8 has no
   * ProcessHandle: there Process's is all there is.
   */
  private static void signal(Process p, Object handle, boolean kill) {
    try {
      Object h = handle != null ? handle : Process.class.getMethod("toHandle").invoke(p);
      Class.forName("java.lang.ProcessHandle").getMethod(kill ? "destroyForcibly" : "destroy").invoke(h);
    } catch (ReflectiveOperationException | RuntimeException java8) {
      if (handle == null && kill) {
        p.destroyForcibly();
      } else if (handle == null) {
        p.destroy();
      }
    }
  }
}
