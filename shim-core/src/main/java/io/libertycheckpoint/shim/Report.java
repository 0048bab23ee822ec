package io.libertycheckpoint.shim;

import io.libertycheckpoint.shim.Log.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Events as log lines, worded as the CLI's text output words them: steps, checks and the summary
 * for everyone, build and container output as detail (info), debug lines at debug.
 */
public final class Report {
  private final Log log;

  private Report(Log log) {
    this.log = log;
  }

  private void add(Level level, String text) {
    log.log(level, text);
  }

  /** Logs the lines of one event. */
  public static void log(Event e, Log log) {
    Report r = new Report(log);
    switch (e.kind()) {
      case "progress":
        r.progress(e);
        break;
      case "log":
        r.logLine(e);
        break;
      case "check":
        r.check(e);
        break;
      case "result":
        r.result(e);
        break;
      default:
        break; // accepted, error (the failure tells it), and kinds this reader does not know
    }
  }

  private void progress(Event e) {
    String step = "[" + e.num("step") + "/" + e.num("totalSteps") + "] " + e.str("name");
    String detail = e.str("detail").isEmpty() ? "" : " (" + e.str("detail") + ")";
    add(Level.LIFECYCLE, "done".equals(e.name("state")) ? step + " done in " + duration(e.num("durationMs")) + detail : step + "...");
  }

  private void logLine(Event e) {
    String source = e.name("source");
    boolean tool = source.isEmpty() || "tool".equals(source) || "unspecified".equals(source);
    String prefix = tool ? "      " : String.format(Locale.ROOT, "      %-9s| ", source);
    switch (e.name("level")) {
      case "debug":
        add(Level.DEBUG, prefix + e.str("line"));
        break;
      case "warn":
        add(Level.WARN, prefix + "warning: " + e.str("line"));
        break;
      default:
        add(tool ? Level.LIFECYCLE : Level.INFO, prefix + e.str("line"));
    }
  }

  private void check(Event e) {
    String status = e.name("status");
    Level level = "fail".equals(status) ? Level.ERROR : "warn".equals(status) ? Level.WARN : Level.LIFECYCLE;
    add(level, String.format(Locale.ROOT, "%-4s  %-24s %s", status, e.str("id"), e.str("found")));
    if (!e.str("fix").isEmpty() && !"ok".equals(status)) {
      add(level, String.format(Locale.ROOT, "      %-24s fix: %s", "", e.str("fix")));
    }
  }

  private void result(Event e) {
    Event r = e.obj("restore");
    Event d = e.obj("doctor");
    switch (e.str("operation")) {
      case "restore":
        boolean restored = "restored".equals(r.name("verdict"));
        add(restored ? Level.LIFECYCLE : Level.WARN, e.str("image") + ": "
            + (restored ? "restored from checkpoint" : "FELL BACK TO A COLD START (the checkpoint was not used)")
            + ", ready in " + duration(r.num("readyMs")));
        if (!r.str("url").isEmpty()) {
          add(Level.LIFECYCLE, "  " + r.str("url") + " answered HTTP " + r.num("httpStatus"));
        }
        // The verdict's evidence (Liberty's message and the JVM started before its container) is on the
        // build log at its default level: it is what tells a restore from a cold start.
        if (!r.str("evidence").isEmpty()) {
          add(Level.LIFECYCLE, "  evidence: " + r.str("evidence"));
        }
        Map<Long, String> ports = new TreeMap<>();
        for (Map.Entry<String, String> p : r.stringMap("published").entrySet()) {
          ports.put(Long.parseLong(p.getKey()), p.getValue());
        }
        for (Map.Entry<Long, String> p : ports.entrySet()) {
          add(Level.LIFECYCLE, "  port " + p.getKey() + " -> " + p.getValue());
        }
        if (!e.str("containerName").isEmpty()) {
          add(Level.LIFECYCLE, "  left running as " + e.str("containerName") + " (podman rm -f " + e.str("containerName") + " to stop it)");
        }
        break;
      case "doctor":
        add(Level.LIFECYCLE, String.format(Locale.ROOT, "doctor: %d ok, %d warn, %d fail, %d skipped",
            d.num("ok"), d.num("warn"), d.num("fail"), d.num("skip")));
        break;
      case "kube":
        Event k = e.obj("kube");
        add(Level.LIFECYCLE, "Wrote the Kubernetes objects for " + e.str("image") + " (memory " + bytes(k.num("memoryBytes")) + ")");
        for (String f : k.strings("files")) {
          add(Level.LIFECYCLE, "  " + f);
        }
        add(Level.LIFECYCLE, "  Pod Security Standards: only the \"" + k.str("podSecurityLevel") + "\" level admits the pod");
        break;
      default:
        add(Level.LIFECYCLE, image(e));
    }
    List<String> timings = new ArrayList<>();
    for (Event t : e.list("timings")) {
      timings.add(t.str("name") + " " + duration(t.num("ms")));
    }
    String done = "done in " + duration(e.num("durationMs"));
    add(Level.LIFECYCLE, "  " + (timings.size() > 1 ? String.join(", ", timings) + "; " + done : done));
  }

  /** "Built InstantOn image localhost/app:1.0-instanton (9c8b7a6d5e4f, 412.3 MB), phase afterAppStart, checkpoint 58.0 MB". */
  private static String image(Event e) {
    String op = e.str("operation");
    StringBuilder b = new StringBuilder("checkpoint-image".equals(op) ? "Built InstantOn image"
        : "build-base-image".equals(op) ? "Built base image" : op).append(' ').append(e.str("image"));
    if (!e.str("imageId").isEmpty()) {
      String id = e.str("imageId").replaceFirst("^sha256:", "");
      b.append(" (").append(id.length() > 12 ? id.substring(0, 12) : id);
      if (e.num("imageSizeBytes") > 0) {
        b.append(", ").append(bytes(e.num("imageSizeBytes")));
      }
      b.append(')');
    }
    if (!e.str("phase").isEmpty()) {
      b.append(", phase ").append(e.str("phase"));
    }
    if (e.num("checkpointSizeBytes") > 0) {
      b.append(", checkpoint ").append(bytes(e.num("checkpointSizeBytes")));
    }
    return b.toString();
  }

  /** 850ms, 12.3s, 2m05s, as the CLI prints durations. */
  public static String duration(long ms) {
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
  }

  /** Decimal units, as podman prints sizes: 412.3 MB. */
  public static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    double v = n;
    int exp = -1;
    while (v >= 1000 && exp < 5) {
      v /= 1000;
      exp++;
    }
    return String.format(Locale.ROOT, "%.1f %cB", v, "kMGTPE".charAt(exp));
  }
}
