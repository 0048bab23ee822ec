package io.libertycheckpoint.maven;

import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Checks that this host, its Podman and (given an image) CRIU inside that image can checkpoint and
 * restore; prints one line per check with its fix and fails the build when a check fails.
 */
@Mojo(name = "checkpoint-doctor", requiresProject = false, threadSafe = true)
public class CheckpointDoctorMojo extends AbstractCheckpointMojo {
  /** An image to check as well: CRIU in it, and for an InstantOn image the kernel and CPU it was checkpointed on. */
  @Parameter(property = "liberty.checkpoint.image")
  String image;

  public CheckpointDoctorMojo() {
    super("checkpoint-doctor");
  }

  @Override
  protected CliCommand command() throws MojoExecutionException {
    return new CliCommand("doctor").set("image", image);
  }

  @Override
  protected void report(Event r, CliRunner.Outcome o) throws MojoFailureException {
    Event d = r.obj("doctor");
    String counts = d.num("ok") + " ok, " + d.num("warn") + " warn, " + d.num("fail") + " fail, " + d.num("skip") + " skipped";
    if (d.num("fail") == 0) {
      getLog().info("Doctor: " + counts);
      return;
    }
    StringBuilder b = new StringBuilder("liberty:checkpoint-doctor: " + counts);
    for (Event c : o.failedChecks) {
      b.append("\n  ").append(c.str("id")).append(": ").append(c.str("found"));
      if (!c.str("fix").isEmpty()) {
        b.append("\n    fix: ").append(c.str("fix"));
      }
    }
    throw new MojoFailureException(b.toString());
  }
}
