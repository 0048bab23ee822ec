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
 * {@code gradle checkpointImage}: the InstantOn image from the war/ear archive
 * ({@code liberty-checkpoint checkpoint-image}: containerize, checkpoint, commit). Up to date while
 * the archive, the Liberty configuration and the settings are unchanged; the result (image id,
 * size, phase, timings) is recorded in build/liberty-checkpoint/checkpointImage.json.
 */
public class CheckpointImageTask extends LibertyCheckpointTask {
    private final FileCollection appArchive = files(Setting.APP_ARCHIVE);
    private final FileCollection serverXml = files(Setting.SERVER_XML_FILE);
    private final FileCollection configDirectory = files(Setting.CONFIG_DIRECTORY);
    private final FileCollection containerfile = files(Setting.CONTAINERFILE);
    private final FileCollection seccompProfile = files(Setting.SECCOMP_PROFILE);

    public CheckpointImageTask() {
        setDescription("Builds the Open Liberty InstantOn image of the application: containerize, checkpoint with CRIU, commit.");
    }

    @Override
    protected String command() {
        return "checkpoint-image";
    }

    @Override
    protected void addArguments(Args a) {
        a.value(Setting.BASE_IMAGE, getBaseImage())
                .value(Setting.APP_ARCHIVE, path(Setting.APP_ARCHIVE))
                .value(Setting.SERVER_XML_FILE, path(Setting.SERVER_XML_FILE))
                .value(Setting.CONFIG_DIRECTORY, path(Setting.CONFIG_DIRECTORY))
                .value(Setting.SERVER_NAME, getServerName())
                .value(Setting.CONTAINERFILE, path(Setting.CONTAINERFILE))
                .value(Setting.IMAGE, getImage())
                .value(Setting.PHASE, getPhase())
                .map(Setting.LABELS, getLabels())
                .map(Setting.ENV, getEnv())
                .flag(Setting.KEEP_APP_IMAGE, isKeepAppImage())
                .value(Setting.SECCOMP_PROFILE, path(Setting.SECCOMP_PROFILE));
    }

    @Input
    public String getImage() {
        return str(Setting.IMAGE);
    }

    @Input
    @Optional
    public String getBaseImage() {
        return str(Setting.BASE_IMAGE);
    }

    @Input
    @Optional
    public String getPhase() {
        return str(Setting.PHASE);
    }

    @Input
    @Optional
    public String getServerName() {
        return str(Setting.SERVER_NAME);
    }

    @Input
    public Map<String, String> getLabels() {
        return map(Setting.LABELS);
    }

    @Input
    public Map<String, String> getEnv() {
        return map(Setting.ENV);
    }

    @Input
    public boolean isKeepAppImage() {
        return bool(Setting.KEEP_APP_IMAGE);
    }

    /** The archive's name matters (it lands in /config/apps/ under it), not where it was built. */
    @InputFiles
    @PathSensitive(PathSensitivity.NAME_ONLY)
    public FileCollection getAppArchive() {
        return appArchive;
    }

    @InputFiles
    @PathSensitive(PathSensitivity.NONE)
    public FileCollection getServerXmlFile() {
        return serverXml;
    }

    @InputFiles
    @PathSensitive(PathSensitivity.RELATIVE)
    public FileCollection getConfigDirectory() {
        return configDirectory;
    }

    @InputFiles
    @PathSensitive(PathSensitivity.NONE)
    public FileCollection getContainerfile() {
        return containerfile;
    }

    @InputFiles
    @PathSensitive(PathSensitivity.NONE)
    public FileCollection getSeccompProfile() {
        return seccompProfile;
    }

    /** The result event of the last build: image, imageId, imageSizeBytes, phase, timings. */
    @OutputFile
    public File getResultFile() {
        return resultFileLocation();
    }
}
