package io.libertycheckpoint.maven;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The closing lines of a goal, from its result event, as the CLI's text output words them. */
final class Summary {
  private Summary() {}

  /** "localhost/app:1.0-instanton (9c8b7a6d5e4f, 412.3 MB), phase afterAppStart". */
  static String image(Event r) {
    StringBuilder b = new StringBuilder(r.str("image"));
    if (!r.str("imageId").isEmpty()) {
      b.append(" (").append(Format.shortId(r.str("imageId")));
      if (r.num("imageSizeBytes") > 0) {
        b.append(", ").append(Format.bytes(r.num("imageSizeBytes")));
      }
      b.append(')');
    }
    if (!r.str("phase").isEmpty()) {
      b.append(", phase ").append(r.str("phase"));
    }
    if (r.num("checkpointSizeBytes") > 0) {
      b.append(", checkpoint ").append(Format.bytes(r.num("checkpointSizeBytes")));
    }
    return b.toString();
  }

  /** "containerize 2.3s, checkpoint 6.7s, commit 799ms; done in 9.8s". */
  static String timings(Event r) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Long> t : r.timings().entrySet()) {
      parts.add(t.getKey() + " " + Format.duration(t.getValue()));
    }
    String done = "done in " + Format.duration(r.num("durationMs"));
    return parts.size() > 1 ? String.join(", ", parts) + "; " + done : done;
  }

  /** The lines after a restore's verdict: URL, evidence, ports, a container left running. */
  static List<String> restoreDetail(Event r) {
    Event ro = r.obj("restore");
    List<String> lines = new ArrayList<>();
    if (!ro.str("url").isEmpty()) {
      lines.add("  " + ro.str("url") + " answered HTTP " + ro.num("httpStatus"));
    }
    if (!ro.str("evidence").isEmpty()) {
      lines.add("  evidence: " + ro.str("evidence"));
    }
    ro.stringMap("published").forEach((port, host) -> lines.add("  port " + port + " -> " + host));
    if (!r.str("containerName").isEmpty()) {
      lines.add("  left running as " + r.str("containerName") + " (podman rm -f " + r.str("containerName") + " to stop it)");
    }
    return lines;
  }
}
