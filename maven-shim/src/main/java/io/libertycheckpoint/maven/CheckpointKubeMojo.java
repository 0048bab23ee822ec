package io.libertycheckpoint.maven;

import org.apache.maven.plugins.annotations.Mojo;

/**
 * Writes the Kubernetes YAML (a Deployment and a Service; with openshift also the
 * SecurityContextConstraints, ServiceAccount, Role and RoleBinding) and the seccomp profile that
 * deploy the InstantOn image with the least privilege a restore needs. Runs no container.
 */
@Mojo(name = "checkpoint-kube", threadSafe = true)
public class CheckpointKubeMojo extends CheckpointKubeParameters {}
