package io.libertycheckpoint.maven;

import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Builds the project's Open Liberty InstantOn image: the application archive and the Liberty
 * configuration on the base image (containerize), started once and checkpointed with CRIU
 * (checkpoint), committed as the image (commit). Bound to package: {@code mvn package}, or {@code
 * mvn package liberty:checkpoint-image}. It resolves the project's dependencies for
 * liberty-maven-plugin's copyDependencies.
 */
@Mojo(name = "checkpoint-image", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true,
    requiresDependencyResolution = ResolutionScope.COMPILE_PLUS_RUNTIME)
public class CheckpointImageMojo extends CheckpointImageParameters {}
