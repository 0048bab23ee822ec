package io.libertycheckpoint.maven;

import io.libertycheckpoint.shim.BuildTool;
import io.libertycheckpoint.shim.Invocation;
import io.libertycheckpoint.shim.Log;
import io.libertycheckpoint.shim.Project;
import io.libertycheckpoint.shim.Settings;
import io.libertycheckpoint.shim.Shim;
import io.libertycheckpoint.shim.ShimFailure;
import java.io.File;
import java.util.Map;
import java.util.Properties;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

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

  private final String command;

  protected AbstractCheckpointMojo(String command) {
    this.command = command;
  }

  /** The goal's parameters by setting key. */
  protected abstract Map<String, Object> parameters();

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    Settings table = Settings.bundled();
    try {
      new Shim(table, BuildTool.MAVEN, new MavenLog()).run(invocation(table), basedir, () -> false);
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
    Project project = new Project(basedir, artifactId, projectVersion, () ->
        ("war".equals(packaging) || "ear".equals(packaging)) && buildDirectory != null ? new File(buildDirectory, finalName + "." + packaging) : null);
    return Invocation.of(table, table.goal(command), parameters()::get, name ->
        table.get(name.substring(prefix.length())).kind == Settings.Kind.MAP ? userProperties.getProperty(name) : null,
        project, BuildTool.MAVEN);
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
