package io.libertycheckpoint.gradle;

import java.io.File;
import java.util.Arrays;
import java.util.List;

import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.provider.Provider;

import io.libertycheckpoint.shim.Settings;

/**
 * The {@code io.libertycheckpoint.checkpoint} plugin: the {@code libertyCheckpoint} extension and
 * one task per goal of the settings table, in group {@code liberty}: checkpointImage (after
 * war/ear), checkpointBaseImage, checkpointRestore, checkpointPush, checkpointDoctor, checkpointKube. Each is one call of the
 * bundled {@code liberty-checkpoint} CLI, made by shim-core; no container logic lives here.
 */
public class LibertyCheckpointPlugin implements Plugin<Project> {
    public static final String GROUP = "liberty";
    public static final String EXTENSION = "libertyCheckpoint";
    /** Commands that check or run something as it is now: their tasks are never up to date. */
    static final List<String> ALWAYS_RUN = Arrays.asList("restore", "doctor", "kube", "push");

    @Override
    public void apply(Project project) {
        // Added, not created: Gradle's decorated subclass would replace the setters that take a
        // File, Path or String for the path settings with ones that only take a String.
        LibertyCheckpointExtension ext = new LibertyCheckpointExtension(project.getObjects());
        project.getExtensions().add(LibertyCheckpointExtension.class, EXTENSION, ext);
        Settings table = Settings.bundled();
        // Read when a task needs it (its inputs, its action), not when the plugin is applied: the
        // build script, liberty { server { } } and -P are all known by then.
        Provider<ProjectInputs> inputs = project.provider(() -> ProjectInputs.read(project, ext, table));
        String image = null;
        for (Settings.Goal goal : table.goals()) {
            boolean appArchive = goal.defaults.contains("appArchive");
            String after = image;
            Tasks.register(project, goal.gradle, LibertyCheckpointTask.class, t -> {
                t.configure(goal, inputs);
                if (ALWAYS_RUN.contains(goal.command)) {
                    t.getOutputs().upToDateWhen(x -> false);
                    if (after != null) {
                        t.mustRunAfter(after);
                    }
                } else if (appArchive) {
                    // The application archive: the war task's, or the ear task's (which holds the war).
                    project.getPlugins().withId("war", p -> useArchive(project, t, "war"));
                    project.getPlugins().withId("ear", p -> useArchive(project, t, "ear"));
                }
            });
            if (appArchive) {
                image = goal.gradle;
            }
        }
        project.afterEvaluate(p -> {
            List<String> unknown = table.unknownProperties(p.getProperties().keySet());
            if (!unknown.isEmpty()) {
                p.getLogger().warn("liberty-checkpoint: ignoring unknown properties {} (contract/SETTINGS.md lists the settings)", unknown);
            }
        });
    }

    private static void useArchive(Project project, LibertyCheckpointTask task, String taskName) {
        if ("war".equals(taskName) && project.getPlugins().hasPlugin("ear")) {
            return;
        }
        Task archive = project.getTasks().getByName(taskName);
        task.archiveFrom(archive.getOutputs().getFiles());
        task.dependsOn(archive);
    }

    /**
     * The build directory: layout.buildDirectory where it exists in a compatible shape (Gradle 8.3
     * deprecates getBuildDir()), else getBuildDir(). Reflective because its type changed between
     * 4.4 and 5 (DirectoryVar, DirectoryProperty).
     */
    static File buildDir(Project p) {
        try {
            ClassLoader gradle = Project.class.getClassLoader();
            Object dir = Class.forName("org.gradle.api.file.ProjectLayout", false, gradle).getMethod("getBuildDirectory")
                    .invoke(Project.class.getMethod("getLayout").invoke(p));
            Object directory = Class.forName("org.gradle.api.provider.Provider", false, gradle).getMethod("get").invoke(dir);
            return (File) Class.forName("org.gradle.api.file.Directory", false, gradle).getMethod("getAsFile").invoke(directory);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            @SuppressWarnings("deprecation")
            File old = p.getBuildDir();
            return old;
        }
    }
}
