#!/usr/bin/env bash
# rootless.sh: run liberty-checkpoint as the ordinary user hack/setup-host.sh prepares for rootless
# Podman (ROOTLESS_USER, default lcp-rootless), from root's shell.
#
#   hack/rootless.sh share-base [IMAGE]   copy root's local base image into the user's storage
#                                         (podman save | podman load; skipped when it is there)
#   hack/rootless.sh run CMD [ARG...]     run CMD as the user, in this directory, with a clean
#                                         login-like environment (its own storage and socket)
#   hack/rootless.sh demo                 share-base, then hack/demo.sh as the user (make demo ROOTLESS=1)
set -euo pipefail
cd "$(dirname "$0")/.."

user=${ROOTLESS_USER:-lcp-rootless}
base=${BASE_LOCAL_IMAGE:-localhost/open-liberty:local-checkpoint}
die() { printf 'rootless: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root: it switches to $user with runuser (an ordinary user runs hack/demo.sh directly)"
uid=$(id -u "$user" 2>/dev/null) || die "no user $user: run make setup (hack/setup-host.sh)"
home=$(getent passwd "$user" | cut -d: -f6)
[[ -d /run/user/$uid ]] || die "/run/user/$uid is missing: run make setup (hack/setup-host.sh)"
as=(runuser -u "$user" -- env -i "HOME=$home" "USER=$user" "XDG_RUNTIME_DIR=/run/user/$uid"
  "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" "LANG=C.UTF-8" "TERM=${TERM:-dumb}")

share_base() {
  local image=${1:-$base} want have
  want=$(podman image inspect --format '{{.Id}}' "$image") || die "$image is not in root's storage: run make base-local"
  have=$("${as[@]}" podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  [[ $want == "$have" ]] && return
  printf 'rootless: loading %s into the storage of %s (podman save | podman load)\n' "$image" "$user" >&2
  local start=$SECONDS
  podman save --format oci-archive "$image" | "${as[@]}" podman load -q >/dev/null
  printf 'rootless: loaded in %d s\n' $((SECONDS - start)) >&2
}

case ${1:-} in
share-base) share_base "${2:-}" ;;
run) shift; exec "${as[@]}" "$@" ;;
demo)
  share_base
  # The repository must be readable by the user: the demo runs bin/ and reads the sample's WAR.
  runuser -u "$user" -- test -r sample/target/sample.war -a -x bin/liberty-checkpoint ||
    die "$user cannot read $(pwd)/sample/target/sample.war or run bin/liberty-checkpoint: give others read access to the checkout"
  exec "${as[@]}" DEMO_IMAGE="${DEMO_IMAGE:-localhost/liberty-checkpoint-sample:1.0-instanton}" hack/demo.sh
  ;;
*) sed -n '2,10p' "$0" >&2; exit 2 ;;
esac
