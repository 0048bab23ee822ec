package io.libertycheckpoint.gradle;

import java.util.function.Function;

import org.gradle.api.BuildCancelledException;
import org.gradle.api.GradleException;
import org.gradle.api.InvalidUserDataException;

import io.libertycheckpoint.gradle.tool.ToolFailure;

/**
 * Renders a tool failure as a build failure that teaches: what went wrong, which setting to change
 * (spelled the Gradle way) and the fix, with the last log lines.
 */
final class Failures {
    private Failures() {
    }

    static RuntimeException toGradle(String taskPath, String command, ToolFailure f, Function<String, String> spell) {
        String message = message(command, f, spell);
        if (f.isCancelled()) {
            return new BuildCancelledException(taskPath + " was cancelled; liberty-checkpoint removed what it had created");
        }
        if (f.isBadInput()) {
            return new InvalidUserDataException(message);
        }
        return new GradleException(message);
    }

    static String message(String command, ToolFailure f, Function<String, String> spell) {
        StringBuilder b = new StringBuilder();
        b.append("liberty-checkpoint ").append(command).append(" failed: ").append(f.getMessage());
        if (!f.setting().isEmpty()) {
            b.append("\n  setting: ").append(spell.apply(f.setting()));
        } else if (!f.field().isEmpty()) {
            b.append("\n  field: ").append(f.field());
        }
        if (!f.fix().isEmpty()) {
            b.append("\n  fix: ").append(f.fix());
        }
        if (!f.logTail().isEmpty()) {
            b.append("\n  last log lines:");
            for (String l : f.logTail()) {
                b.append("\n    ").append(l);
            }
        }
        return b.toString();
    }
}
