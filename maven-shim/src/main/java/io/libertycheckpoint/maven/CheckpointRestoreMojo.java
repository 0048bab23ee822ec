package io.libertycheckpoint.maven;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Runs the InstantOn image, waits until it is ready and verifies that it restored from its
 * checkpoint: a silent cold start fails the build. Reports the time from start to ready.
 */
@Mojo(name = "checkpoint-restore", threadSafe = true)
public class CheckpointRestoreMojo extends AbstractCheckpointMojo {
  /** The InstantOn image to run (default localhost/artifactId:version-instanton). */
  @Parameter(property = "liberty.checkpoint.image")
  String image;

  /** Ports to publish, [[ip:]hostPort:]containerPort[/tcp|udp]; ip defaults to 127.0.0.1. */
  @Parameter(property = "liberty.checkpoint.ports")
  List<String> ports;

  /** Environment of the restored container; also -Dliberty.checkpoint.env=K1=v1,K2=v2. */
  @Parameter
  Map<String, String> env;

  /** Readiness HTTP path or URL (default / on the first published port). */
  @Parameter(property = "liberty.checkpoint.readyUrl")
  String readyUrl;

  /** Readiness log text (default CWWKF0011I when no port is published). */
  @Parameter(property = "liberty.checkpoint.readyLog")
  String readyLog;

  /** Fail instead of falling back to a cold start when the restore fails. */
  @Parameter(property = "liberty.checkpoint.disableRecovery", defaultValue = "false")
  boolean disableRecovery;

  /** Leave the restored container running. */
  @Parameter(property = "liberty.checkpoint.keepRunning", defaultValue = "false")
  boolean keepRunning;

  /** Container name (default: unique generated). */
  @Parameter(property = "liberty.checkpoint.containerName")
  String containerName;

  /** Seccomp profile JSON for the restored container (default: unconfined). */
  @Parameter(property = "liberty.checkpoint.seccompProfile")
  File seccompProfile;

  public CheckpointRestoreMojo() {
    super("checkpoint-restore");
  }

  @Override
  protected CliCommand command() throws MojoExecutionException {
    return new CliCommand("restore")
        .set("image", image != null ? image : defaultImage())
        .set("ports", ports)
        .set("env", mapSetting("env", env))
        .set("readyUrl", readyUrl)
        .set("readyLog", readyLog)
        .set("disableRecovery", disableRecovery)
        .set("keepRunning", keepRunning)
        .set("containerName", containerName)
        .set("seccompProfile", seccompProfile);
  }

  @Override
  protected void report(Event r, CliRunner.Outcome o) throws MojoFailureException {
    Event restore = r.obj("restore");
    String ready = restore.num("readyMs") + " ms";
    if (!"restored".equals(restore.str("verdict"))) {
      throw new MojoFailureException("liberty:checkpoint-restore: " + r.str("image") + " fell back to a cold start (verdict "
          + restore.str("verdict") + ", ready in " + ready + "): the checkpoint was not used"
          + "\n  fix: run mvn liberty:checkpoint-doctor -Dliberty.checkpoint.image=" + r.str("image")
          + " (CRIU in the image must suit this host's kernel); /logs/checkpoint/restore.log in the container says why");
    }
    getLog().info(r.str("image") + ": restored from checkpoint, ready in " + ready);
    Summary.restoreDetail(r).forEach(getLog()::info);
  }
}
