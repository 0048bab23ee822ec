package io.libertycheckpoint.maven;

import io.libertycheckpoint.shim.Log;
import io.libertycheckpoint.shim.PlatformBinaries;
import java.io.File;
import java.io.IOException;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/** What a goal needs from Maven besides its parameters: its log, its repositories, and a word on the shared goal prefix. */
final class MavenSide {
  private final AbstractCheckpointMojo mojo;

  MavenSide(AbstractCheckpointMojo mojo) {
    this.mojo = mojo;
  }

  /** shim-core's lines on Maven's log; what a build shows by default is info. */
  Log log() {
    org.apache.maven.plugin.logging.Log maven = mojo.getLog();
    return Log.of((level, line) -> {
      if (level == Log.Level.DEBUG) {
        maven.debug(line);
      } else if (level == Log.Level.WARN) {
        maven.warn(line);
      } else if (level == Log.Level.ERROR) {
        maven.error(line);
      } else {
        maven.info(line);
      }
    }, maven::isDebugEnabled);
  }

  /**
   * With liberty-maven-plugin in the POM, the prefix liberty is shared: say what makes both
   * plugins' goals work when the prefix participant did not run (the goal got here bound to a phase
   * or by its coordinates).
   */
  void warnAboutThePrefix() {
    RepositorySystemSession repo = mojo.session == null ? null : mojo.session.getRepositorySession();
    if (repo != null && LibertyMavenPlugin.find(mojo.project) != null && !Boolean.TRUE.equals(repo.getData().get(PrefixParticipant.ACTIVE))) {
      mojo.getLog().warn("liberty-checkpoint: this POM also has liberty-maven-plugin, which shares the goal prefix liberty: declare "
          + PrefixParticipant.ARTIFACT + " with <extensions>true</extensions> (or list it in .mvn/extensions.xml) so that both"
          + " mvn liberty:checkpoint-image and mvn liberty:dev work, whatever the plugins' order");
    }
  }

  /**
   * This machine's binaries, io.libertycheckpoint:liberty-checkpoint-binaries:&lt;plugin version&gt;:zip:&lt;classifier&gt;,
   * through Maven's repository system: the local repository, else the plugin repositories (and
   * the mirrors and proxies of settings.xml), as protoc's artifacts are resolved.
   */
  File resolveBinaries(String classifier) throws IOException {
    DefaultArtifact a = new DefaultArtifact(PlatformBinaries.GROUP_ID, PlatformBinaries.ARTIFACT_ID, classifier, PlatformBinaries.TYPE, mojo.pluginVersion);
    ArtifactRequest request = new ArtifactRequest(a, mojo.project.getRemotePluginRepositories(), null);
    mojo.getLog().debug("liberty-checkpoint: resolving " + a + " from " + request.getRepositories());
    try {
      return mojo.repositorySystem.resolveArtifact(mojo.session.getRepositorySession(), request).getArtifact().getFile();
    } catch (ArtifactResolutionException e) {
      throw new IOException("Maven cannot resolve " + a + ": " + e.getMessage(), e);
    }
  }
}
