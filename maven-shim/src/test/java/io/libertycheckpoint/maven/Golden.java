package io.libertycheckpoint.maven;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** The repository's shared test data: host/render/testdata/events.jsonl and host/settings/testdata/settings.json. */
final class Golden {
  private Golden() {}

  static Path file(String property) {
    String p = System.getProperty(property);
    if (p == null) {
      throw new IllegalStateException("system property " + property + " is not set (run the tests through Maven)");
    }
    return Paths.get(p);
  }

  static List<String> eventLines() throws IOException {
    return Files.readAllLines(file("lcp.events.jsonl"), StandardCharsets.UTF_8);
  }

  static Settings settings() throws IOException {
    try (Reader r = Files.newBufferedReader(file("lcp.settings.json"), StandardCharsets.UTF_8)) {
      return Settings.parse(r);
    }
  }
}
