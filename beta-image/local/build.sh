#!/usr/bin/env bash
# build.sh [IMAGE]: build the local-flavor base image (default localhost/open-liberty:local-checkpoint)
# from scratch on a machine without registry access: the forky rootfs (rootfs.sh liberty), the
# build context with a real Open Liberty from Maven Central (context.sh), then the image itself.
# With LCP_CLI=path/to/liberty-checkpoint the image is built by the tool (build-base-image), else
# by podman build. Nothing is rebuilt when the image already carries the hash of the same context.
# Prints the image reference.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image=${1:-localhost/open-liberty:local-checkpoint}
dir=${LCP_BASE_CONTEXT:-out/base-local}
log() { printf 'build.sh: %s\n' "$*" >&2; }

"$here/rootfs.sh" liberty >/dev/null
"$here/context.sh" "$dir" >/dev/null
rootfs_id=$(podman image inspect --format '{{.Id}}' localhost/lcp-rootfs:liberty)
key=$( (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum; echo "$rootfs_id") | sha256sum | cut -c1-16)

if [[ "$(podman image inspect --format '{{index .Labels "io.liberty-checkpoint.context"}}' "$image" 2>/dev/null || true)" == "$key" ]]; then
  echo "$image"
  exit 0
fi
log "building $image"
if [[ -n ${LCP_CLI:-} ]]; then
  "$LCP_CLI" build-base-image --context "$dir" --containerfile Dockerfile --image "$image" \
    --label "io.liberty-checkpoint.context=$key" >&2
else
  podman build -q --layers=false --label "io.liberty-checkpoint.context=$key" -t "$image" "$dir" >/dev/null
fi
echo "$image"
