// Package betaimage holds the tests of the liberty-checkpoint base images: the Dockerfiles
// (parsed with BuildKit's parser), the shared helper scripts (run against stub server, criu,
// setpriv and dumb-init commands), and the local flavor end to end with the podman CLI
// (build, checkpoint, commit, restore, fallback). The images themselves are the Dockerfiles
// and helpers/ beside this file.
package betaimage
