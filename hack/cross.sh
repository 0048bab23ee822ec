#!/usr/bin/env bash
# cross.sh DIR OS/ARCH...: build the CLI and the plugin for each platform into DIR/<os>-<arch>/
# (liberty-checkpoint[.exe], liberty-checkpoint-plugin[.exe]), all platforms at once: a build
# is mostly single-threaded compile and link steps, so two cores run two platforms in about the
# time of one and a half. Build only; nothing is tested here. LDFLAGS come from the environment
# (the Makefile's), as do GOFLAGS and CGO_ENABLED=0.
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
start=$SECONDS
pids=()
for p in "$@"; do
  os=${p%/*} arch=${p#*/}
  out="$dir/$os-$arch"
  rm -rf "$out"
  mkdir -p "$out"
  (GOOS=$os GOARCH=$arch go build -trimpath -ldflags "${LDFLAGS:-}" -o "$out/" \
    ./host/cmd/liberty-checkpoint ./plugin/cmd/liberty-checkpoint-plugin 2>"$out.log" ||
    { echo "cross: $p failed:" >&2; cat "$out.log" >&2; exit 1; }) &
  pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
rm -f "$dir"/*.log
((rc == 0)) || exit 1
echo "cross: built $* in $((SECONDS - start)) s" >&2
