package io.libertycheckpoint.maven;

import org.apache.maven.plugins.annotations.Mojo;

/**
 * Checks that this host, its Podman and (given an image) CRIU inside that image can checkpoint and
 * restore; prints one line per check with its fix and fails the build when a check fails.
 */
@Mojo(name = "checkpoint-doctor", requiresProject = false, threadSafe = true)
public class CheckpointDoctorMojo extends CheckpointDoctorParameters {}
