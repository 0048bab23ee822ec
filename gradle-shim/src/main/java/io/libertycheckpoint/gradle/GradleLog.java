package io.libertycheckpoint.gradle;

import org.gradle.api.logging.LogLevel;
import org.gradle.api.logging.Logger;

import io.libertycheckpoint.shim.Log;

/** shim-core's lines on Gradle's log: steps and the summary at lifecycle, output at --info. */
final class GradleLog implements Log {
    private final Logger logger;

    GradleLog(Logger logger) {
        this.logger = logger;
    }

    @Override
    public void log(Level level, String line) {
        logger.log(LogLevel.valueOf(level.name()), line); // the same names
    }

    @Override
    public boolean isDebug() {
        return logger.isDebugEnabled();
    }
}
