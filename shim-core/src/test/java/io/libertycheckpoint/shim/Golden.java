package io.libertycheckpoint.shim;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The contract files (contract/), as the Go tests write and check them. */
final class Golden {
  private Golden() {}

  static Path file(String name) {
    String dir = System.getProperty("lcp.contract");
    if (dir == null) {
      throw new IllegalStateException("lcp.contract is not set: run the tests with mvn");
    }
    return Paths.get(dir, name);
  }

  /** The golden event stream, one stream per operation (each starts with accepted). */
  static List<List<Event>> streams() throws Exception {
    List<List<Event>> out = new ArrayList<>();
    for (String line : Files.readAllLines(file("events.jsonl"), StandardCharsets.UTF_8)) {
      Event e = Event.parse(line);
      if ("accepted".equals(e.kind())) {
        out.add(new ArrayList<>());
      }
      out.get(out.size() - 1).add(e);
    }
    return out;
  }

  static Event last(List<Event> stream) {
    return stream.get(stream.size() - 1);
  }

  static Settings table() throws Exception {
    return Settings.parse(new String(Files.readAllBytes(file("settings.json")), StandardCharsets.UTF_8));
  }
}
