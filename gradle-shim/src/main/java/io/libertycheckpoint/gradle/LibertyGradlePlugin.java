package io.libertycheckpoint.gradle;

import java.io.File;
import java.lang.reflect.Method;
import java.util.Collection;
import java.util.Map;

import org.gradle.api.Project;

import io.libertycheckpoint.shim.LibertyServer;

/**
 * Reads what liberty-gradle-plugin (io.openliberty.tools:liberty-gradle-plugin, plugin id
 * {@code liberty}) knows about the project's server from its {@code liberty { server { ... } }}
 * block: name, configDirectory, serverXmlFile (or the older configFile), bootstrapProperties,
 * bootstrapPropertiesFile, jvmOptions, jvmOptionsFile, serverEnvFile (or serverEnv), env, var and
 * defaultVar; without a server block, the same properties of the {@code liberty} block itself
 * (liberty-gradle-plugin's older layout, serverName for the name). The plugin is not a dependency:
 * the extension is read through its getters, so any version (and a stand-in of the same shape)
 * works, and a project without it is left alone.
 */
final class LibertyGradlePlugin {
    static final String EXTENSION = "liberty";

    private LibertyGradlePlugin() {
    }

    /** The server configuration, or null when the project has no {@code liberty} extension. */
    static LibertyServer read(Project project) {
        Object liberty = project.getExtensions().findByName(EXTENSION);
        if (liberty == null) {
            return null;
        }
        Object server = get(liberty, "server");
        Object s = server != null ? server : liberty;
        LibertyServer out = new LibertyServer("liberty-gradle-plugin's liberty { " + (server != null ? "server { } " : "") + "}");
        out.serverName = text(server != null ? get(server, "name") : get(liberty, "serverName"));
        out.configDirectory = file(project, get(s, "configDirectory"));
        out.serverXmlFile = file(project, first(get(s, "serverXmlFile"), get(s, "configFile")));
        out.bootstrapPropertiesFile = file(project, get(s, "bootstrapPropertiesFile"));
        out.jvmOptionsFile = file(project, get(s, "jvmOptionsFile"));
        out.serverEnvFile = file(project, first(get(s, "serverEnvFile"), get(s, "serverEnv")));
        map(get(s, "bootstrapProperties"), out.bootstrapProperties);
        map(get(s, "env"), out.env);
        map(get(s, "var"), out.vars);
        map(get(s, "defaultVar"), out.defaultVars);
        Object jvm = get(s, "jvmOptions");
        if (jvm instanceof Collection) {
            for (Object o : (Collection<?>) jvm) {
                if (o != null && !String.valueOf(o).trim().isEmpty()) {
                    out.jvmOptions.add(String.valueOf(o).trim());
                }
            }
        }
        return out;
    }

    /** A property through its getter (getX or isX), unwrapping Gradle providers; null when absent. */
    static Object get(Object o, String name) {
        String cap = Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String getter : new String[] {"get" + cap, "is" + cap}) {
            try {
                Method m = o.getClass().getMethod(getter);
                Object v = m.invoke(o);
                if (v instanceof org.gradle.api.provider.Provider) {
                    v = ((org.gradle.api.provider.Provider<?>) v).getOrNull();
                }
                return v;
            } catch (NoSuchMethodException e) {
                // try the next spelling
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static Object first(Object a, Object b) {
        return a != null ? a : b;
    }

    private static String text(Object v) {
        return v == null || String.valueOf(v).trim().isEmpty() ? null : String.valueOf(v).trim();
    }

    private static File file(Project project, Object v) {
        Object asFile = v == null || v instanceof File ? null : get(v, "asFile"); // a Directory or RegularFile
        if (asFile instanceof File) {
            return (File) asFile;
        }
        return v == null || String.valueOf(v).isEmpty() ? null : project.file(v);
    }

    private static void map(Object v, Map<String, String> into) {
        if (v instanceof Map) {
            ((Map<?, ?>) v).forEach((k, x) -> into.put(String.valueOf(k), x == null ? "" : String.valueOf(x)));
        }
    }
}
