#!/usr/bin/env bash
# demo.sh: the whole job end to end on the built-in sample, through the liberty-checkpoint CLI:
# checkpoint-image on the local Open Liberty base, then a cold start of the application image and a
# restore of the InstantOn image, each timed from the container's creation (what `podman run` does first) to the first HTTP
# 200, side by side.
# `make demo` builds what this needs first (binaries, sample WAR, local base image).
set -euo pipefail
cd "$(dirname "$0")/.."

cli=${LCP_CLI:-bin/liberty-checkpoint}
base=${BASE_LOCAL_IMAGE:-localhost/open-liberty:local-checkpoint}
image=${DEMO_IMAGE:-localhost/liberty-checkpoint-sample:1.0-instanton}
app=${image%:*}:${image##*:}-app   # what --keep-app-image tags the application image with
war=sample/target/sample.war
path=/sample/hello

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
[[ -x $cli ]] || die "$cli is missing: run make build"
[[ -f $war ]] || die "$war is missing: run make sample"
podman image exists "$base" || die "$base is missing: run make base-local"
command -v jq >/dev/null || die "jq is missing: run make setup"
# tool_failed OUTPUT WHAT: print the error event of the CLI's JSON output (message and fix), then die.
tool_failed() { printf '%s\n' "$1" | jq -r '.error // empty | "\(.message)\n  fix: \(.fix)"' >&2; die "$2"; }

say "InstantOn image of the sample: containerize, checkpoint (afterAppStart), commit"
# LCP_CHECKPOINT_WARMUP: the checkpoint run requests the sample's URL before the dump, so the
# restored server answers its first request with code that already ran (beta-image/README.md).
"$cli" checkpoint-image --base-image "$base" --app-archive "$war" \
  --config-directory sample/src/main/liberty/config --image "$image" --keep-app-image \
  --env LCP_CHECKPOINT_WARMUP=/sample/hello \
  --label org.opencontainers.image.title=liberty-checkpoint-sample

# run IMAGE: start a container with the tool's restore command (the same code path and the same
# readiness probe for both images), leave it running, print the result event.
containers=()
cleanup() {
  if ((${#containers[@]})); then podman rm -f "${containers[@]}" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
run() {
  local out
  out=$("$cli" restore -o json --image "$1" --publish 127.0.0.1::9080 --ready-url "$path" --keep-running --timeout 5m) ||
    tool_failed "$out" "restore of $1 failed"
  printf '%s\n' "$out" | jq -c '.result // empty'
}

# total_ms RESULT: milliseconds from the container's creation to its first ready answer. readyMs
# counts from the container's start; the create step (the "create" timing) comes before it, as in
# `podman run`.
total_ms() { jq -r '(.timings // [] | map(select(.name == "create") | (.ms // 0 | tonumber)) | add // 0) + (.restore.readyMs | tonumber)' <<<"$1"; }
report() {
  jq -r --arg total "$(total_ms "$1")" '"  \(.restore.url) answered HTTP \(.restore.httpStatus) \($total) ms after the container was created (start to ready: \(.restore.readyMs) ms; \(.restore.verdict | ascii_downcase | ltrimstr("verdict_")))"' <<<"$1"
}

say "Cold start: the application image, booted as usual"
cold=$(run "$app")
containers+=("$(jq -r .containerName <<<"$cold")")
report "$cold"
podman rm -f "${containers[@]}" >/dev/null; containers=()

say "Restore: the InstantOn image, resumed from its checkpoint"
warm=$(run "$image")
containers+=("$(jq -r .containerName <<<"$warm")")
report "$warm"
echo "$warm" | jq -r '"  evidence: \(.restore.evidence)"'
[[ $(jq -r .restore.verdict <<<"$warm") == VERDICT_RESTORED ]] || die "the InstantOn image did not restore (see the evidence above)"
url=$(jq -r .restore.url <<<"$warm")
body=$(curl -fsS "$url") || die "GET $url failed"
printf '  GET %s:\n' "$url"; printf '%s\n' "$body" | sed 's/^/    | /'
grep -q "Hello from the liberty-checkpoint sample" <<<"$body" || die "unexpected answer from $url"

cold_ms=$(total_ms "$cold"); warm_ms=$(total_ms "$warm")
size() { podman image inspect --format '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1e6}'; }
say "Time from the container's creation to the first HTTP 200 of $path"
printf '  %-11s %8s   %-7s  %s\n' "" "" "size" "image"
printf '  %-11s %5s ms   %-7s  %s\n' "cold start" "$cold_ms" "$(size "$app")" "$app"
printf '  %-11s %5s ms   %-7s  %s\n' "restore" "$warm_ms" "$(size "$image")" "$image"
awk -v c="$cold_ms" -v w="$warm_ms" 'BEGIN { printf "  restore is %.1fx faster (%.0f%% less time to first response)\n", c/w, 100*(1-w/c) }'

# Ship: push the InstantOn image to a registry, pull it back as another host would, and restore
# it in a pod started from the YAML that `liberty-checkpoint kube` writes (podman kube play is the
# Kubernetes engine here). The registry is a throwaway one of this demo's own, on 127.0.0.1 over
# plain HTTP, so every registry call says --tls-verify=false; use a real registry's TLS otherwise.
[[ ${DEMO_SHIP:-1} == 1 ]] || exit 0
command -v docker-registry >/dev/null || die "docker-registry is missing: run make setup"
work=$(mktemp -d "${TMPDIR:-/tmp}/lcp-demo-ship.XXXXXX")
registry_pid=
yaml=
cleanup_ship() {
  [[ -z $yaml ]] || podman kube down "$yaml" >/dev/null 2>&1 || true
  [[ -z ${pushed:-} ]] || podman rmi "$pushed" >/dev/null 2>&1 || true
  [[ -z $registry_pid ]] || { kill "$registry_pid" 2>/dev/null; wait "$registry_pid" 2>/dev/null || true; }
  rm -rf "$work"
  cleanup
}
trap cleanup_ship EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null || die "the demo's registry did not start: $(tail -3 "$work/registry.log")"

pushed=127.0.0.1:$port/liberty-checkpoint-sample:1.0-instanton
say "Push: the InstantOn image to a registry (127.0.0.1:$port, this demo's own)"
out=$("$cli" push -o json --image "$image" --destination "$pushed" --tls-verify=false) ||
  tool_failed "$out" "push failed"
digest=$(printf '%s\n' "$out" | jq -r '.result.imageDigest // empty')
[[ $digest == sha256:* ]] || die "push reported no digest"
echo "  pushed $pushed@$digest"

say "Another host's view: pull it back from the registry"
podman rmi "$pushed" >/dev/null 2>&1 || true
podman pull -q --tls-verify=false "$pushed@$digest" >/dev/null || die "cannot pull $pushed@$digest"
podman tag "$pushed@$digest" "$pushed"
echo "  pulled $pushed@$digest"

say "Kubernetes: the YAML for the image, and a pod started from it (podman kube play)"
if [[ $(podman info --format '{{.Host.Security.Rootless}} {{.Host.CgroupsVersion}}') == "true v1" ]]; then
  # The YAML sets the pod's memory request and limit from the checkpoint; rootless Podman gets no
  # cgroup of its own to limit on cgroup v1 (doctor's rootless.cgroups check says so).
  echo "  skipped: rootless Podman on cgroup v1 cannot apply the pod's memory limit (cgroup v2 with delegation can)"
  exit 0
fi
name=lcp-demo-sample
"$cli" kube --image "$pushed" --kube-directory "$work/kube" --app-name "$name" --ready-url "$path"
yaml=$work/kube/$name.yaml
# Podman 4.3's kube play publishes the container port (9080) on the host; it must be free.
python3 -c 'import socket; s=socket.socket(); s.bind(("", 9080))' 2>/dev/null ||
  die "port 9080 is taken: podman kube play publishes the pod's port 9080 on the host"
podman kube play --tls-verify=false --seccomp-profile-root "$work/kube" "$yaml" >/dev/null || die "podman kube play $yaml failed"
pod=$(podman pod ps --filter "name=^$name" --format '{{.Name}}' | head -1)
[[ -n $pod ]] || die "kube play started no pod"
ctr=$(podman ps -a --filter "pod=$pod" --format '{{.Names}} {{.IsInfra}}' | awk '$2 == "false" { print $1; exit }')
[[ -n $ctr ]] || die "kube play started no application container"
verdict=
for _ in $(seq 600); do
  verdict=$(podman logs "$ctr" 2>&1 | grep -m1 -E 'CWWKC0452I|CWWKE0961I|CWWKE0957I' || true)
  [[ -n $verdict ]] && break
  sleep 0.1
done
body=
# kube play publishes the pod's port 9080 on the host (rootful and rootless alike).
for _ in $(seq 100); do body=$(curl -fsS "http://127.0.0.1:9080$path" 2>/dev/null) && break; sleep 0.1; done
echo "  pod container $ctr: ${verdict:-no restore message}"
printf '  GET http://127.0.0.1:9080%s:\n' "$path"; printf '%s\n' "$body" | sed 's/^/    | /'
[[ $verdict == *CWWKC0452I* ]] || die "the pod did not restore from the checkpoint"
grep -q "Hello from the liberty-checkpoint sample" <<<"$body" || die "unexpected answer from the pod"
podman kube down "$yaml" >/dev/null && yaml=
echo "  podman kube down: the pod is gone"
