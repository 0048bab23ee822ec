#!/usr/bin/env bash
# context.sh [DIR]: lay out the self-contained build context of Dockerfile.local in DIR (default
# out/base-local): Dockerfile (a copy of beta-image/Dockerfile.local with the version and the
# features filled in), helpers/ and wlp.zip, a real Open Liberty from Maven Central cut down to
# the features the image offers. Prints DIR.
#
#   LIBERTY_VERSION   Open Liberty release (default 26.0.0.3): io.openliberty:openliberty-runtime:<v>:zip
#   LIBERTY_FEATURES  features to keep (default "servlet-6.0 pages-3.1 restfulWS-3.1 jsonb-3.0 cdi-4.0 mpHealth-4.0")
#   LCP_MAVEN_REPO    Maven repository URL (default https://repo1.maven.org/maven2)
#   LCP_CACHE_DIR     download cache (default ~/.cache/liberty-checkpoint)
#   LCP_ROOTFS_IMAGE  the image that runs the cut-down step (default localhost/lcp-rootfs:liberty)
#
# The full runtime zip (~350 MB, checked against Maven Central's .sha1; runtime-zip.sh) and the cut-down zip
# (~45 MB, made by `server package --include=minify` inside the rootfs image, so the host needs no
# Java) are cached, with the list of every feature the cut-down zip holds (.features beside it,
# which the image records in its io.liberty-checkpoint.liberty-installed-features label, so that
# containerize can say which features an application needs and the base lacks before building);
# a second run only copies files.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
beta=$(dirname "$here")
version=${LIBERTY_VERSION:-26.0.0.3}
features=${LIBERTY_FEATURES:-servlet-6.0 pages-3.1 restfulWS-3.1 jsonb-3.0 cdi-4.0 mpHealth-4.0}
cache=${LCP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/liberty-checkpoint}/liberty
rootfs=${LCP_ROOTFS_IMAGE:-localhost/lcp-rootfs:liberty}
dir=${1:-out/base-local}
log() { printf 'context.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(-beta)?$ ]] || die "LIBERTY_VERSION=$version is not a release like 26.0.0.3"
read -r -a feature_list <<<"$features"
(( ${#feature_list[@]} > 0 )) || die "LIBERTY_FEATURES is empty: name at least one feature, e.g. servlet-6.0"
for f in "${feature_list[@]}"; do
  [[ $f =~ ^[A-Za-z][A-Za-z0-9.]*-[0-9]+\.[0-9]+$ ]] || die "LIBERTY_FEATURES: \"$f\" is not a feature name like servlet-6.0"
done
mkdir -p "$cache"

# 1. The full runtime from Maven Central, verified.
full=$("$here/runtime-zip.sh")  # LIBERTY_VERSION, LCP_MAVEN_REPO, LCP_CACHE_DIR pass through

# 2. Cut down to the features (and their dependencies) with Liberty's own minify.
key=$(printf '%s\n' "${feature_list[@]}" | tr '[:upper:]' '[:lower:]' | sort -u | sha256sum | cut -c1-12)
small=$cache/wlp-$version-$key.zip
if [[ ! -s $small ]]; then
  podman image exists "$rootfs" || die "$rootfs is missing: run beta-image/local/rootfs.sh liberty (make base-local does)"
  log "minifying Open Liberty $version to: ${feature_list[*]}"
  rm -f "${small%.zip}.part.zip"
  server_xml="<server><featureManager>$(printf '<feature>%s</feature>' "${feature_list[@]}")</featureManager></server>"
  podman run --rm --name "lcp-image-minify-$$" --network none --user 0 \
    -v "$cache:/cache:z" -e "SERVER_XML=$server_xml" "$rootfs" bash -euc "
      work=\$(mktemp -d); cd \"\$work\"
      unzip -q /cache/$(basename "$full")
      wlp/bin/server create pkg >/dev/null
      printf '%s\n' \"\$SERVER_XML\" > wlp/usr/servers/pkg/server.xml
      wlp/bin/server package pkg --archive=/cache/$(basename "$small" .zip).part.zip --include=minify >/dev/null
      chown $(id -u):$(id -g) /cache/$(basename "$small" .zip).part.zip" ||
    die "server package --include=minify failed: check LIBERTY_FEATURES=\"$features\" (every name must be an Open Liberty $version feature)"
  mv "${small%.zip}.part.zip" "$small"
fi
# Every feature the cut-down zip holds (their IBM-ShortName): the ones asked for and what they need.
if [[ ! -s ${small%.zip}.features ]]; then
  podman image exists "$rootfs" || die "$rootfs is missing: run beta-image/local/rootfs.sh liberty (make base-local does)"
  podman run --rm --name "lcp-image-features-$$" --network none --user 0 -v "$cache:/cache:z" "$rootfs" bash -euc "
      unzip -p /cache/$(basename "$small") 'wlp/lib/features/*.mf' | tr -d '\r' |
        sed -n 's/^IBM-ShortName: *//p' | sort -fu | tr '\n' ' '" >"${small%.zip}.features.part" ||
    die "cannot list the features of $small"
  mv "${small%.zip}.features.part" "${small%.zip}.features"
fi
installed=$(sed 's/ *$//' "${small%.zip}.features")

# 3. The build context.
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$beta/helpers" "$dir/helpers"
ln "$small" "$dir/wlp.zip" 2>/dev/null || cp "$small" "$dir/wlp.zip"
sed -e "s/^ARG LIBERTY_VERSION=.*/ARG LIBERTY_VERSION=$version/" \
    -e "s/^ARG LIBERTY_FEATURES=.*/ARG LIBERTY_FEATURES=\"${feature_list[*]}\"/" \
    -e "s/^ARG LIBERTY_INSTALLED_FEATURES=.*/ARG LIBERTY_INSTALLED_FEATURES=\"$installed\"/" \
    "$beta/Dockerfile.local" >"$dir/Dockerfile"
echo "$dir"
