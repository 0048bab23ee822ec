package io.libertycheckpoint.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;

/**
 * What the Java-driven integration tests (failsafe) share: the directories the POM hands them, fresh
 * copies of their projects, and Maven settings that resolve from the staged repository.
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

  /** A fresh copy of src/test/resources/projects/&lt;project&gt; in the work directory, as name. */
  static Path project(String project, String name) throws IOException {
    Path src = prop("lcp.it.projects").resolve(project);
    Path dst = prop("lcp.it.work").resolve(name);
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
}
