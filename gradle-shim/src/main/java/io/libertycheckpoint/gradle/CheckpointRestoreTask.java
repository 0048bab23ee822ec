package io.libertycheckpoint.gradle;

import java.util.List;
import java.util.Map;

import org.gradle.api.file.FileCollection;
import org.gradle.api.tasks.Input;
import org.gradle.api.tasks.InputFiles;
import org.gradle.api.tasks.Optional;
import org.gradle.api.tasks.PathSensitive;
import org.gradle.api.tasks.PathSensitivity;

/**
 * {@code gradle checkpointRestore}: runs the InstantOn image ({@code liberty-checkpoint restore}),
 * waits until it is ready and reports whether it restored from the checkpoint or fell back to a
 * cold start, and how long it took. Never up to date: it measures the image as it is now.
 */
public class CheckpointRestoreTask extends LibertyCheckpointTask {
    private final FileCollection seccompProfile = files(Setting.SECCOMP_PROFILE);

    public CheckpointRestoreTask() {
        setDescription("Restores the InstantOn image, waits until it is ready and reports restored or cold start, with the time.");
        getOutputs().upToDateWhen(t -> false);
    }

    @Override
    protected String command() {
        return "restore";
    }

    @Override
    protected void addArguments(Args a) {
        a.value(Setting.IMAGE, getImage())
                .list(Setting.PORTS, getPorts())
                .map(Setting.ENV, getEnv())
                .value(Setting.READY_URL, getReadyUrl())
                .value(Setting.READY_LOG, getReadyLog())
                .flag(Setting.DISABLE_RECOVERY, isDisableRecovery())
                .flag(Setting.KEEP_RUNNING, isKeepRunning())
                .value(Setting.CONTAINER_NAME, getContainerName())
                .value(Setting.SECCOMP_PROFILE, path(Setting.SECCOMP_PROFILE));
    }

    @Input
    public String getImage() {
        return str(Setting.IMAGE);
    }

    @Input
    public List<String> getPorts() {
        return list(Setting.PORTS);
    }

    @Input
    public Map<String, String> getEnv() {
        return map(Setting.ENV);
    }

    @Input
    @Optional
    public String getReadyUrl() {
        return str(Setting.READY_URL);
    }

    @Input
    @Optional
    public String getReadyLog() {
        return str(Setting.READY_LOG);
    }

    @Input
    public boolean isDisableRecovery() {
        return bool(Setting.DISABLE_RECOVERY);
    }

    @Input
    public boolean isKeepRunning() {
        return bool(Setting.KEEP_RUNNING);
    }

    @Input
    @Optional
    public String getContainerName() {
        return str(Setting.CONTAINER_NAME);
    }

    @InputFiles
    @PathSensitive(PathSensitivity.NONE)
    public FileCollection getSeccompProfile() {
        return seccompProfile;
    }
}
