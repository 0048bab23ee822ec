package io.libertycheckpoint.maven;

import org.apache.maven.plugins.annotations.Mojo;

/**
 * Pushes the InstantOn image to its registry through Podman and records the registry's digest in
 * target/liberty-checkpoint/image.digest, so CI can pin what it pushed.
 */
@Mojo(name = "checkpoint-push", threadSafe = true)
public class CheckpointPushMojo extends CheckpointPushParameters {}
