package io.libertycheckpoint.gradle;

import java.lang.reflect.Method;

import java.util.function.BooleanSupplier;

import org.gradle.api.Task;

/**
 * Tells a running tool that the build was cancelled (Ctrl-C with the daemon, or an IDE's or the
 * Tooling API's cancel). Gradle has no public API for this, so it asks Gradle's own
 * BuildCancellationToken, looked up reflectively so that a Gradle version without it still works:
 * then the thread interrupt and the JVM shutdown hook of shim-core's runner remain.
 */
final class GradleCancellation {
    private GradleCancellation() {
    }

    static BooleanSupplier of(Task task) {
        try {
            ClassLoader gradle = Task.class.getClassLoader();
            Class<?> tokenType = Class.forName("org.gradle.initialization.BuildCancellationToken", false, gradle);
            Class<?> registryType = Class.forName("org.gradle.internal.service.ServiceRegistry", false, gradle);
            Method getServices = find(task.getClass(), "getServices");
            getServices.setAccessible(true);
            Object registry = getServices.invoke(task);
            Object token = registryType.getMethod("get", Class.class).invoke(registry, tokenType);
            Method requested = tokenType.getMethod("isCancellationRequested");
            return () -> {
                try {
                    return (Boolean) requested.invoke(token);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return false;
                }
            };
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            task.getLogger().debug("build cancellation token not available ({}); relying on interrupts", e.toString());
            return () -> false;
        }
    }

    private static Method find(Class<?> c, String name) throws NoSuchMethodException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == 0) {
                    return m;
                }
            }
        }
        throw new NoSuchMethodException(name);
    }
}
