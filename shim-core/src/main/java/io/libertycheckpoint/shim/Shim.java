package io.libertycheckpoint.shim;

import io.libertycheckpoint.shim.Log.Level;
import io.libertycheckpoint.shim.Settings.Goal;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Runs one goal for a build tool: picks the executable (the configured one, else this machine's
 * binaries, resolved and extracted once), makes the one CLI call, logs its events and turns the outcome into the result
 * event or a {@link ShimFailure} worded for the build's user. The Maven and Gradle plugins are
 * adapters around this.
 */
public final class Shim {
  /** Tells the CLI which build tool runs it: its error events then spell settings and goals that tool's way. */
  static final String FRONT_END_ENV = "LCP_FRONT_END";
  private final Settings table;
  private final BuildTool tool;
  private final Log log;
  private final PlatformBinaries.Resolver resolver;
  private long graceMillis = ToolRunner.GRACE_MILLIS;

  /** resolver fetches this machine's binaries through the build tool's repositories (see {@link PlatformBinaries}). */
  public Shim(Settings table, BuildTool tool, Log log, PlatformBinaries.Resolver resolver) {
    this.table = table;
    this.tool = tool;
    this.log = log;
    this.resolver = resolver;
  }

  Shim grace(long millis) {
    graceMillis = millis;
    return this;
  }

  /** Runs the invocation in workDir; returns the result event. cancelled is polled while it runs. */
  public Event run(Invocation inv, File workDir, BooleanSupplier cancelled) throws ShimFailure {
    return run(inv, workDir, cancelled, null);
  }

  /**
   * Runs the invocation and keeps its result event (one JSON line) in resultFile (unless null),
   * which a failed run leaves absent: a build tool's output that says what the last successful run made.
   */
  public Event run(Invocation inv, File workDir, BooleanSupplier cancelled, File resultFile) throws ShimFailure {
    String name = tool.goalName(inv.goal());
    if (resultFile != null) {
      io(name + ": cannot remove the previous result", () -> Files.deleteIfExists(resultFile.toPath()));
    }
    if (inv.get("skip") != null) {
      log.log(Level.LIFECYCLE, "Skipping " + name + " (" + tool.spelling(table.get("skip")) + " is true)");
      return null;
    }
    Project project = inv.project();
    File out = project == null ? null : project.outputDir();
    if (project != null && project.liberty() != null && inv.goal().defaults.contains("configDirectory")) {
      log.log(Level.LIFECYCLE, "Using the Liberty server configuration of " + project.liberty().source + ": " + project.liberty().describe());
    }
    if (!inv.layout().isEmpty()) {
      File staged = new File(out, "config");
      try {
        inv.stage(staged);
      } catch (IOException e) {
        throw new ShimFailure(ShimFailure.Kind.BAD_INPUT, name + ": cannot lay out the server configuration in " + staged + ": " + e.getMessage(), e);
      }
      log.log(Level.INFO, "Server configuration laid out in " + staged + ": the configuration directory's files and "
          + String.join(", ", inv.layout().entries().keySet()));
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(executable(inv, name));
    cmd.addAll(inv.arguments(log.isDebug()));
    log.log(Level.INFO, "Running " + String.join(" ", cmd));
    List<Event> failedChecks = new ArrayList<>();
    ToolRunner.Outcome o;
    try {
      Map<String, String> env = new HashMap<>(inv.environment());
      env.put(FRONT_END_ENV, tool.name().toLowerCase(Locale.ROOT));
      o = new ToolRunner(cmd, workDir, graceMillis, env).run(new ToolRunner.Listener() {
        @Override
        public void event(Event e) {
          if ("check".equals(e.kind()) && "fail".equals(e.name("status"))) {
            failedChecks.add(e);
          }
          Report.log(e, log);
        }

        @Override
        public void text(String line) {
          // The tool's and the plugin's logs (hclog: the level in brackets), or plain notes.
          boolean debug = line.contains("[DEBUG]") || line.contains("[TRACE]");
          log.log(debug ? Level.DEBUG : line.contains("[INFO]") ? Level.INFO : Level.WARN, line);
        }
      }, cancelled);
    } catch (IOException e) {
      throw cannotRun(name + ": cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
    }
    Event r = outcome(inv.goal(), name, o, failedChecks);
    if (resultFile != null) {
      io(name + ": cannot write its result into " + resultFile, () -> {
        Files.createDirectories(resultFile.getAbsoluteFile().getParentFile().toPath());
        Files.write(resultFile.toPath(), (r.raw() + "\n").getBytes(StandardCharsets.UTF_8));
      });
    }
    return r;
  }

  private interface IoStep {
    void run() throws IOException;
  }

  private static void io(String what, IoStep step) throws ShimFailure {
    try {
      step.run();
    } catch (IOException e) {
      throw cannotRun(what + ": " + e.getMessage(), e);
    }
  }

  private Event outcome(Goal goal, String name, ToolRunner.Outcome o, List<Event> failedChecks) throws ShimFailure {
    if (o.foreignSchema != 0) {
      throw cannotRun(name + ": this liberty-checkpoint speaks event schema " + o.foreignSchema + ", and this plugin reads schema "
          + Event.SCHEMA + " (contract/EVENTS.md)", null);
    }
    if (o.cancelled && (o.error == null || !"Canceled".equals(o.error.str("code")))) {
      throw new ShimFailure(ShimFailure.Kind.CANCELLED, name + " was cancelled", null);
    }
    if (o.error != null) {
      throw failure(name, o.error);
    }
    Event r = o.result;
    if (r == null || (o.exitCode != 0 && failedChecks.isEmpty())) {
      StringBuilder b = new StringBuilder(name + ": liberty-checkpoint exited with code " + o.exitCode
          + " without reporting " + (r == null ? "a result or an error" : "an error"));
      tail(b, o.tail);
      throw cannotRun(b.append("\n  fix: run the build again with ").append(tool.debug.replaceFirst("^\\S+ ", ""))
          .append(" to see everything the tool printed").toString(), null);
    }
    Event doctor = r.obj("doctor");
    if (doctor.num("fail") > 0 || !failedChecks.isEmpty()) {
      StringBuilder b = new StringBuilder(name + ": " + Math.max(doctor.num("fail"), failedChecks.size()) + " doctor check(s) failed");
      for (Event c : failedChecks) {
        b.append("\n  ").append(c.str("id")).append(": ").append(c.str("found"));
        b.append(c.str("fix").isEmpty() ? "" : "\n    fix: " + c.str("fix"));
      }
      throw new ShimFailure(ShimFailure.Kind.FAILED, b.toString(), null);
    }
    Event restore = r.obj("restore");
    if ("cold_start".equals(restore.name("verdict"))) {
      throw new ShimFailure(ShimFailure.Kind.FAILED, name + ": " + r.str("image") + " fell back to a cold start (ready in "
          + Report.duration(restore.num("readyMs")) + "): the checkpoint was not used\n  fix: run "
          + tool.call(table.goal("doctor")) + " " + tool.property(table, "image", r.str("image"))
          + " (CRIU in the image must suit this host's kernel); /logs/checkpoint/restore.log in the container says why", null);
    }
    return r;
  }

  /**
   * The build failure for the CLI's error event: its message and fix, which the CLI spells this
   * build tool's way ({@link #FRONT_END_ENV}), the setting at fault, and the log's last lines.
   */
  private ShimFailure failure(String name, Event error) {
    String code = error.str("code");
    if ("Canceled".equals(code)) {
      return new ShimFailure(ShimFailure.Kind.CANCELLED, name + " was cancelled; liberty-checkpoint removed what it had created", null);
    }
    StringBuilder b = new StringBuilder(name).append(" failed: ").append(error.str("message"));
    b.append(code.isEmpty() ? "" : " (" + code + ")");
    if (!error.str("setting").isEmpty()) {
      b.append("\n  setting: ").append(tool.spelling(table.get(error.str("setting"))));
    } else if (!error.str("field").isEmpty()) {
      b.append("\n  field: ").append(error.str("field"));
    }
    b.append(error.str("fix").isEmpty() ? "" : "\n  fix: " + error.str("fix"));
    tail(b, error.strings("logTail"));
    boolean badInput = "InvalidArgument".equals(code) || "NotFound".equals(code);
    return new ShimFailure(badInput ? ShimFailure.Kind.BAD_INPUT : ShimFailure.Kind.FAILED, b.toString(), null);
  }

  private static void tail(StringBuilder b, Iterable<String> lines) {
    String head = "\n  last log lines:";
    for (String l : lines) {
      b.append(head).append("\n    ").append(l);
      head = "";
    }
  }

  /** The executable to run: the configured one (a path, or a name on PATH), else this machine's binaries. */
  private String executable(Invocation inv, String name) throws ShimFailure {
    Object exe = inv.get("executable");
    String spelled = tool.spelling(table.get("executable"));
    if (exe instanceof File) {
      File f = (File) exe;
      if (!f.isFile() || !f.canExecute()) {
        throw cannotRun(name + ": " + spelled + ": " + f + (f.exists() ? " is not an executable file" : " does not exist")
            + "\n  fix: point it at a liberty-checkpoint binary (with liberty-checkpoint-plugin beside it; make build puts both in bin/),"
            + " or leave it unset to use the one this plugin carries", null);
      }
      return f.getAbsolutePath();
    }
    if (exe != null) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        if (new File(dir.isEmpty() ? "." : dir, exe.toString()).canExecute()) {
          return exe.toString();
        }
      }
      throw cannotRun(name + ": " + spelled + ": " + exe + " is not on PATH\n  fix: give its path, or leave it unset to use the one this plugin carries", null);
    }
    Path cache = PlatformBinaries.cacheRoot(System.getenv());
    PlatformBinaries binaries;
    try {
      binaries = PlatformBinaries.ofJar();
    } catch (IOException e) {
      throw cannotRun(name + ": " + e.getMessage() + "\n  fix: set " + spelled + " to a liberty-checkpoint binary", e);
    }
    String why = binaries.unsupported();
    if (why != null) {
      throw cannotRun(name + ": " + why + "\n  fix: build liberty-checkpoint and liberty-checkpoint-plugin for this machine"
          + " (GOOS/GOARCH; make cross builds the supported ones), put them side by side and set " + spelled
          + " to the liberty-checkpoint binary", null);
    }
    try {
      String cli = binaries.executable(resolver, cache).toString();
      log.log(Level.DEBUG, "using " + cli + " (" + binaries.classifier() + ")");
      return cli;
    } catch (IOException e) {
      throw cannotRun(name + ": cannot get liberty-checkpoint for " + binaries.classifier() + ": " + e.getMessage()
          + "\n  fix: " + tool.binariesFix + " (the cache is " + cache + ", $LCP_CACHE_DIR moves it), or set " + spelled
          + " to a liberty-checkpoint binary", e);
    }
  }

  private static ShimFailure cannotRun(String message, Throwable cause) {
    return new ShimFailure(ShimFailure.Kind.CANNOT_RUN, message, cause);
  }
}
