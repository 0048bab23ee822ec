package io.libertycheckpoint.gradle;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.gradle.api.BuildCancelledException;
import org.gradle.api.DefaultTask;
import org.gradle.api.GradleException;
import org.gradle.api.InvalidUserDataException;
import org.gradle.api.file.FileCollection;
import org.gradle.api.logging.LogLevel;
import org.gradle.api.provider.Provider;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.OutputFiles;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;
import org.gradle.api.tasks.TaskAction;

import io.libertycheckpoint.shim.BuildTool;
import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.Log;
import io.libertycheckpoint.shim.PlatformBinaries;
import io.libertycheckpoint.shim.Project;
import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.Shim;
import io.libertycheckpoint.shim.ShimFailure;

/**
 * One goal of the settings table as a Gradle task, run by shim-core with Gradle's log and
 * cancellation. Its inputs are its resolved settings, its outputs the result event of its last run
 * (and checkpointImage's image.id and image.json). It reads its project through one provider
 * ({@link ProjectInputs}) and touches the Project only in configure(), as the configuration cache requires.
 */
public class LibertyCheckpointTask extends DefaultTask {
    /** How Gradle spells shim-core's failures. */
    private static final Function<ShimFailure.Kind, BiFunction<String, Throwable, ? extends GradleException>> FAILURES = k ->
            k == ShimFailure.Kind.BAD_INPUT ? InvalidUserDataException::new : k == ShimFailure.Kind.CANCELLED ? BuildCancelledException::new : GradleException::new;

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
        settingFiles = getProject().files((Callable<Object>) () -> inputs().inputFiles().values());
        binaries = GradleBinaries.of(getProject());
    }

    void archiveFrom(FileCollection files) { archive = files; }

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

    @Input
    public String getTool() throws IOException { return inputs().tool(); }

    @Input
    public Map<String, String> getSettingValues() { return inputs().inputValues(); }

    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getSettingFiles() { return settingFiles; }

    @OutputFile
    public File getResultFile() { return new File(Project.outputDir(project.get().buildDir), getName() + ".json"); }

    @OutputFiles
    public List<File> getImageFiles() {
        Object out = "checkpoint-image".equals(command) ? inputs().get("outputDirectory") : null; // where the CLI writes them
        return out instanceof File ? Arrays.asList(new File((File) out, "image.id"), new File((File) out, "image.json")) : Collections.emptyList();
    }

    @TaskAction
    public void run() {
        try {
            // Steps and the summary at lifecycle, output at --info: shim-core's levels have Gradle's names.
            Log log = Log.of((level, line) -> getLogger().log(LogLevel.valueOf(level.name()), line), getLogger()::isDebugEnabled);
            new Shim(Settings.bundled(), BuildTool.GRADLE, log, binaries)
                    .run(invocation(), project.get().projectDir, GradleCancellation.of(this), getResultFile());
        } catch (ShimFailure f) {
            throw f.as(FAILURES);
        }
    }
}
