#!/usr/bin/env bash
# bundle.sh DIR CLI PLUGIN: lay out the binaries a plugin jar carries, as both shims' builds take
# them (a resource root): DIR/META-INF/liberty-checkpoint/linux-amd64/{liberty-checkpoint,
# liberty-checkpoint-plugin,SHA256SUMS}. shim-core's BundledTool extracts and checks them.
set -euo pipefail
dir=$1/META-INF/liberty-checkpoint/linux-amd64
rm -rf "$1"
mkdir -p "$dir"
cp "$2" "$dir/liberty-checkpoint"
cp "$3" "$dir/liberty-checkpoint-plugin"
(cd "$dir" && sha256sum liberty-checkpoint liberty-checkpoint-plugin > SHA256SUMS)
