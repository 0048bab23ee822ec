#!/usr/bin/env bash
# rootless.sh: rootless versus rootful Podman in one run, on the sample (make bench-rootless, as
# root): the time checkpoint-image takes (build, checkpoint, commit) and each restore's time from
# the container's creation to the first HTTP 200, with each store's storage driver named. The
# rootless side runs as the user make setup prepares (hack/rootless.sh). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${BENCH_ROUNDS:-3}
cli=${LCP_CLI:-bin/liberty-checkpoint}
base=${BASE_LOCAL_IMAGE:-localhost/open-liberty:local-checkpoint}
tag=lcp-bench-rootless:$RANDOM$RANDOM
war=sample/target/sample.war
conf=sample/src/main/liberty/config
[[ -x $cli && -f $war ]] || { echo "rootless bench: run make build sample first" >&2; exit 1; }

rootful=()
rootless=(hack/rootless.sh run)
hack/rootless.sh share-base "$base"
errlog=$(mktemp)
cleanup() {
  rm -f "$errlog"
  podman rmi -f "localhost/$tag" >/dev/null 2>&1 || true
  hack/rootless.sh run podman rmi -f "localhost/$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# ms: milliseconds since the epoch.
ms() { date +%s%3N; }

# side NAME PREFIX...: checkpoint-image once, then $rounds restores; one table row.
side() {
  local name=$1; shift
  local driver start build out readies=()
  driver=$("$@" podman info --format '{{.Store.GraphDriverName}}')
  start=$(ms)
  "$@" "$cli" checkpoint-image --base-image "$base" --app-archive "$war" --config-directory "$conf" \
    --image "localhost/$tag" --phase afterAppStart >"$errlog" 2>&1 ||
    { cat "$errlog" >&2; echo "rootless bench: checkpoint-image ($name) failed" >&2; exit 1; }
  build=$(($(ms) - start))
  for ((i = 0; i < rounds; i++)); do
    out=$("$@" "$cli" restore -o json --image "localhost/$tag" --publish 127.0.0.1::9080 --ready-url /sample/hello --disable-recovery 2>"$errlog") ||
      { cat "$errlog" >&2; echo "rootless bench: restore ($name) failed: $out" >&2; exit 1; }
    [[ $(jq -r '.result.restore.verdict // empty' <<<"$out" | tail -1) == VERDICT_RESTORED ]] ||
      { echo "rootless bench: restore ($name) did not restore" >&2; exit 1; }
    readies+=("$(jq -r '.result // empty | (.timings // [] | map(select(.name == "create") | (.ms // 0 | tonumber)) | add // 0) + (.restore.readyMs | tonumber)' <<<"$out" | tail -1)")
    sleep 1
  done
  "$@" podman rmi -f "localhost/$tag" >/dev/null
  printf '| %s | %s | %s ms | %s ms (%s) |\n' "$name" "$driver" "$build" \
    "$(printf '%s\n' "${readies[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" "$(IFS=,; echo "${readies[*]}")"
}

echo "| Podman | storage | checkpoint-image | restore: creation to first HTTP 200, median (all) |"
echo "|---|---|---|---|"
side rootful "${rootful[@]}"
side rootless "${rootless[@]}"
