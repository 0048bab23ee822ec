// Package e2e runs the product end to end as a user does: the liberty-checkpoint CLI launching
// the real plugin, the registry-free Open Liberty base image (beta-image/local), the sample
// application, real Podman and real CRIU. It asserts what matters to a user: the server restored
// (not a silent cold start), the application answers with its content, the InstantOn image does
// not re-run its checkpoint, and nothing is left behind.
//
// faults_test.go does the same under faults (the README's Reliability table): the CLI and the
// plugin killed or signalled in the middle of each operation, Podman stopped during a commit,
// applications that cannot start, bad names, and operations run side by side; after each it
// counts the containers, temporary images, locks, temporary directories and processes left.
//
// rootless_test.go runs the sample's chain and doctor as the ordinary user hack/setup-host.sh
// prepares (lcp-rootless), with rootless Podman and that user's own storage; its checkpoint run is
// in the host's network (--network host), and it restores through slirp4netns and, asked for, in
// the host's network.
package e2e
