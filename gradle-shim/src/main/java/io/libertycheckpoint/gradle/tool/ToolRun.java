package io.libertycheckpoint.gradle.tool;

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
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs one {@code liberty-checkpoint <command> --output json ...} process and hands its events to a
 * listener on the calling thread (so a build tool's logging sees them from the task's thread).
 *
 * <p>Cancellation: when {@link Cancellation#isCancelled()} turns true, the calling thread is
 * interrupted, or the JVM shuts down, the tool gets SIGTERM, which makes it cancel the operation
 * and remove what it created; after {@code grace} it is killed together with its children. The
 * child never outlives the run.
 */
public final class ToolRun {
    /** Receives what the tool prints. Called on the thread that called {@link #run}. */
    public interface Listener {
        void event(Event e);

        /** A line on stderr (the tool's and the plugin's own logs), or a non-JSON line on stdout. */
        void text(String line);
    }

    /** Polled while the tool runs. */
    public interface Cancellation {
        boolean isCancelled();
    }

    /** What the run ended with: a result, a failure, or both (doctor with failing checks). */
    public static final class Outcome {
        public final int exitCode;
        public final Event result;
        public final ToolFailure failure;
        public final boolean cancelled;

        Outcome(int exitCode, Event result, ToolFailure failure, boolean cancelled) {
            this.exitCode = exitCode;
            this.result = result;
            this.failure = failure;
            this.cancelled = cancelled;
        }
    }

    private static final int TAIL_LINES = 20;
    private static final Object EOF = new Object();

    private final List<String> command;
    private final File workDir;
    private final long graceMillis;
    private final AtomicBoolean terminated = new AtomicBoolean();

    public ToolRun(List<String> command, File workDir, long graceMillis) {
        this.command = new ArrayList<>(command);
        this.workDir = workDir;
        this.graceMillis = graceMillis;
    }

    public List<String> command() {
        return command;
    }

    /** Why the executable cannot run, or null. Checked first: setsid would only fail later. */
    static String checkExecutable(String exe) {
        if (exe.contains("/")) {
            File f = new File(exe);
            if (!f.isFile()) {
                return "no such file";
            }
            return f.canExecute() ? null : "not executable";
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            File f = new File(dir.isEmpty() ? "." : dir, exe);
            if (f.isFile() && f.canExecute()) {
                return null;
            }
        }
        return "not found on PATH";
    }

    /**
     * The command in a session of its own (setsid, which execs it in place): a terminal's Ctrl-C
     * reaches the build, not the tool, so the tool gets exactly one signal, from {@link #stop}. A
     * second signal would make it quit at once, without its clean-up.
     */
    List<String> launchCommand() {
        for (String setsid : new String[] {"/usr/bin/setsid", "/bin/setsid"}) {
            if (new File(setsid).canExecute()) {
                List<String> l = new ArrayList<>();
                l.add(setsid);
                l.addAll(command);
                return l;
            }
        }
        return command;
    }

    /** Runs the tool to the end. Never throws for what the tool reports; see {@link Outcome}. */
    public Outcome run(Listener listener, Cancellation cancellation) {
        String missing = checkExecutable(command.get(0));
        if (missing != null) {
            return new Outcome(-1, null, ToolFailure.of("Unavailable", "cannot run " + command.get(0) + ": " + missing,
                    "executable", "check that the file exists and is executable (or leave executable unset to use the bundled tool)"), false);
        }
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(launchCommand()).directory(workDir);
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(-1, null, ToolFailure.of("Unavailable",
                    "cannot run " + command.get(0) + ": " + e.getMessage(), "executable",
                    "check that the file exists and is executable (or leave executable unset to use the bundled tool)"), false);
        }
        Thread hook = new Thread(() -> stop(p, Math.min(graceMillis, 15_000)), "liberty-checkpoint-shutdown");
        boolean hooked = addHook(hook);
        try {
            return drive(p, listener, cancellation);
        } finally {
            if (p.isAlive()) {
                stop(p, graceMillis);
            }
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or will run; it stops the process
                }
            }
        }
    }

    private Outcome drive(Process p, Listener listener, Cancellation cancellation) {
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // the tool reads no input
        }
        BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
        Deque<String> tail = new ArrayDeque<>();
        Thread out = pump(p.getInputStream(), lines, "stdout");
        Thread err = pump(p.getErrorStream(), lines, "stderr");
        int open = 2;
        boolean cancelled = false;
        long killAt = Long.MAX_VALUE;
        Event result = null;
        ToolFailure failure = null;
        boolean interrupted = false;
        long exitedAt = 0;
        while (open > 0 || p.isAlive()) {
            if (!p.isAlive()) {
                // Output still open after the tool exited: something it started holds the pipes.
                if (exitedAt == 0) {
                    exitedAt = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - exitedAt > 3_000 && lines.isEmpty()) {
                    break;
                }
            }
            Object item;
            try {
                item = lines.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
                item = null;
            }
            if (!cancelled && (interrupted || Thread.currentThread().isInterrupted() || cancellation.isCancelled())) {
                cancelled = true;
                listener.text("cancelling liberty-checkpoint (it removes what it created)");
                terminate(p); // SIGTERM: the tool cancels the operation and cleans up
                killAt = System.currentTimeMillis() + graceMillis;
            }
            if (cancelled && System.currentTimeMillis() > killAt && p.isAlive()) {
                killTree(p);
            }
            if (item == null) {
                if (open == 0) {
                    waitQuietly(p, 100);
                }
                continue;
            }
            if (item == EOF) {
                open--;
                continue;
            }
            Line l = (Line) item;
            if (l.stdout && l.text.startsWith("{")) {
                Event e;
                try {
                    e = Event.parse(l.text);
                } catch (IllegalArgumentException bad) {
                    remember(tail, l.text);
                    listener.text(l.text);
                    continue;
                }
                switch (e.type()) {
                    case "start":
                        if (e.num("schema") > Event.SCHEMA && failure == null) {
                            failure = ToolFailure.of("FailedPrecondition", command.get(0) + " speaks event schema "
                                    + e.num("schema") + ", this plugin understands schema " + Event.SCHEMA, "executable",
                                    "use the tool bundled with this plugin (leave executable unset) or a plugin version that matches the tool");
                            terminate(p);
                        }
                        break;
                    case "result":
                        result = e;
                        break;
                    case "error":
                        failure = ToolFailure.fromEvent(e, -1);
                        break;
                    default:
                        break;
                }
                listener.event(e);
            } else {
                remember(tail, l.text);
                listener.text(l.text);
            }
        }
        join(out);
        join(err);
        int exit = waitQuietly(p, 0);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (cancelled) {
            if (failure == null || !failure.isCancelled()) {
                failure = new ToolFailure("Canceled", "cancelled", null, null, null, null, new ArrayList<>(tail), exit);
            }
            return new Outcome(exit, result, failure, true);
        }
        if (failure != null) {
            return new Outcome(exit, result, failure, false);
        }
        if (exit == 0 && result != null) {
            return new Outcome(exit, result, null, false);
        }
        if (exit != 0 && result != null) {
            return new Outcome(exit, result, null, false); // doctor: failing checks; the caller decides
        }
        String why = exit == 0 ? "exited without a result" : "exited with code " + exit + " without reporting an error";
        return new Outcome(exit, null, new ToolFailure("Internal", command.get(0) + " " + why, null, null, null,
                "run it by hand with the same arguments to see what happened: " + String.join(" ", command),
                new ArrayList<>(tail), exit), false);
    }

    private static final class Line {
        final boolean stdout;
        final String text;

        Line(boolean stdout, String text) {
            this.stdout = stdout;
            this.text = text;
        }
    }

    private static Thread pump(InputStream in, BlockingQueue<Object> q, String name) {
        boolean stdout = name.equals("stdout");
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    q.add(new Line(stdout, line));
                }
            } catch (IOException ignored) {
                // the stream closes when the process dies
            } finally {
                q.add(EOF);
            }
        }, "liberty-checkpoint-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void remember(Deque<String> tail, String line) {
        tail.addLast(line);
        while (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
    }

    private static void join(Thread t) {
        try {
            t.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int waitQuietly(Process p, long millis) {
        try {
            if (millis <= 0) {
                boolean interrupted = Thread.interrupted();
                try {
                    return p.waitFor();
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            if (p.waitFor(millis, TimeUnit.MILLISECONDS)) {
                return p.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    private static boolean addHook(Thread hook) {
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    /** SIGTERM, once: the tool treats a second signal as "quit now, skip the clean-up". */
    private void terminate(Process p) {
        if (terminated.compareAndSet(false, true)) {
            signal(p, false);
        }
    }

    /**
     * Signals the process without closing our ends of its pipes, as Process.destroy() does: the
     * tool writes its last events after SIGTERM, and a closed stdout would kill it with SIGPIPE
     * before its clean-up. Java 8 has no ProcessHandle: there destroy() is all there is.
     */
    static void signal(Process p, boolean force) {
        try {
            Class<?> handle = Class.forName("java.lang.ProcessHandle");
            Object h = Process.class.getMethod("toHandle").invoke(p);
            handle.getMethod(force ? "destroyForcibly" : "destroy").invoke(h);
        } catch (ReflectiveOperationException | RuntimeException java8) {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }
    }

    /** SIGTERM (if not sent yet), wait up to graceMillis for the tool's clean-up, then kill it and its children. */
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
            Stream<?> descendants = (Stream<?>) handle.getMethod("descendants").invoke(h);
            Method destroyForcibly = handle.getMethod("destroyForcibly");
            for (Object d : descendants.collect(Collectors.toList())) {
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
