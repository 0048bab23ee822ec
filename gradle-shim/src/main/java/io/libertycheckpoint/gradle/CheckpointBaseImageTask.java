package io.libertycheckpoint.gradle;

import java.io.File;
import java.util.Map;

import org.gradle.api.file.FileCollection;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.OutputFile;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;

/**
 * {@code gradle checkpointBaseImage}: builds the InstantOn base image ({@code liberty-checkpoint
 * build-base-image}) tagged {@code baseImage}, from {@code contextDirectory}. Its Containerfile is
 * this task's own {@code containerfile} (relative to the context; the extension's
 * {@code containerfile} is the application's).
 */
public class CheckpointBaseImageTask extends LibertyCheckpointTask {
    private String containerfile;
    private final FileCollection contextDirectory = files(Setting.CONTEXT_DIRECTORY);

    public CheckpointBaseImageTask() {
        setDescription("Builds the InstantOn base image (Open Liberty with a JVM and CRIU) that checkpointImage builds on.");
    }

    @Override
    protected String command() {
        return "build-base-image";
    }

    @Override
    protected void addArguments(Args a) {
        a.value(Setting.CONTEXT_DIRECTORY, path(Setting.CONTEXT_DIRECTORY))
                .value(Setting.CONTAINERFILE, getContainerfile())
                .value(Setting.IMAGE, getBaseImage())
                .map(Setting.BUILD_ARGS, getBuildArgs())
                .map(Setting.LABELS, getLabels());
    }

    @Override
    protected String spell(String key) {
        if (Setting.IMAGE.key.equals(key)) {
            return Setting.BASE_IMAGE.spelling();
        }
        if (Setting.CONTAINERFILE.key.equals(key)) {
            return Setting.dsl(getName(), key, Setting.Kind.FILE);
        }
        return super.spell(key);
    }

    /** The base image's Containerfile, relative to contextDirectory or absolute (default: the tool's). */
    @Input
    @Optional
    public String getContainerfile() {
        return containerfile;
    }

    public void setContainerfile(String v) {
        containerfile = v;
    }

    public void setContainerfile(File v) {
        containerfile = v == null ? null : v.getPath();
    }

    @Input
    @Optional
    public String getBaseImage() {
        return str(Setting.BASE_IMAGE);
    }

    @Input
    public Map<String, String> getBuildArgs() {
        return map(Setting.BUILD_ARGS);
    }

    @Input
    public Map<String, String> getLabels() {
        return map(Setting.LABELS);
    }

    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getContextDirectory() {
        return contextDirectory;
    }

    @OutputFile
    public File getResultFile() {
        return resultFileLocation();
    }
}
