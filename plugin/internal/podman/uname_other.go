//go:build !unix

package podman

// localUname has no uname to read on this host (Windows): Podman never runs here, and the restore
// check asks the Podman host through podman info instead.
func localUname() (release, machine string, ok bool) { return "", "", false }
