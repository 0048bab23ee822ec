package io.libertycheckpoint.gradle;

import java.lang.reflect.Method;

import org.gradle.api.Action;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.tasks.TaskContainer;

/**
 * Task creation as each Gradle expects it: registered lazily (tasks.register, Gradle 4.9 and
 * later: the task is created and configured only when the build needs it), else created at once
 * (tasks.create, the only way Gradle 4.4 has). The plugin is compiled against Gradle 4.4's API, so
 * register is looked up reflectively.
 */
final class Tasks {
    private Tasks() {
    }

    static <T extends Task> void register(Project project, String name, Class<T> type, Action<? super T> configure) {
        try {
            Method register = TaskContainer.class.getMethod("register", String.class, Class.class, Action.class);
            register.invoke(project.getTasks(), name, type, configure);
            return;
        } catch (NoSuchMethodException e) {
            // Gradle before 4.9
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register task " + name + ": " + e, e);
        }
        configure.execute(project.getTasks().create(name, type));
    }
}
