package io.libertycheckpoint.maven;

import org.apache.maven.plugins.annotations.Mojo;

/**
 * Builds the InstantOn base image (Open Liberty with a JVM that can checkpoint, and CRIU), tagged
 * baseImage, from contextDirectory and its baseContainerfile: by default
 * beta-image/Dockerfile.ubi.openjdk11 and open-liberty:beta-checkpoint-ubi.
 */
@Mojo(name = "checkpoint-base-image", requiresProject = false, threadSafe = true)
public class CheckpointBaseImageMojo extends CheckpointBaseImageParameters {}
