package io.libertycheckpoint.maven;

import org.apache.maven.plugins.annotations.Mojo;

/**
 * Runs the InstantOn image, waits until it is ready and verifies that it restored from its
 * checkpoint: a silent cold start fails the build. Reports the time from start to ready.
 */
@Mojo(name = "checkpoint-restore", threadSafe = true)
public class CheckpointRestoreMojo extends CheckpointRestoreParameters {}
