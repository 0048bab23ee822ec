package io.libertycheckpoint.shim;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
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
  private static final Object EOF = new Object();

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
    final List<String> tail = new ArrayList<>();
  }

  private final List<String> command;
  private final File workDir;
  private final long graceMillis;
  private final AtomicBoolean terminated = new AtomicBoolean();

  ToolRunner(List<String> command, File workDir, long graceMillis) {
    this.command = new ArrayList<>(command);
    this.workDir = workDir;
    this.graceMillis = graceMillis;
  }

  /** The command, in a session of its own (util-linux setsid execs it in place). */
  List<String> launchCommand() {
    List<String> l = new ArrayList<>();
    for (String setsid : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
      if (new File(setsid).canExecute()) {
        l.add(setsid);
        break;
      }
    }
    l.addAll(command);
    return l;
  }

  Outcome run(Listener listener, BooleanSupplier cancelled) throws IOException {
    Process p = new ProcessBuilder(launchCommand()).directory(workDir).start();
    Thread hook = new Thread(() -> stop(p, Math.min(graceMillis, 15_000)), "liberty-checkpoint-shutdown");
    boolean hooked = false;
    try {
      Runtime.getRuntime().addShutdownHook(hook);
      hooked = true;
    } catch (IllegalStateException shuttingDown) {
      // the JVM is going down already: run and stop below
    }
    try {
      return drive(p, listener, cancelled);
    } finally {
      stop(p, graceMillis);
      if (hooked) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it stops the process
        }
      }
    }
  }

  private Outcome drive(Process p, Listener listener, BooleanSupplier cancellation) {
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // the tool reads no input
    }
    BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    Thread out = pump(p.getInputStream(), lines, true);
    Thread err = pump(p.getErrorStream(), lines, false);
    Outcome o = new Outcome();
    Deque<String> tail = new ArrayDeque<>();
    int open = 2;
    long killAt = Long.MAX_VALUE;
    long exitedAt = 0;
    boolean interrupted = false;
    while (open > 0 || p.isAlive()) {
      if (!p.isAlive()) {
        // Output still open after the tool exited: something it started holds the pipes.
        exitedAt = exitedAt == 0 ? System.currentTimeMillis() : exitedAt;
        if (System.currentTimeMillis() - exitedAt > 3_000 && lines.isEmpty()) {
          break;
        }
      }
      Object item = null;
      try {
        item = lines.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
      if (!o.cancelled && (interrupted || Thread.currentThread().isInterrupted() || cancellation.getAsBoolean())) {
        o.cancelled = true;
        listener.text("cancelling liberty-checkpoint (it removes what it created)");
        terminate(p);
        killAt = System.currentTimeMillis() + graceMillis;
      }
      if (System.currentTimeMillis() > killAt && p.isAlive()) {
        killTree(p);
      }
      if (item == EOF) {
        open--;
      } else if (item != null) {
        line(p, (Line) item, o, tail, listener);
      }
    }
    join(out);
    join(err);
    o.exitCode = waitFor(p);
    o.tail.addAll(tail);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return o;
  }

  private void line(Process p, Line l, Outcome o, Deque<String> tail, Listener listener) {
    Event e = null;
    if (l.stdout && l.text.startsWith("{")) {
      try {
        e = Event.parse(l.text);
      } catch (IllegalArgumentException notJson) {
        // shown as text
      }
    }
    if (e == null) {
      tail.addLast(l.text);
      while (tail.size() > TAIL_LINES) {
        tail.removeFirst();
      }
      listener.text(l.text);
      return;
    }
    if (e.schema() != 0 && e.schema() != Event.SCHEMA || "schema1".equals(e.kind())) {
      o.foreignSchema = Math.max(e.schema(), 1);
      terminate(p);
    } else if ("result".equals(e.kind())) {
      o.result = e;
    } else if ("error".equals(e.kind())) {
      o.error = e;
    }
    listener.event(e);
  }

  private static final class Line {
    final boolean stdout;
    final String text;

    Line(boolean stdout, String text) {
      this.stdout = stdout;
      this.text = text;
    }
  }

  private static Thread pump(InputStream in, BlockingQueue<Object> q, boolean stdout) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          q.add(new Line(stdout, line));
        }
      } catch (IOException ignored) {
        // the stream closes when the process dies
      } finally {
        q.add(EOF);
      }
    }, stdout ? "liberty-checkpoint-stdout" : "liberty-checkpoint-stderr");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void join(Thread t) {
    try {
      t.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int waitFor(Process p) {
    boolean interrupted = Thread.interrupted();
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      return -1;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** SIGTERM, once. */
  private void terminate(Process p) {
    if (terminated.compareAndSet(false, true)) {
      signal(p, false);
    }
  }

  /**
   * Signals the process without closing our ends of its pipes, as Process.destroy() does: the tool
   * writes its last events after SIGTERM, and a closed stdout would kill it with SIGPIPE before its
   * clean-up. Java 8 has no ProcessHandle: there destroy() is all there is.
   */
  static void signal(Process p, boolean force) {
    try {
      Object h = Process.class.getMethod("toHandle").invoke(p);
      Class.forName("java.lang.ProcessHandle").getMethod(force ? "destroyForcibly" : "destroy").invoke(h);
    } catch (ReflectiveOperationException | RuntimeException java8) {
      if (force) {
        p.destroyForcibly();
      } else {
        p.destroy();
      }
    }
  }

  /** SIGTERM (if not sent yet), up to graceMillis for the clean-up, then kill it and its children. */
  void stop(Process p, long graceMillis) {
    if (!p.isAlive()) {
      return;
    }
    terminate(p);
    try {
      if (p.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    killTree(p);
  }

  /** Kills the process and its descendants (the plugin), on Java 9+; on Java 8 the process only. */
  static void killTree(Process p) {
    try {
      Class<?> handle = Class.forName("java.lang.ProcessHandle");
      Object h = Process.class.getMethod("toHandle").invoke(p);
      Method destroyForcibly = handle.getMethod("destroyForcibly");
      for (Object d : ((Stream<?>) handle.getMethod("descendants").invoke(h)).collect(Collectors.toList())) {
        destroyForcibly.invoke(d);
      }
    } catch (ReflectiveOperationException | RuntimeException java8) {
      // no ProcessHandle: only the direct child can be killed
    }
    signal(p, true);
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
