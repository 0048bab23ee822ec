#!/usr/bin/env bash
# runtime-zip.sh: download Open Liberty (io.openliberty:openliberty-runtime:<LIBERTY_VERSION>:zip,
# ~350 MB) from Maven Central into the cache once, check it against Maven Central's .sha1, and
# print its path. context.sh cuts it down for the local flavor; the UBI test serves it on loopback
# in place of Maven Central.
#
#   LIBERTY_VERSION   Open Liberty release (default 26.0.0.3)
#   LCP_MAVEN_REPO    Maven repository URL (default https://repo1.maven.org/maven2)
#   LCP_CACHE_DIR     download cache (default ~/.cache/liberty-checkpoint)
set -euo pipefail

version=${LIBERTY_VERSION:-26.0.0.3}
repo=${LCP_MAVEN_REPO:-https://repo1.maven.org/maven2}
cache=${LCP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/liberty-checkpoint}/liberty
log() { printf 'runtime-zip.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(-beta)?$ ]] || die "LIBERTY_VERSION=$version is not a release like 26.0.0.3"
mkdir -p "$cache"
full=$cache/openliberty-runtime-$version.zip
if [[ ! -s $full ]]; then
  url=$repo/io/openliberty/openliberty-runtime/$version/openliberty-runtime-$version.zip
  log "downloading $url"
  sha1=$(curl -fsSL "$url.sha1" | cut -c1-40) || die "cannot fetch $url.sha1: is LIBERTY_VERSION=$version released, and Maven Central reachable?"
  curl -fsSL -o "$full.part" "$url" || die "download of $url failed"
  echo "$sha1  $full.part" | sha1sum -c --quiet - || { rm -f "$full.part"; die "$url does not match its .sha1"; }
  mv "$full.part" "$full"
fi
echo "$full"
