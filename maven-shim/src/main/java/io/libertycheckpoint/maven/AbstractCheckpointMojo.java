package io.libertycheckpoint.maven;

import io.libertycheckpoint.shim.BuildTool;
import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.Log;
import io.libertycheckpoint.shim.PlatformBinaries;
import io.libertycheckpoint.shim.Project;
import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.Shim;
import io.libertycheckpoint.shim.ShimFailure;
import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

/**
 * A goal is one call of the liberty-checkpoint CLI, made by shim-core: this adapter hands it the
 * goal's parameters (generated from the settings table: {@code *Parameters}), the project and
 * Maven's log, and turns a failure into Maven's: what the tool reported (a bad setting, a failed
 * operation or check, a cold start) is a MojoFailureException, not being able to run it at all or
 * a cancelled build a MojoExecutionException.
 */
public abstract class AbstractCheckpointMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project.basedir}", readonly = true, required = true)
  protected File basedir;

  @Parameter(defaultValue = "${project.artifactId}", readonly = true)
  protected String artifactId;

  @Parameter(defaultValue = "${project.version}", readonly = true)
  protected String projectVersion;

  @Parameter(defaultValue = "${project.build.directory}", readonly = true)
  protected File buildDirectory;

  @Parameter(defaultValue = "${project.build.finalName}", readonly = true)
  protected String finalName;

  @Parameter(defaultValue = "${project.packaging}", readonly = true)
  protected String packaging;

  @Parameter(defaultValue = "${session.userProperties}", readonly = true)
  protected Properties userProperties = new Properties();

  /** The project model: liberty-maven-plugin's configuration and the resolved dependencies (null in unit tests). */
  @Parameter(defaultValue = "${project}", readonly = true)
  protected MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true)
  protected MavenSession session;

  /** This plugin's version: the version of the binaries it resolves. */
  @Parameter(defaultValue = "${plugin.version}", readonly = true)
  protected String pluginVersion;

  @Component
  protected RepositorySystem repositorySystem;

  @Parameter(defaultValue = "${repositorySystemSession}", readonly = true)
  protected RepositorySystemSession repositorySession;

  /** Where Maven found this plugin: where its binaries are published too. */
  @Parameter(defaultValue = "${project.remotePluginRepositories}", readonly = true)
  protected List<RemoteRepository> pluginRepositories;

  private final String command;

  protected AbstractCheckpointMojo(String command) {
    this.command = command;
  }

  /** The goal's parameters by setting key. */
  protected abstract Map<String, Object> parameters();

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    Settings table = Settings.bundled();
    warnAboutThePrefix();
    try {
      new Shim(table, BuildTool.MAVEN, new MavenLog(), this::resolveBinaries).run(invocation(table), basedir, () -> false);
    } catch (ShimFailure f) {
      if (f.kind() == ShimFailure.Kind.FAILED || f.kind() == ShimFailure.Kind.BAD_INPUT) {
        throw new MojoFailureException(f.getMessage(), f);
      }
      throw new MojoExecutionException(f.getMessage(), f);
    }
  }

  /**
   * The goal's settings. Maven applies a -D property to its parameter itself (a POM value wins, as
   * usual in Maven); a map parameter has none, so its -D text is merged here.
   */
  Invocation invocation(Settings table) throws ShimFailure {
    for (String unknown : table.unknownProperties(userProperties.stringPropertyNames())) {
      getLog().warn("liberty-checkpoint: ignoring -D" + unknown + ", which names no setting (contract/SETTINGS.md)");
    }
    String prefix = table.propertyPrefix;
    Project p = new Project(basedir, artifactId, projectVersion, () ->
        ("war".equals(packaging) || "ear".equals(packaging)) && buildDirectory != null ? new File(buildDirectory, finalName + "." + packaging) : null);
    if (buildDirectory != null) {
      p.buildDir(buildDirectory);
    }
    if (project != null) {
      p.liberty(LibertyMavenPlugin.read(project, userProperties, project.getArtifacts(), w -> getLog().warn("liberty-checkpoint: " + w)));
    }
    // -Dimage: only the command line's (the session's user properties), as Jib reads it.
    return Invocation.of(table, table.goal(command), parameters()::get, name ->
        table.get(name.substring(prefix.length())).kind == Settings.Kind.MAP ? userProperties.getProperty(name) : null,
        userProperties::getProperty, p, BuildTool.MAVEN);
  }

  /**
   * With liberty-maven-plugin in the POM, the prefix liberty is shared: say what makes both
   * plugins' goals work when the prefix participant did not run (the goal got here bound to a phase
   * or by its coordinates).
   */
  private void warnAboutThePrefix() {
    if (project == null || session == null || LibertyMavenPlugin.find(project) == null) {
      return;
    }
    Object active = session.getRepositorySession() == null ? null : session.getRepositorySession().getData().get(PrefixParticipant.ACTIVE);
    if (!Boolean.TRUE.equals(active)) {
      getLog().warn("liberty-checkpoint: this POM also has liberty-maven-plugin, which shares the goal prefix liberty: declare "
          + GoalPrefix.ARTIFACT + " with <extensions>true</extensions> (or list it in .mvn/extensions.xml) so that both"
          + " mvn liberty:checkpoint-image and mvn liberty:dev work, whatever the plugins' order");
    }
  }

  /**
   * This machine's binaries, io.libertycheckpoint:liberty-checkpoint-binaries:&lt;plugin version&gt;:zip:&lt;classifier&gt;,
   * through Maven's repository system: the local repository, else the plugin repositories (and
   * the mirrors and proxies of settings.xml), as protoc's artifacts are resolved.
   */
  private File resolveBinaries(String classifier) throws IOException {
    DefaultArtifact a = new DefaultArtifact(PlatformBinaries.GROUP_ID, PlatformBinaries.ARTIFACT_ID, classifier, PlatformBinaries.TYPE, pluginVersion);
    getLog().debug("liberty-checkpoint: resolving " + a + " from " + pluginRepositories);
    try {
      return repositorySystem.resolveArtifact(repositorySession, new ArtifactRequest(a, pluginRepositories, null)).getArtifact().getFile();
    } catch (ArtifactResolutionException e) {
      throw new IOException("Maven cannot resolve " + a + ": " + e.getMessage(), e);
    }
  }

  /** shim-core's lines on Maven's log; what a build shows by default is info. */
  private final class MavenLog implements Log {
    @Override
    public void log(Level level, String line) {
      if (level == Level.DEBUG) {
        getLog().debug(line);
      } else if (level == Level.WARN) {
        getLog().warn(line);
      } else if (level == Level.ERROR) {
        getLog().error(line);
      } else {
        getLog().info(line);
      }
    }

    @Override
    public boolean isDebug() {
      return getLog().isDebugEnabled();
    }
  }
}
