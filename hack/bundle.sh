#!/usr/bin/env bash
# bundle.sh OUT SRC: the binaries both shims publish and pin, from SRC/<goos>-<goarch>/ (as
# hack/cross.sh lays them out: liberty-checkpoint[.exe] and liberty-checkpoint-plugin[.exe]).
#
#   OUT/<classifier>.zip         one per platform: the two executables and their SHA256SUMS; the
#                                classifier artifacts io.libertycheckpoint:liberty-checkpoint-binaries:
#                                <version>:zip:<classifier> (os-maven-plugin's names: osx-aarch_64 ...)
#   OUT/jar/META-INF/liberty-checkpoint/SHA256SUMS
#                                the sha256 of each zip: what each plugin jar carries (a resource
#                                root), so the shim accepts only the artifact it was built with
#
# shim-core's PlatformBinaries picks the classifier, has the build tool resolve it, checks it
# against the pin and extracts it.
set -euo pipefail
out=$1 src=$2
rm -rf "$out"
mkdir -p "$out/jar/META-INF/liberty-checkpoint"
out=$(cd "$out" && pwd)
classifier() {
  local os=${1%-*} arch=${1#*-}
  case $os in darwin) os=osx ;; linux | windows) ;; *) echo "bundle: unknown os $os" >&2; exit 1 ;; esac
  case $arch in amd64) arch=x86_64 ;; arm64) arch=aarch_64 ;; *) echo "bundle: unknown arch $arch" >&2; exit 1 ;; esac
  echo "$os-$arch"
}
n=0
for dir in "$src"/*-*/; do
  platform=$(basename "$dir")
  c=$(classifier "$platform")
  ext=""
  [[ $platform == windows-* ]] && ext=.exe
  stage=$(mktemp -d)
  cp "$dir/liberty-checkpoint$ext" "$dir/liberty-checkpoint-plugin$ext" "$stage/"
  (cd "$stage" && sha256sum "liberty-checkpoint$ext" "liberty-checkpoint-plugin$ext" >SHA256SUMS &&
    touch -d @315532800 ./* && zip -q -X "$out/$c.zip" "liberty-checkpoint$ext" "liberty-checkpoint-plugin$ext" SHA256SUMS)
  rm -rf "$stage"
  n=$((n + 1))
done
((n > 0)) || { echo "bundle: no <goos>-<goarch>/ directories in $src" >&2; exit 1; }
(cd "$out" && sha256sum ./*.zip | sed 's#  \./#  #' >jar/META-INF/liberty-checkpoint/SHA256SUMS)
