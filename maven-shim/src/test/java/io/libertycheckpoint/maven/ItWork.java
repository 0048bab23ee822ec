package io.libertycheckpoint.maven;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * What the Java-driven integration tests (failsafe) share: the directories the POM hands them, fresh
 * copies of their projects, Maven settings that resolve from the staged repository, and a reader of
 * the Maven run's output.
 */
final class ItWork {
  private ItWork() {}

  static Path prop(String name) {
    String v = System.getProperty(name);
    if (v == null) {
      throw new IllegalStateException(name + " is not set: run through mvn verify");
    }
    return Paths.get(v);
  }

  /**
   * A fresh copy of src/test/resources/projects/&lt;project&gt; in the work directory, as name (what an
   * earlier run left there is removed first).
   */
  static Path project(String project, String name) throws IOException {
    Path src = prop("lcp.it.projects").resolve(project);
    Path dst = prop("lcp.it.work").resolve(name);
    if (Files.exists(dst)) {
      try (Stream<Path> s = Files.walk(dst)) {
        for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dst.getParent());
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, dst.resolve(src.relativize(p).toString()));
      }
    }
    return dst;
  }

  /** src/it/settings.xml: the staged repository takes what it lacks from the user's one first. */
  static Path settings() throws IOException {
    Path f = prop("lcp.it.work").resolve("settings.xml");
    Files.createDirectories(f.getParent());
    String it = Files.readString(prop("lcp.it.projects").resolve("../../../it/settings.xml").normalize());
    return Files.writeString(f, it.replace("@localRepositoryUrl@", prop("lcp.it.userRepo").toUri().toString()));
  }

  /**
   * A Maven run's output, read as it comes: lines (safe to read while the reader appends), seen
   * (completes at the first line that contains the marker; fails with the output when Maven ends
   * before it), ended (completes when the output ends).
   */
  record Output(List<String> lines, CompletableFuture<Void> seen, CompletableFuture<Void> ended) {
    String text() {
      return String.join("\n", lines);
    }
  }

  static Output follow(Process maven, String marker) {
    List<String> lines = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> seen = new CompletableFuture<>();
    CompletableFuture<Void> ended = CompletableFuture.runAsync(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(maven.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
          if (line.contains(marker)) {
            seen.complete(null);
          }
        }
      } catch (IOException e) {
        seen.completeExceptionally(e);
      }
      seen.completeExceptionally(new AssertionError("Maven ended before \"" + marker + "\":\n" + String.join("\n", lines)));
    });
    return new Output(lines, seen, ended);
  }
}
