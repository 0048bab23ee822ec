package io.libertycheckpoint.maven;

import io.libertycheckpoint.shim.BuildTool;
import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.Project;
import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.Shim;
import io.libertycheckpoint.shim.ShimFailure;
import java.io.File;
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

/**
 * A goal is one call of the liberty-checkpoint CLI, made by shim-core: this adapter hands it the
 * goal's parameters (generated from the settings table), the project and Maven's log ({@link
 * MavenSide}). What the tool reported (a bad setting, a failed operation or check, a cold start) is
 * a MojoFailureException; not being able to run it, or a cancelled build, a MojoExecutionException.
 */
public abstract class AbstractCheckpointMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true)
  protected MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true)
  protected MavenSession session;

  @Parameter(defaultValue = "${session.userProperties}", readonly = true)
  protected Properties userProperties = new Properties();

  /** This plugin's version: the version of the binaries it resolves. */
  @Parameter(defaultValue = "${plugin.version}", readonly = true)
  protected String pluginVersion;

  @Component
  protected RepositorySystem repositorySystem;

  private final String command;

  protected AbstractCheckpointMojo(String command) {
    this.command = command;
  }

  /** The goal's parameters by setting key. */
  protected abstract Map<String, Object> parameters();

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    MavenSide maven = new MavenSide(this);
    maven.warnAboutThePrefix();
    try {
      new Shim(Settings.bundled(), BuildTool.MAVEN, maven.log(), maven::resolveBinaries).run(invocation(Settings.bundled()), project.getBasedir(), () -> false);
    } catch (ShimFailure f) {
      if (f.kind() == ShimFailure.Kind.FAILED || f.kind() == ShimFailure.Kind.BAD_INPUT) {
        throw new MojoFailureException(f.getMessage(), f);
      }
      throw new MojoExecutionException(f.getMessage(), f);
    }
  }

  /** The goal's settings. Maven applies a -D property to its parameter itself; a map parameter has none, so its -D text is merged here. */
  Invocation invocation(Settings table) throws ShimFailure {
    table.unknownProperties(userProperties.stringPropertyNames()).forEach(
        u -> getLog().warn("liberty-checkpoint: ignoring -D" + u + ", which names no setting (contract/SETTINGS.md)"));
    String packaging = project.getPackaging();
    File target = new File(project.getBuild().getDirectory());
    Project p = new Project(project.getBasedir(), project.getArtifactId(), project.getVersion(), () -> "war".equals(packaging)
        || "ear".equals(packaging) ? new File(target, project.getBuild().getFinalName() + "." + packaging) : null).buildDir(target)
        .liberty(LibertyMavenPlugin.read(project, userProperties, project.getArtifacts(), w -> getLog().warn("liberty-checkpoint: " + w)));
    // -Dimage: only the command line's (the session's user properties), as Jib reads it.
    return Invocation.of(table, table.goal(command), parameters()::get, name ->
        table.get(name.substring(table.propertyPrefix.length())).kind == Settings.Kind.MAP ? userProperties.getProperty(name) : null,
        userProperties::getProperty, p, BuildTool.MAVEN);
  }
}
