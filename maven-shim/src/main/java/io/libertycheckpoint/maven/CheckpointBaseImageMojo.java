package io.libertycheckpoint.maven;

import java.io.File;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Builds the InstantOn base image (Open Liberty with a JVM that can checkpoint, and CRIU) from a
 * build context: by default beta-image/Dockerfile.ubi.openjdk11 and open-liberty:beta-checkpoint-ubi.
 */
@Mojo(name = "checkpoint-base-image", requiresProject = false, threadSafe = true)
public class CheckpointBaseImageMojo extends AbstractCheckpointMojo {
  /** Build context of the base image (default beta-image). */
  @Parameter(property = "liberty.checkpoint.contextDirectory")
  File contextDirectory;

  /** Containerfile, relative to the context or absolute (default Dockerfile.ubi.openjdk11). */
  @Parameter(property = "liberty.checkpoint.containerfile")
  String containerfile;

  /** Reference to tag the base image with (default open-liberty:beta-checkpoint-ubi). */
  @Parameter(property = "liberty.checkpoint.image")
  String image;

  /** Build arguments; also -Dliberty.checkpoint.buildArgs=K1=v1,K2=v2. */
  @Parameter
  Map<String, String> buildArgs;

  /** Image labels; also -Dliberty.checkpoint.labels=k1=v1,k2=v2. */
  @Parameter
  Map<String, String> labels;

  public CheckpointBaseImageMojo() {
    super("checkpoint-base-image");
  }

  @Override
  protected CliCommand command() throws MojoExecutionException {
    return new CliCommand("build-base-image")
        .set("contextDirectory", contextDirectory)
        .set("containerfile", containerfile)
        .set("image", image)
        .set("buildArgs", mapSetting("buildArgs", buildArgs))
        .set("labels", mapSetting("labels", labels));
  }

  @Override
  protected void report(Event r, CliRunner.Outcome o) {
    getLog().info("Built base image " + Summary.image(r));
    getLog().info("  " + Summary.timings(r));
  }
}
