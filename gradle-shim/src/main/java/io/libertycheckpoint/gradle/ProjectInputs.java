package io.libertycheckpoint.gradle;

import java.io.File;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.gradle.api.Project;
import org.gradle.api.file.FileCollection;

import io.libertycheckpoint.shim.BuildTool;
import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.LibertyServer;
import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.ShimFailure;

/**
 * Everything a task takes from its project, read at configuration time into plain values: the
 * extension's settings, the {@code liberty.checkpoint.*} properties, the command line's {@code -P}
 * aliases ({@code -Pimage}), the project's directory, name, version and build directory, and
 * liberty-gradle-plugin's server configuration. A task holds it through a provider, so that at
 * execution time it never touches the Project: what Gradle's configuration cache requires (it
 * stores this value with the task; hence Serializable).
 */
final class ProjectInputs implements Serializable {
    private static final long serialVersionUID = 1L;

    final Map<String, Object> script = new LinkedHashMap<>();
    final Map<String, String> properties = new TreeMap<>();
    final Map<String, String> commandLine = new TreeMap<>();
    File projectDir;
    String name;
    String version;
    File buildDir;
    LibertyServer liberty;

    /** The settings of goal command, resolved from these inputs; the archive is the first file of archive. */
    Invocation invocation(String command, FileCollection archive) throws ShimFailure {
        io.libertycheckpoint.shim.Project p = new io.libertycheckpoint.shim.Project(projectDir, name, version,
                () -> archive == null || archive.isEmpty() ? null : archive.getFiles().iterator().next()).buildDir(buildDir).liberty(liberty);
        Settings table = Settings.bundled();
        return Invocation.of(table, table.goal(command), script::get, properties::get, commandLine::get, p, BuildTool.GRADLE);
    }

    /** Reads the project now (at configuration time, or when a provider of it is queried). */
    static ProjectInputs read(Project project, SettingsExtension ext, Settings table) {
        ProjectInputs in = new ProjectInputs();
        for (Settings.Setting s : table.all()) {
            Object v = plain(ext.value(s.key));
            if (v != null) {
                in.script.put(s.key, v);
            }
            Object p = project.findProperty(table.propertyPrefix + s.key);
            if (p != null) {
                in.properties.put(table.propertyPrefix + s.key, String.valueOf(p));
            }
            // Only the command line's -P: a property of that short name elsewhere in the build is not meant for us.
            String alias = s.alias.isEmpty() ? null : project.getGradle().getStartParameter().getProjectProperties().get(s.alias);
            if (alias != null) {
                in.commandLine.put(s.alias, alias);
            }
        }
        in.projectDir = project.getProjectDir();
        in.name = project.getName();
        in.version = String.valueOf(project.getVersion());
        in.buildDir = LibertyCheckpointPlugin.buildDir(project);
        in.liberty = LibertyGradlePlugin.read(project);
        return in;
    }

    /** A value the configuration cache can store: File for Path, copies of maps and lists. */
    private static Object plain(Object v) {
        if (v instanceof Path) {
            return ((Path) v).toFile();
        }
        if (v instanceof Map) {
            return ((Map<?, ?>) v).isEmpty() ? null : new LinkedHashMap<>((Map<?, ?>) v);
        }
        if (v instanceof Collection) {
            return ((Collection<?>) v).isEmpty() ? null : new ArrayList<>((Collection<?>) v);
        }
        return v instanceof File || v instanceof String || v instanceof Boolean || v == null ? v : String.valueOf(v);
    }
}
