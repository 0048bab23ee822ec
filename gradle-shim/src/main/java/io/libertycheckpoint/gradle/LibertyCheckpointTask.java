package io.libertycheckpoint.gradle;

import java.io.File;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.gradle.api.BuildCancelledException;
import org.gradle.api.DefaultTask;
import org.gradle.api.GradleException;
import org.gradle.api.InvalidUserDataException;
import org.gradle.api.file.FileCollection;
import org.gradle.api.provider.Provider;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.OutputFiles;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

import io.libertycheckpoint.shim.BuildTool;
import io.libertycheckpoint.shim.ImageOutputs;
import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.PlatformBinaries;
import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.Shim;
import io.libertycheckpoint.shim.ShimFailure;

/**
 * One goal of the settings table as a Gradle task: its settings ({@code -Pliberty.checkpoint.<key>}
 * over the extension over liberty-gradle-plugin's server configuration and the project's
 * defaults) are its inputs, the result event of its last run (and, for checkpointImage, the
 * image's id and summary) its outputs, and the run is shim-core's, with Gradle's log and
 * cancellation. Everything it takes from the project is read through one provider
 * ({@link ProjectInputs}), so neither its inputs nor its action touch the Project at execution
 * time, as Gradle's configuration cache requires.
 */
public class LibertyCheckpointTask extends DefaultTask {
    /** How Gradle spells shim-core's failures. */
    private static final ShimFailure.Spelling<GradleException> FAILURES = new ShimFailure.Spelling<GradleException>(GradleException::new)
            .on(ShimFailure.Kind.BAD_INPUT, InvalidUserDataException::new).on(ShimFailure.Kind.CANCELLED, BuildCancelledException::new);

    private String command;
    private Provider<ProjectInputs> project;
    private FileCollection archive;
    private FileCollection settingFiles;
    private PlatformBinaries.Resolver binaries;

    void configure(Settings.Goal g, Provider<ProjectInputs> inputs) {
        command = g.command;
        project = inputs;
        setGroup(LibertyCheckpointPlugin.GROUP);
        setDescription(g.doc);
        settingFiles = getProject().files((Callable<Object>) () -> inputs().inputs(true).values());
        try {
            binaries = new GradleBinaries(getProject(), PlatformBinaries.ofJar().classifier());
        } catch (IOException e) {
            binaries = classifier -> {
                throw e;
            };
        }
    }

    void archiveFrom(FileCollection files) {
        archive = files;
    }

    /** The goal's settings, resolved now from the project's inputs. */
    Invocation invocation() throws ShimFailure {
        return project.get().invocation(command, archive);
    }

    private Invocation inputs() {
        try {
            return invocation();
        } catch (ShimFailure f) {
            throw f.as(FAILURES);
        }
    }

    /** Which tool runs: the pinned checksum of this machine's binaries, or the configured executable. */
    @Input
    public String getTool() throws IOException {
        Object exe = inputs().get("executable");
        if (exe != null) {
            return "executable:" + exe;
        }
        PlatformBinaries b = PlatformBinaries.ofJar();
        return b.unsupported() != null ? "unsupported:" + b.classifier() : "binaries:" + b.key();
    }

    /** The resolved settings that are not files, as text. */
    @Input
    public Map<String, String> getSettingValues() {
        Map<String, String> out = new TreeMap<>();
        inputs().inputs(false).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /** The files and directories of the path settings; their names and contents count. */
    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getSettingFiles() {
        return settingFiles;
    }

    /** The result event of the last successful run (one JSON line): image, imageId, sizes, timings. */
    @OutputFile
    public File getResultFile() {
        return new File(outputDir(), getName() + ".json");
    }

    /** checkpointImage's image.id and image.json (see shim-core's ImageOutputs); none for the other tasks. */
    @OutputFiles
    public List<File> getImageFiles() {
        return "checkpoint-image".equals(command) ? ImageOutputs.files(outputDir()) : Collections.<File>emptyList();
    }

    private File outputDir() {
        return new File(project.get().buildDir, "liberty-checkpoint");
    }

    @TaskAction
    public void run() {
        try {
            new Shim(Settings.bundled(), BuildTool.GRADLE, new GradleLog(getLogger()), binaries)
                    .run(invocation(), project.get().projectDir, GradleCancellation.of(this), getResultFile());
        } catch (ShimFailure f) {
            throw f.as(FAILURES);
        }
    }
}
