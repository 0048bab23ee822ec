package io.libertycheckpoint.shim;

/** Where a goal's lines go: the build tool's logger. */
public interface Log {
  /** How loud a line is. LIFECYCLE is what a build shows by default (Maven: info). */
  enum Level { DEBUG, INFO, LIFECYCLE, WARN, ERROR }

  void log(Level level, String line);

  /** True when the build runs with debug output (mvn -X, gradle --debug). */
  boolean isDebug();
}
