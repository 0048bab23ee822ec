// Package betaimage holds the tests of the liberty-checkpoint base images: the Dockerfiles
// (parsed with BuildKit's parser), the shared helper scripts (run against stub server, criu,
// java, featureUtility, setpriv and dumb-init commands), the UBI Dockerfiles built for real on a
// registry-free stand-in of IBM Semeru's UBI image (standin/) with the downloads served on
// loopback, and the local flavor end to end with the podman CLI (build, checkpoint, commit,
// restore, fallback). The images themselves are the Dockerfiles and helpers/ beside this file.
package betaimage
