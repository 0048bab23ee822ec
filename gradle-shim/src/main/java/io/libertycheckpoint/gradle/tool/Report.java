package io.libertycheckpoint.gradle.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns events into log lines with a level, the way host/render's text output prints them:
 * steps and the summary for everyone, build and container output for those who ask (info),
 * debug lines only in debug. A build tool maps {@link Level} onto its own logger.
 */
public final class Report {
    /** How loud a line is. LIFECYCLE is what a build shows by default. */
    public enum Level { DEBUG, INFO, LIFECYCLE, WARN }

    /** One line to log. */
    public static final class Line {
        public final Level level;
        public final String text;

        public Line(Level level, String text) {
            this.level = level;
            this.text = text;
        }

        @Override
        public String toString() {
            return level + " " + text;
        }
    }

    private Report() {
    }

    /** The lines for one event; the result event gives the summary. */
    public static List<Line> lines(Event e) {
        List<Line> out = new ArrayList<>();
        switch (e.type()) {
            case "progress":
                progress(e, out);
                break;
            case "log":
                log(e, out);
                break;
            case "check":
                check(e, out);
                break;
            case "result":
                result(e, out);
                break;
            default:
                break; // start, error (the failure reports it), and types this reader does not know
        }
        return out;
    }

    private static void progress(Event e, List<Line> out) {
        String where = "[" + e.num("step") + "/" + e.num("totalSteps") + "] " + e.str("name");
        if ("started".equals(e.str("state"))) {
            out.add(new Line(Level.LIFECYCLE, where + "..."));
            return;
        }
        String detail = e.str("detail").isEmpty() ? "" : " (" + e.str("detail") + ")";
        out.add(new Line(Level.LIFECYCLE, where + " done in " + duration(e.num("durationMs")) + detail));
    }

    private static void log(Event e, List<Line> out) {
        String source = e.str("source");
        String prefix = source.isEmpty() || "tool".equals(source) ? "" : String.format(Locale.ROOT, "%-9s| ", source);
        switch (e.str("level")) {
            case "debug":
                out.add(new Line(Level.DEBUG, prefix + e.str("line")));
                break;
            case "warn":
                out.add(new Line(Level.WARN, prefix + "warning: " + e.str("line")));
                break;
            default:
                // The tool's own remarks matter to everyone; build and container output is detail.
                out.add(new Line("tool".equals(source) ? Level.LIFECYCLE : Level.INFO, prefix + e.str("line")));
        }
    }

    private static void check(Event e, List<Line> out) {
        String status = e.str("status");
        Level level = "warn".equals(status) || "fail".equals(status) ? Level.WARN : Level.LIFECYCLE;
        out.add(new Line(level, String.format(Locale.ROOT, "%-4s  %-24s %s", status, e.str("id"), e.str("found"))));
        if (!e.str("fix").isEmpty() && !"ok".equals(status)) {
            out.add(new Line(level, String.format(Locale.ROOT, "      %-24s fix: %s", "", e.str("fix"))));
        }
    }

    private static void result(Event e, List<Line> out) {
        String op = e.str("operation");
        String took = " in " + duration(e.num("durationMs"));
        if ("restore".equals(op)) {
            Event r = e.obj("restore");
            boolean restored = "restored".equals(r.str("verdict"));
            String verdict = restored ? "restored from checkpoint" : "FELL BACK TO A COLD START (the checkpoint was not used)";
            out.add(new Line(restored ? Level.LIFECYCLE : Level.WARN,
                    e.str("image") + ": " + verdict + ", ready in " + duration(r.num("readyMs"))));
            if (!r.str("url").isEmpty()) {
                out.add(new Line(Level.LIFECYCLE, "  " + r.str("url") + " answered HTTP " + r.num("httpStatus")));
            }
            if (!r.str("evidence").isEmpty()) {
                out.add(new Line(Level.INFO, "  evidence: " + r.str("evidence")));
            }
            Map<Long, String> ports = new TreeMap<>();
            for (Map.Entry<String, Object> p : r.obj("published").fields().entrySet()) {
                try {
                    ports.put(Long.parseLong(p.getKey()), String.valueOf(p.getValue()));
                } catch (NumberFormatException ignored) {
                    // not a port number: skip
                }
            }
            for (Map.Entry<Long, String> p : ports.entrySet()) {
                out.add(new Line(Level.LIFECYCLE, "  port " + p.getKey() + " -> " + p.getValue()));
            }
            if (!e.str("containerName").isEmpty()) {
                out.add(new Line(Level.LIFECYCLE, "  left running as " + e.str("containerName") + " (podman rm -f "
                        + e.str("containerName") + " to stop it)"));
            }
            return;
        }
        if ("doctor".equals(op)) {
            Event d = e.obj("doctor");
            out.add(new Line(Level.LIFECYCLE, String.format(Locale.ROOT, "doctor: %d ok, %d warn, %d fail, %d skipped%s",
                    d.num("ok"), d.num("warn"), d.num("fail"), d.num("skip"), took)));
            return;
        }
        StringBuilder b = new StringBuilder();
        b.append(label(op)).append(' ').append(e.str("image"));
        if (!e.str("imageId").isEmpty()) {
            b.append(" (").append(shortId(e.str("imageId")));
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
        b.append(took);
        out.add(new Line(Level.LIFECYCLE, b.toString()));
        List<Object> timings = e.list("timings");
        if (timings.size() > 1) {
            List<String> parts = new ArrayList<>();
            for (Object t : timings) {
                if (t instanceof Map) {
                    @SuppressWarnings("unchecked")
                    Event te = new Event((Map<String, Object>) t);
                    parts.add(te.str("name") + " " + duration(te.num("ms")));
                }
            }
            out.add(new Line(Level.INFO, "  " + String.join(", ", parts)));
        }
    }

    private static String label(String op) {
        switch (op) {
            case "checkpoint-image":
                return "InstantOn image";
            case "build-base-image":
                return "base image";
            case "containerize":
                return "application image";
            default:
                return op;
        }
    }

    /** Shortens an image or container id the way podman prints it. */
    public static String shortId(String id) {
        String s = id.startsWith("sha256:") ? id.substring(7) : id;
        return s.length() > 12 ? s.substring(0, 12) : s;
    }

    /** 850ms, 12.3s, 2m05s (as host/render prints durations). */
    public static String duration(long ms) {
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long s = ms / 1000;
        return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }

    /** Decimal units, as podman prints sizes: 412.3 MB. */
    public static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        long div = 1000;
        int exp = 0;
        for (long m = n / 1000; m >= 1000; m /= 1000) {
            div *= 1000;
            exp++;
        }
        return String.format(Locale.ROOT, "%.1f %cB", (double) n / div, "kMGTPE".charAt(exp));
    }
}
