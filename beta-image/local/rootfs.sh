#!/usr/bin/env bash
# rootfs.sh: make a Debian forky root filesystem with debootstrap and import it into Podman as a
# base image, for machines that cannot reach a container registry. forky's criu (4.2.x) is the
# one that dumps processes with TCP sockets on current kernels (bookworm's 3.17 fails on the vDSO,
# trixie's 4.1 on SO_PASSCRED).
#
#   beta-image/local/rootfs.sh <flavor> [image]
#
# flavors:
#   criu     criu, util-linux (setpriv), libcap2-bin, dumb-init, curl: for the engine's test image
#   liberty  the above plus openjdk-21-jre-headless and unzip: for Dockerfile.local (Open Liberty)
#
# LCP_SUITE picks another Debian suite (bookworm: criu 3.17, trixie: criu 4.1); doctor's tests use
# those to show the failures above.
#
# The rootfs tarball is cached in $LCP_CACHE_DIR (default ~/.cache/liberty-checkpoint), keyed by
# suite, flavor and package list; the image is tagged localhost/lcp-rootfs:<flavor>-<key> and
# also :<flavor> (forky) or :<flavor>-<suite> (any other suite). Re-running with everything in
# place does nothing. Prints the image reference.
set -euo pipefail

flavor=${1:?usage: rootfs.sh criu|liberty [image]}
suite=${LCP_SUITE:-forky}
mirror=${LCP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${LCP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/liberty-checkpoint}

base_pkgs=criu,util-linux,libcap2-bin,dumb-init,curl,ca-certificates,procps,iproute2
case $flavor in
  criu) pkgs=$base_pkgs ;;
  liberty) pkgs=$base_pkgs,openjdk-21-jre-headless,unzip ;;
  *) echo "rootfs.sh: unknown flavor '$flavor' (criu or liberty)" >&2; exit 2 ;;
esac

key=$(printf '%s|%s|%s|%s' "$suite" "$flavor" "$pkgs" 2 | sha256sum | cut -c1-12)
image=${2:-localhost/lcp-rootfs:$flavor-$key}
alias=localhost/lcp-rootfs:$flavor
[[ $suite == forky ]] || alias=$alias-$suite
log() { printf 'rootfs.sh: %s\n' "$*" >&2; }

if podman image exists "$image"; then
  podman tag "$image" "$alias" >/dev/null
  echo "$image"
  exit 0
fi

tarball=$cache/rootfs-$flavor-$key.tar
if [[ ! -s $tarball ]]; then
  [[ $EUID -eq 0 ]] || { log "debootstrap needs root (run with sudo)"; exit 1; }
  command -v debootstrap >/dev/null || { log "debootstrap missing: run hack/setup-host.sh"; exit 1; }
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/rootfs-$flavor.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  script=/usr/share/debootstrap/scripts/$suite
  [[ -e $script ]] || script=/usr/share/debootstrap/scripts/sid # bookworm's debootstrap predates forky
  log "debootstrap $suite ($flavor: $pkgs), about a minute"
  t0=$(date +%s)
  if ! debootstrap --variant=minbase --include="$pkgs" "$suite" "$work/root" "$mirror" "$script" >"$work/debootstrap.log" 2>&1; then
    tail -n 30 "$work/debootstrap.log" >&2
    log "debootstrap failed (log above)"
    exit 1
  fi
  # Slim it: no apt lists, docs or caches in the image.
  rm -rf "$work/root"/var/lib/apt/lists/* "$work/root"/var/cache/apt/*.bin "$work/root"/var/cache/apt/archives/*.deb \
    "$work/root"/usr/share/doc/* "$work/root"/usr/share/man/* "$work/root"/usr/share/locale/*
  # Keep file capabilities in the tarball (podman import drops them otherwise).
  tar --numeric-owner --xattrs --xattrs-include=security.capability -C "$work/root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  log "rootfs ready in $(( $(date +%s) - t0 ))s: $(du -h "$tarball" | cut -f1)"
fi

podman import -q --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.opencontainers.image.title=lcp-rootfs-$flavor" \
  --change "LABEL org.opencontainers.image.description=Debian $suite rootfs ($pkgs), made by liberty-checkpoint beta-image/local/rootfs.sh" \
  "$tarball" "$image" >/dev/null
podman tag "$image" "$alias" >/dev/null
echo "$image"
