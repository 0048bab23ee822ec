package io.libertycheckpoint.maven;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * What every goal shares: the settings all goals take, running the CLI once, and mapping its
 * outcome to the build's. A goal supplies the command and reports the result.
 */
public abstract class AbstractCheckpointMojo extends AbstractMojo {

  /** The liberty-checkpoint binary to run instead of the one this plugin carries (needed off linux-amd64). */
  @Parameter(property = "liberty.checkpoint.executable")
  protected File executable;

  /** Skip this goal. */
  @Parameter(property = "liberty.checkpoint.skip", defaultValue = "false")
  protected boolean skip;

  /** Podman service URI; default $CONTAINER_HOST, the default socket, or a transient service. */
  @Parameter(property = "liberty.checkpoint.podmanUrl")
  protected String podmanUrl;

  /** Give up after this long: a Go duration such as 10m, or seconds. Default: per operation. */
  @Parameter(property = "liberty.checkpoint.timeout")
  protected String timeout;

  @Parameter(defaultValue = "${project.basedir}", readonly = true, required = true)
  protected File basedir;

  @Parameter(defaultValue = "${project.artifactId}", readonly = true)
  protected String artifactId;

  @Parameter(defaultValue = "${project.version}", readonly = true)
  protected String projectVersion;

  @Parameter(defaultValue = "${session.userProperties}", readonly = true)
  protected Properties userProperties;

  private final String goal;

  protected AbstractCheckpointMojo(String goal) {
    this.goal = goal;
  }

  /** The CLI call for this goal, from its settings. */
  protected abstract CliCommand command() throws MojoExecutionException;

  /** Reports the result; fails the build when the result says so (doctor, restore). */
  protected abstract void report(Event result, CliRunner.Outcome outcome) throws MojoFailureException;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    String name = "liberty:" + goal;
    if (skip) {
      getLog().info("Skipping " + name + " (" + Settings.mavenSpelling("skip") + " is true)");
      return;
    }
    CliCommand cmd = cliCommand();
    Path exe = executable();
    Suggestions suggest = new Suggestions();
    CliRunner.Outcome o;
    try {
      o = new CliRunner(getLog()).run(exe, cmd, basedir);
    } catch (IOException e) {
      throw suggest.cannotStart(name, exe.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MojoExecutionException(name + " was interrupted", e);
    }
    if (o.error != null && "Canceled".equals(o.error.str("code"))) {
      throw new MojoExecutionException(name + " was cancelled: " + o.error.str("message"));
    }
    if (o.error != null) {
      throw suggest.failure(name, o.error);
    }
    if (o.result == null) {
      throw suggest.died(name, o);
    }
    report(o.result, o);
    if (o.exitCode != 0) {
      throw suggest.died(name, o);
    }
  }

  /** The whole CLI call: the goal's settings and those every goal takes. */
  CliCommand cliCommand() throws MojoExecutionException {
    CliCommand cmd = command().set("podmanUrl", podmanUrl).set("timeout", timeout);
    if (getLog().isDebugEnabled()) {
      cmd.raw("--log-level", "debug");
    }
    return cmd;
  }

  /** The executable to run: the configured one, else the bundled one, extracted once. */
  private Path executable() throws MojoExecutionException {
    if (executable != null) {
      Path exe = executable.toPath().toAbsolutePath().normalize();
      if (!Files.isRegularFile(exe) || !Files.isExecutable(exe)) {
        throw new MojoExecutionException(Settings.mavenSpelling("executable") + ": " + exe
            + (Files.exists(exe) ? " is not an executable file" : " does not exist")
            + "\n  fix: point it at a liberty-checkpoint binary (with liberty-checkpoint-plugin beside it; make build puts both in bin/),"
            + " or leave it unset to use the one this plugin carries");
      }
      return exe;
    }
    String why = BundledExecutable.unsupportedReason(System.getProperty("os.name"), System.getProperty("os.arch"));
    if (why != null) {
      throw new MojoExecutionException(why);
    }
    try {
      Path cli = BundledExecutable.extract();
      getLog().debug("using the bundled " + cli);
      return cli;
    } catch (IOException e) {
      throw new MojoExecutionException("cannot extract the bundled liberty-checkpoint into " + BundledExecutable.cacheRoot()
          + ": " + e.getMessage() + "\n  fix: make that directory writable (or set $XDG_CACHE_HOME), or set "
          + Settings.mavenSpelling("executable"), e);
    }
  }

  /** The project's InstantOn image name: localhost/artifactid:version-instanton. */
  protected String defaultImage() {
    String name = artifactId == null ? "app" : artifactId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    String tag = (projectVersion == null ? "latest" : projectVersion).replaceAll("[^A-Za-z0-9_.-]", "-");
    return "localhost/" + name + ":" + tag + "-instanton";
  }

  /** A key=value setting: the POM's map, with -Dliberty.checkpoint.key=k1=v1,k2=v2 on top. */
  protected Map<String, String> mapSetting(String key, Map<String, String> fromPom) throws MojoExecutionException {
    Map<String, String> out = new LinkedHashMap<>();
    if (fromPom != null) {
      out.putAll(fromPom);
    }
    String prop = userProperties == null ? null : userProperties.getProperty(Settings.PROPERTY_PREFIX + key);
    if (prop != null && !prop.isBlank()) {
      for (String pair : prop.split(",")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new MojoExecutionException("-D" + Settings.PROPERTY_PREFIX + key + ": \"" + pair.trim()
              + "\" is not key=value\n  fix: write -D" + Settings.PROPERTY_PREFIX + key + "=k1=v1,k2=v2");
        }
        out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
    }
    return out;
  }
}
