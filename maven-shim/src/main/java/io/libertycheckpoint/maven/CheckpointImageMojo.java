package io.libertycheckpoint.maven;

import java.io.File;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Builds the project's Open Liberty InstantOn image: the application archive and the Liberty
 * configuration on the base image (containerize), started once and checkpointed with CRIU
 * (checkpoint), committed as the image (commit). Run after package: {@code mvn package
 * liberty:checkpoint-image}.
 */
@Mojo(name = "checkpoint-image", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class CheckpointImageMojo extends AbstractCheckpointMojo {
  /** Base image the application image is built on (default open-liberty:beta-checkpoint-ubi). */
  @Parameter(property = "liberty.checkpoint.baseImage")
  String baseImage;

  /** The application archive (default: the project's .war or .ear in the build directory). */
  @Parameter(property = "liberty.checkpoint.appArchive")
  File appArchive;

  /** server.xml copied to /config/ (default: server.xml in configDirectory). */
  @Parameter(property = "liberty.checkpoint.serverXmlFile")
  File serverXmlFile;

  /** Liberty configuration directory copied to /config/ (default src/main/liberty/config, when it exists). */
  @Parameter(property = "liberty.checkpoint.configDirectory")
  File configDirectory;

  /** Liberty server name (default defaultServer). */
  @Parameter(property = "liberty.checkpoint.serverName")
  String serverName;

  /** Your own Containerfile instead of the generated one. */
  @Parameter(property = "liberty.checkpoint.containerfile")
  File containerfile;

  /** The InstantOn image to create (default localhost/artifactId:version-instanton). */
  @Parameter(property = "liberty.checkpoint.image")
  String image;

  /** Checkpoint phase: beforeAppStart or afterAppStart (default afterAppStart). */
  @Parameter(property = "liberty.checkpoint.phase")
  String phase;

  /** Image labels; also -Dliberty.checkpoint.labels=k1=v1,k2=v2. */
  @Parameter
  Map<String, String> labels;

  /** Environment of the checkpoint run; also -Dliberty.checkpoint.env=K1=v1,K2=v2. */
  @Parameter
  Map<String, String> env;

  /** Keep the intermediate application image (image-app). */
  @Parameter(property = "liberty.checkpoint.keepAppImage", defaultValue = "false")
  boolean keepAppImage;

  /** Seccomp profile JSON for the checkpoint run (default: unconfined, as Open Liberty documents). */
  @Parameter(property = "liberty.checkpoint.seccompProfile")
  File seccompProfile;

  @Parameter(defaultValue = "${project.build.directory}", readonly = true)
  File buildDirectory;

  @Parameter(defaultValue = "${project.build.finalName}", readonly = true)
  String finalName;

  @Parameter(defaultValue = "${project.packaging}", readonly = true)
  String packaging;

  public CheckpointImageMojo() {
    super("checkpoint-image");
  }

  @Override
  protected CliCommand command() throws MojoExecutionException {
    File config = configDirectory != null ? configDirectory : new File(basedir, "src/main/liberty/config");
    return new CliCommand("checkpoint-image")
        .set("baseImage", baseImage)
        .set("appArchive", appArchive != null ? appArchive : projectArchive())
        .set("serverXmlFile", serverXmlFile)
        .set("configDirectory", configDirectory != null || config.isDirectory() ? config : null)
        .set("serverName", serverName)
        .set("containerfile", containerfile)
        .set("image", image != null ? image : defaultImage())
        .set("phase", phase)
        .set("labels", mapSetting("labels", labels))
        .set("env", mapSetting("env", env))
        .set("keepAppImage", keepAppImage)
        .set("seccompProfile", seccompProfile);
  }

  /** target/finalName.war or .ear for war and ear projects; other packagings must set appArchive. */
  private File projectArchive() {
    boolean app = "war".equals(packaging) || "ear".equals(packaging);
    return app && buildDirectory != null ? new File(buildDirectory, finalName + "." + packaging) : null;
  }

  @Override
  protected void report(Event r, CliRunner.Outcome o) {
    getLog().info("Built InstantOn image " + Summary.image(r));
    getLog().info("  " + Summary.timings(r));
    getLog().info("  try it: mvn liberty:checkpoint-restore -Dliberty.checkpoint.image=" + r.str("image") + " -Dliberty.checkpoint.ports=9080");
  }
}
