// Package podman implements engine.Engine with Podman's Go bindings against a Podman service
// (podman system service), and CRIU inside the images. One file per concern: connection.go
// (which service, and a transient one when none answers), cleanup.go (removing what a call
// created, also on failure and cancel), images.go and containerfile.go (builds), containerize.go,
// checkpoint.go, commit.go, restore.go with readiness.go and verdict.go, chain.go
// (checkpoint-image) and doctor.go.
//
// Only the plugin binary links this package; the host never does.
package podman
