package io.libertycheckpoint.gradle;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

import org.gradle.api.Project;
import org.gradle.api.artifacts.Configuration;
import org.gradle.api.artifacts.dsl.RepositoryHandler;
import org.gradle.api.artifacts.repositories.ArtifactRepository;

import io.libertycheckpoint.shim.PlatformBinaries;

/**
 * This machine's binaries, io.libertycheckpoint:liberty-checkpoint-binaries:&lt;plugin version&gt;:zip:&lt;classifier&gt;,
 * from the project's repositories, as protobuf-gradle-plugin resolves protoc. The (detached,
 * unresolved) configuration is made when the task is configured, so that the task's action never
 * touches the Project, as Gradle's configuration cache requires; it resolves only when a run needs it.
 */
final class GradleBinaries implements PlatformBinaries.Resolver {
    private final String classifier;
    private final String gav;
    private final RepositoryHandler repositories;
    private final Configuration configuration;

    /** Made in the task's configure(): the only place the task may use the Project. A jar without pins fails when resolving. */
    static PlatformBinaries.Resolver of(Project project) {
        try {
            return new GradleBinaries(project, PlatformBinaries.ofJar().classifier());
        } catch (IOException e) {
            return classifier -> {
                throw e;
            };
        }
    }

    private GradleBinaries(Project project, String classifier) throws IOException {
        this.classifier = classifier;
        this.gav = PlatformBinaries.GROUP_ID + ":" + PlatformBinaries.ARTIFACT_ID + ":" + pluginVersion() + ":" + classifier + "@" + PlatformBinaries.TYPE;
        this.repositories = project.getRepositories(); // read when a resolution fails: the build script declares them after configure()
        this.configuration = project.getConfigurations().detachedConfiguration(project.getDependencies().create(gav));
    }

    /** This plugin's version: the version of the binaries it resolves. */
    static String pluginVersion() throws IOException {
        try (InputStream in = GradleBinaries.class.getResourceAsStream("version.txt")) {
            if (in == null) {
                throw new IOException("the plugin jar has no io/libertycheckpoint/gradle/version.txt (build it with make gradle-shim)");
            }
            byte[] b = new byte[256];
            int n = in.read(b);
            return new String(b, 0, Math.max(n, 0), StandardCharsets.UTF_8).trim();
        }
    }

    @Override
    public File resolve(String wanted) throws IOException {
        if (!classifier.equals(wanted)) {
            throw new IOException("the task was configured for " + gav + ", not for the classifier " + wanted);
        }
        try {
            return configuration.getSingleFile();
        } catch (RuntimeException e) {
            StringBuilder why = new StringBuilder(e.getMessage());
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                why.append(": ").append(t.getMessage());
            }
            String repos = repositories.stream().map(ArtifactRepository::getName).collect(Collectors.joining(", "));
            throw new IOException("Gradle cannot resolve " + gav + " from the project's repositories (" + (repos.isEmpty() ? "none declared" : repos) + "): " + why, e);
        }
    }
}
