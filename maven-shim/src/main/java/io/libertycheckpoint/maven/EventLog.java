package io.libertycheckpoint.maven;

import org.apache.maven.plugin.logging.Log;

/**
 * Writes the CLI's events to the Maven log: step progress and the build's and container's output
 * at info, warnings at warn, detail (debug-level log events) at debug, doctor checks at the level
 * of their status. Results and errors are the goal's to report.
 */
public final class EventLog {
  private final Log log;

  public EventLog(Log log) {
    this.log = log;
  }

  public void accept(Event e) {
    switch (e.type()) {
      case "start":
        log.debug("liberty-checkpoint " + e.str("operation") + " (event schema " + e.num("schema") + ")");
        break;
      case "progress":
        progress(e);
        break;
      case "log":
        line(e);
        break;
      case "check":
        check(e);
        break;
      default:
        // result, error: the goal reports them; unknown types are ignored (EVENTS.md).
        break;
    }
  }

  private void progress(Event e) {
    String step = "[" + e.num("step") + "/" + e.num("totalSteps") + "] " + e.str("name");
    if (!"done".equals(e.str("state"))) {
      log.info(step + "...");
      return;
    }
    String detail = e.str("detail").isEmpty() ? "" : " (" + e.str("detail") + ")";
    log.info(step + " done in " + Format.duration(e.num("durationMs")) + detail);
  }

  private void line(Event e) {
    String source = e.str("source");
    String prefix = source.isEmpty() || "tool".equals(source) ? "      " : String.format("      %-9s| ", source);
    String text = prefix + e.str("line");
    switch (e.str("level")) {
      case "debug":
        log.debug(text);
        break;
      case "warn":
        log.warn(text);
        break;
      default:
        log.info(text);
    }
  }

  private void check(Event e) {
    String status = e.str("status");
    String text = String.format("%-4s  %-24s %s", status, e.str("id"), e.str("found"));
    String fix = e.str("fix").isEmpty() || "ok".equals(status) ? null : String.format("      %-24s fix: %s", "", e.str("fix"));
    switch (status) {
      case "fail":
        log.error(text);
        if (fix != null) {
          log.error(fix);
        }
        break;
      case "warn":
        log.warn(text);
        if (fix != null) {
          log.warn(fix);
        }
        break;
      default:
        log.info(text);
        if (fix != null) {
          log.info(fix);
        }
    }
  }
}
