package io.libertycheckpoint.gradle;

import java.io.File;
import java.util.Collections;
import java.util.List;

import org.gradle.api.Plugin;
import org.gradle.api.Project;
import org.gradle.api.Task;

/**
 * The {@code io.libertycheckpoint.checkpoint} plugin: the {@code libertyCheckpoint} extension and
 * four tasks in group {@code liberty}, each one call of the bundled {@code liberty-checkpoint} CLI:
 * {@code checkpointImage} (after war/ear), {@code checkpointBaseImage}, {@code checkpointRestore}
 * and {@code checkpointDoctor}. No container logic lives here.
 */
public class LibertyCheckpointPlugin implements Plugin<Project> {
    public static final String ID = "io.libertycheckpoint.checkpoint";
    public static final String GROUP = "liberty";
    public static final String CHECKPOINT_IMAGE = "checkpointImage";
    public static final String CHECKPOINT_BASE_IMAGE = "checkpointBaseImage";
    public static final String CHECKPOINT_RESTORE = "checkpointRestore";
    public static final String CHECKPOINT_DOCTOR = "checkpointDoctor";

    @Override
    public void apply(Project project) {
        // Added, not created: Gradle's decorated subclass would replace the setters that take a
        // File, Path or String for the path settings with ones that only take a String.
        LibertyCheckpointExtension ext = new LibertyCheckpointExtension(project.getObjects());
        project.getExtensions().add(LibertyCheckpointExtension.class, Setting.EXTENSION, ext);
        SettingValues values = new SettingValues(project, ext);

        CheckpointImageTask image = project.getTasks().create(CHECKPOINT_IMAGE, CheckpointImageTask.class);
        wire(image, values, Setting.EXECUTABLE, Setting.PODMAN_URL, Setting.TIMEOUT, Setting.BASE_IMAGE,
                Setting.APP_ARCHIVE, Setting.SERVER_XML_FILE, Setting.CONFIG_DIRECTORY, Setting.SERVER_NAME,
                Setting.CONTAINERFILE, Setting.IMAGE, Setting.PHASE, Setting.LABELS, Setting.ENV,
                Setting.KEEP_APP_IMAGE, Setting.SECCOMP_PROFILE);

        CheckpointBaseImageTask base = project.getTasks().create(CHECKPOINT_BASE_IMAGE, CheckpointBaseImageTask.class);
        wire(base, values, Setting.EXECUTABLE, Setting.PODMAN_URL, Setting.TIMEOUT, Setting.CONTEXT_DIRECTORY,
                Setting.BASE_IMAGE, Setting.BUILD_ARGS, Setting.LABELS);

        CheckpointRestoreTask restore = project.getTasks().create(CHECKPOINT_RESTORE, CheckpointRestoreTask.class);
        wire(restore, values, Setting.EXECUTABLE, Setting.PODMAN_URL, Setting.TIMEOUT, Setting.IMAGE, Setting.PORTS,
                Setting.ENV, Setting.READY_URL, Setting.READY_LOG, Setting.DISABLE_RECOVERY, Setting.KEEP_RUNNING,
                Setting.CONTAINER_NAME, Setting.SECCOMP_PROFILE);
        restore.mustRunAfter(image);

        CheckpointDoctorTask doctor = project.getTasks().create(CHECKPOINT_DOCTOR, CheckpointDoctorTask.class);
        wire(doctor, values, Setting.EXECUTABLE, Setting.PODMAN_URL, Setting.TIMEOUT, Setting.IMAGE);
        doctor.imageChosen(values.isSet(Setting.IMAGE));

        // The application archive: the war task's, or the ear task's when the ear plugin is applied.
        // Explicit appArchive settings win; the dependency on the archive task stays harmless.
        project.getPlugins().withId("war", p -> useArchive(project, values, image, "war"));
        project.getPlugins().withId("ear", p -> useArchive(project, values, image, "ear"));

        project.afterEvaluate(p -> {
            File buildDir = buildDir(p);
            for (LibertyCheckpointTask t : new LibertyCheckpointTask[] {image, base, restore, doctor}) {
                t.setResultFile(new File(buildDir, "liberty-checkpoint/" + t.getName() + ".json"));
            }
            List<String> unknown = values.unknownOverrides();
            if (!unknown.isEmpty()) {
                Collections.sort(unknown);
                p.getLogger().warn("liberty-checkpoint: ignoring unknown properties {} (known settings: {})",
                        unknown, Setting.keys());
            }
        });
    }

    /**
     * The build directory: layout.buildDirectory where it exists in a compatible shape (Gradle 8.3
     * deprecates getBuildDir()), else getBuildDir(). Reflective because the return type of
     * getBuildDirectory() changed between 4.4 and 5 (DirectoryVar, DirectoryProperty).
     */
    static File buildDir(Project p) {
        try {
            Object layout = Project.class.getMethod("getLayout").invoke(p);
            Object dir = Class.forName("org.gradle.api.file.ProjectLayout", false, Project.class.getClassLoader())
                    .getMethod("getBuildDirectory").invoke(layout);
            Object directory = Class.forName("org.gradle.api.provider.Provider", false, Project.class.getClassLoader())
                    .getMethod("get").invoke(dir);
            Object file = Class.forName("org.gradle.api.file.Directory", false, Project.class.getClassLoader())
                    .getMethod("getAsFile").invoke(directory);
            return (File) file;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            @SuppressWarnings("deprecation")
            File old = p.getBuildDir();
            return old;
        }
    }

    private static void useArchive(Project project, SettingValues values, CheckpointImageTask image, String taskName) {
        Task archive = project.getTasks().getByName(taskName);
        if ("war".equals(taskName) && project.getPlugins().hasPlugin("ear")) {
            return; // the ear (which holds the war) is the archive
        }
        values.archiveFrom(archive.getOutputs().getFiles());
        image.dependsOn(archive);
    }

    private static void wire(LibertyCheckpointTask task, SettingValues values, Setting... settings) {
        for (Setting s : settings) {
            switch (s.kind) {
                case BOOLEAN:
                    task.wire(s, values.bool(s));
                    break;
                case MAP:
                    task.wire(s, values.map(s));
                    break;
                case LIST:
                    task.wire(s, values.list(s));
                    break;
                default:
                    task.wire(s, values.string(s));
            }
        }
    }
}
