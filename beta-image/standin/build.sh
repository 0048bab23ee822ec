#!/usr/bin/env bash
# build.sh: build the UBI stand-in base image (Containerfile beside this script) on the forky
# rootfs that the local flavor uses (local/rootfs.sh liberty), and print its reference. The image
# is tagged localhost/lcp-ubi-standin:<key>, the key being a hash of this folder and the rootfs
# image id: when that image exists nothing is built, so the stand-in costs its build once per
# machine (a few seconds) and stays cached between test runs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rootfs=$("$here/../local/rootfs.sh" liberty | tail -n 1)
rootfs_id=$(podman image inspect --format '{{.Id}}' "$rootfs")
key=$( (cd "$here" && sha256sum Containerfile yum build.sh; echo "$rootfs_id") | sha256sum | cut -c1-12)
image=localhost/lcp-ubi-standin:$key

if ! podman image exists "$image"; then
  printf 'standin/build.sh: building %s on %s\n' "$image" "$rootfs" >&2
  podman build -q --layers=false --build-arg "ROOTFS_IMAGE=$rootfs" -t "$image" "$here" >/dev/null
fi
echo "$image"
