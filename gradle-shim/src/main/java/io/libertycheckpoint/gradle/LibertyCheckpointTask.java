package io.libertycheckpoint.gradle;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.gradle.api.DefaultTask;
import org.gradle.api.file.FileCollection;
import org.gradle.api.logging.Logger;
import org.gradle.api.provider.Provider;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.Internal;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.TaskAction;

import io.libertycheckpoint.gradle.tool.BundledTool;
import io.libertycheckpoint.gradle.tool.Event;
import io.libertycheckpoint.gradle.tool.Report;
import io.libertycheckpoint.gradle.tool.ToolFailure;
import io.libertycheckpoint.gradle.tool.ToolRun;

/**
 * What every liberty-checkpoint task does: build the command line from its settings, run
 * {@code liberty-checkpoint <command> --output json} once, log its events, and fail the build with
 * the tool's message and fix. Subclasses only say which command and which flags.
 */
public abstract class LibertyCheckpointTask extends DefaultTask {
    /** How long the tool gets to clean up after SIGTERM before it is killed. */
    static final long CANCEL_GRACE_MILLIS = 60_000;

    private final Map<Setting, Provider<?>> settings = new EnumMap<>(Setting.class);
    private final File projectDir = getProject().getProjectDir();
    private File resultFile;

    protected LibertyCheckpointTask() {
        setGroup(LibertyCheckpointPlugin.GROUP);
    }

    /** The liberty-checkpoint command this task runs, e.g. checkpoint-image. */
    protected abstract String command();

    /** Appends the command's flags. */
    protected abstract void addArguments(Args args);

    /** Called with a successful run's outcome; may fail the build (doctor with failing checks). */
    protected void checkOutcome(ToolRun.Outcome outcome, List<Event> events) {
        if (outcome.exitCode != 0) {
            throw new ToolFailure("Internal", "liberty-checkpoint " + command() + " exited with code "
                    + outcome.exitCode, null, null, null, null, null, outcome.exitCode);
        }
    }

    void wire(Setting s, Provider<?> value) {
        settings.put(s, value);
    }

    void setResultFile(File f) {
        resultFile = f;
    }

    /** Where the result event of the last successful run is written (JSON, one line). */
    protected File resultFileLocation() {
        return resultFile;
    }

    // --- inputs every task shares

    /** Which tool runs: the bundled binaries' checksum, or the executable's path. */
    @Input
    public String getTool() {
        String exe = str(Setting.EXECUTABLE);
        return exe != null ? "executable:" + exe : "bundled:" + new BundledTool(getClass().getClassLoader()).key();
    }

    @Input
    @Optional
    public String getPodmanUrl() {
        return str(Setting.PODMAN_URL);
    }

    @Internal
    public String getTimeout() {
        return str(Setting.TIMEOUT);
    }

    // --- values

    protected String str(Setting s) {
        Provider<?> p = settings.get(s);
        Object v = p == null ? null : p.getOrNull();
        return v == null || v.toString().isEmpty() ? null : v.toString();
    }

    protected boolean bool(Setting s) {
        Provider<?> p = settings.get(s);
        Object v = p == null ? null : p.getOrNull();
        return Boolean.TRUE.equals(v);
    }

    @SuppressWarnings("unchecked")
    protected Map<String, String> map(Setting s) {
        Provider<?> p = settings.get(s);
        Object v = p == null ? null : p.getOrNull();
        return v == null ? Collections.<String, String>emptyMap() : (Map<String, String>) v;
    }

    @SuppressWarnings("unchecked")
    protected List<String> list(Setting s) {
        Provider<?> p = settings.get(s);
        Object v = p == null ? null : p.getOrNull();
        return v == null ? Collections.<String>emptyList() : (List<String>) v;
    }

    /** A path setting resolved against the project directory, or null. */
    protected File file(Setting s) {
        String v = str(s);
        if (v == null) {
            return null;
        }
        File f = new File(v);
        return f.isAbsolute() ? f : new File(projectDir, v);
    }

    protected String path(Setting s) {
        File f = file(s);
        return f == null ? null : f.getAbsolutePath();
    }

    /** The file(s) behind a path setting, for input tracking (missing files are left to the tool). */
    protected FileCollection files(Setting s) {
        return getProject().files((Callable<Object>) () -> {
            File f = file(s);
            return f == null ? Collections.emptyList() : Collections.singletonList(f);
        });
    }

    /** How this task's user spells a setting key (errors name settings by key). */
    protected String spell(String key) {
        Setting s = Setting.byKey(key);
        return s == null ? key : s.spelling();
    }

    // --- running

    @TaskAction
    public void run() {
        Logger log = getLogger();
        if (resultFile != null) {
            resultFile.delete(); // a failed run must not leave the previous result behind
        }
        List<String> cmd;
        try {
            cmd = commandLine(executable(), log.isDebugEnabled());
        } catch (ToolFailure f) {
            throw Failures.toGradle(getPath(), command(), f, this::spell);
        }
        log.info("Running {}", String.join(" ", cmd));
        GradleLog listener = new GradleLog(log);
        ToolRun.Outcome outcome = new ToolRun(cmd, projectDir, CANCEL_GRACE_MILLIS)
                .run(listener, GradleCancellation.of(this));
        try {
            if (outcome.failure != null) {
                throw outcome.failure;
            }
            checkOutcome(outcome, listener.events);
        } catch (ToolFailure f) {
            throw Failures.toGradle(getPath(), command(), f, this::spell);
        }
        if (resultFile != null && outcome.result != null && outcome.result.raw() != null) {
            try {
                Files.createDirectories(resultFile.getParentFile().toPath());
                Files.write(resultFile.toPath(), (outcome.result.raw() + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new org.gradle.api.GradleException("cannot write " + resultFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** The full command line: executable, command, --output json, the shared flags and the task's. */
    List<String> commandLine(String executable, boolean debug) {
        List<String> cmd = new ArrayList<>();
        cmd.add(executable);
        cmd.add(command());
        cmd.add("--output");
        cmd.add("json");
        if (debug) {
            cmd.add("--log-level");
            cmd.add("debug");
        }
        Args args = new Args(cmd);
        args.value(Setting.PODMAN_URL, getPodmanUrl());
        addArguments(args);
        args.value(Setting.TIMEOUT, getTimeout());
        return cmd;
    }

    /** The executable setting, or the bundled CLI (extracted on first use). */
    String executable() {
        String exe = str(Setting.EXECUTABLE);
        if (exe != null) {
            // A bare name is looked up on PATH; anything with a slash is a path relative to the project.
            return exe.contains("/") ? path(Setting.EXECUTABLE) : exe;
        }
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!BundledTool.supported(os, arch)) {
            throw ToolFailure.of("FailedPrecondition", "the bundled liberty-checkpoint runs on linux-amd64 only, this is "
                    + os + "/" + arch, Setting.EXECUTABLE.key,
                    "point executable at a liberty-checkpoint built for this platform (make build in the liberty-checkpoint repository)");
        }
        return new BundledTool(getClass().getClassLoader()).extract(BundledTool.defaultCacheRoot()).toString();
    }

    /** Appends flags, skipping empty values. */
    protected static final class Args {
        private final List<String> cmd;

        Args(List<String> cmd) {
            this.cmd = cmd;
        }

        public Args value(Setting s, String v) {
            return value(s.flag, v);
        }

        public Args value(String flag, String v) {
            if (v != null && !v.isEmpty()) {
                cmd.add(flag + "=" + v);
            }
            return this;
        }

        public Args flag(Setting s, boolean on) {
            if (on) {
                cmd.add(s.flag);
            }
            return this;
        }

        public Args map(Setting s, Map<String, String> m) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                cmd.add(s.flag + "=" + e.getKey() + "=" + e.getValue());
            }
            return this;
        }

        public Args list(Setting s, List<String> l) {
            for (String v : l) {
                cmd.add(s.flag + "=" + v);
            }
            return this;
        }
    }

    /** Event lines onto Gradle's log levels. */
    static final class GradleLog implements ToolRun.Listener {
        private final Logger log;
        final List<Event> events = new ArrayList<>();

        GradleLog(Logger log) {
            this.log = log;
        }

        @Override
        public void event(Event e) {
            events.add(e);
            for (Report.Line l : Report.lines(e)) {
                switch (l.level) {
                    case DEBUG:
                        log.debug(l.text);
                        break;
                    case INFO:
                        log.info(l.text);
                        break;
                    case WARN:
                        log.warn(l.text);
                        break;
                    default:
                        log.lifecycle(l.text);
                }
            }
        }

        @Override
        public void text(String line) {
            // stderr: the tool's and the plugin's logs (hclog, level in brackets), or plain notes.
            if (line.contains("[DEBUG]") || line.contains("[TRACE]")) {
                log.debug(line);
            } else if (line.contains("[INFO]")) {
                log.info(line);
            } else if (line.contains("[WARN]") || line.contains("[ERROR]")) {
                log.warn(line);
            } else {
                log.lifecycle(line);
            }
        }
    }
}
