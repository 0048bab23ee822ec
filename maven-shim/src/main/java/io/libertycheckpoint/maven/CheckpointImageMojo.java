package io.libertycheckpoint.maven;

import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Builds the project's Open Liberty InstantOn image: the application archive and the Liberty
 * configuration on the base image (containerize), started once and checkpointed with CRIU
 * (checkpoint), committed as the image (commit). Bound to package: {@code mvn package}, or {@code
 * mvn package liberty:checkpoint-image}.
 */
@Mojo(name = "checkpoint-image", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class CheckpointImageMojo extends CheckpointImageParameters {}
