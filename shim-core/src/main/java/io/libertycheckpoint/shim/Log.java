package io.libertycheckpoint.shim;

import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/** Where a goal's lines go: the build tool's logger. */
public interface Log {
  /** How loud a line is. LIFECYCLE is what a build shows by default (Maven: info). */
  enum Level { DEBUG, INFO, LIFECYCLE, WARN, ERROR }

  void log(Level level, String line);

  /** True when the build runs with debug output (mvn -X, gradle --debug). */
  boolean isDebug();

  /** A log that hands each line to sink; debug tells whether the build runs with debug output. */
  static Log of(BiConsumer<Level, String> sink, BooleanSupplier debug) {
    return new Log() {
      @Override
      public void log(Level level, String line) {
        sink.accept(level, line);
      }

      @Override
      public boolean isDebug() {
        return debug.getAsBoolean();
      }
    };
  }
}
