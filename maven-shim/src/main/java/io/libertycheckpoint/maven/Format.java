package io.libertycheckpoint.maven;

import java.util.Locale;

/** Durations, sizes and ids printed the way the CLI's text output prints them. */
final class Format {
  private Format() {}

  /** 850ms, 12.3s, 2m05s. */
  static String duration(long ms) {
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
  }

  /** Decimal units, as podman prints sizes: 412.3 MB. */
  static String bytes(long n) {
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

  /** The 12-character id podman shows. */
  static String shortId(String id) {
    String s = id.startsWith("sha256:") ? id.substring(7) : id;
    return s.length() > 12 ? s.substring(0, 12) : s;
  }
}
