package io.libertycheckpoint.gradle;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import io.libertycheckpoint.shim.Event;
import io.libertycheckpoint.shim.ImageOutputs;
import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.Log;
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
        settingFiles = getProject().files((Callable<Object>) () -> settings(true).values());
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

    private static Settings table() {
        return Settings.bundled();
    }

    /** The goal's settings, resolved now from the project's inputs. */
    Invocation invocation() throws ShimFailure {
        ProjectInputs in = project.get();
        FileCollection files = archive;
        io.libertycheckpoint.shim.Project p = new io.libertycheckpoint.shim.Project(in.projectDir, in.name, in.version,
                () -> files == null || files.isEmpty() ? null : files.getFiles().iterator().next()).buildDir(in.buildDir).liberty(in.liberty);
        return Invocation.of(table(), table().goal(command), in.script::get, in.properties::get, in.commandLine::get, p, BuildTool.GRADLE);
    }

    private Invocation inputs() {
        try {
            return invocation();
        } catch (ShimFailure f) {
            throw new InvalidUserDataException(f.getMessage(), f);
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

    /** The resolved settings but the executable (the tool is its own input): the files, or the rest. */
    private Map<String, Object> settings(boolean files) {
        Map<String, Object> out = new TreeMap<>();
        Invocation inv = inputs();
        inv.values().forEach((k, v) -> {
            if (v instanceof File == files && !"executable".equals(k)) {
                out.put(k, v);
            }
        });
        // The files the image's /config gets besides the configuration directory (liberty-gradle-plugin's).
        inv.layout().entries().forEach((path, v) -> {
            if (v instanceof File == files) {
                out.put("config:" + path, v);
            }
        });
        return out;
    }

    @Input
    public Map<String, String> getSettingValues() {
        Map<String, String> out = new TreeMap<>();
        settings(false).forEach((k, v) -> out.put(k, String.valueOf(v)));
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
        File resultFile = getResultFile();
        if (resultFile.exists() && !resultFile.delete()) {
            throw new GradleException("cannot remove the previous result " + resultFile);
        }
        Event result;
        try {
            result = new Shim(table(), BuildTool.GRADLE, new GradleLog(), binaries)
                    .run(invocation(), project.get().projectDir, GradleCancellation.of(this));
        } catch (ShimFailure f) {
            switch (f.kind()) {
                case BAD_INPUT:
                    throw new InvalidUserDataException(f.getMessage(), f);
                case CANCELLED:
                    throw new BuildCancelledException(f.getMessage(), f);
                default:
                    throw new GradleException(f.getMessage(), f);
            }
        }
        if (result != null) {
            try {
                Files.createDirectories(resultFile.getParentFile().toPath());
                Files.write(resultFile.toPath(), (result.raw() + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new GradleException("cannot write " + resultFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** shim-core's lines on Gradle's log: steps and the summary at lifecycle, output at --info. */
    private final class GradleLog implements Log {
        @Override
        public void log(Level level, String line) {
            getLogger().log(LogLevel.valueOf(level.name()), line); // the same names
        }

        @Override
        public boolean isDebug() {
            return getLogger().isDebugEnabled();
        }
    }
}
