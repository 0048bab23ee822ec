#!/usr/bin/env bash
# podman-pipeline.sh BASE WAR CONFIG_DIR IMAGE APP_IMAGE CONTAINER PRIVILEGES: the steps of
# `liberty-checkpoint checkpoint-image` as plain podman commands, for make bench to time against
# the tool. Same base, same inputs, same Containerfile (what the tool generates: config directory,
# server.xml and the WAR copied in as 1001:0, the base-name label, configure.sh), same build
# settings (no layer cache, never pull), same checkpoint run (WLP_CHECKPOINT=afterAppStart, the
# tool's privileges, PRIVILEGES: the podman run flags of internal/privilege's checkpoint policy,
# which the bench passes), the same commit change, and the same cleanup (the
# checkpoint container, the application image and the build context are removed). What it leaves
# out is the tool's own work: checks, labels, progress and errors that explain themselves.
# It prints "lcp-bench-step NAME MS" for the steps the tool also times (containerize, checkpoint,
# commit with the container's removal); $EPOCHREALTIME costs no process.
set -euo pipefail
(($# == 7)) || { echo "usage: $0 BASE WAR CONFIG_DIR IMAGE APP_IMAGE CONTAINER PRIVILEGES" >&2; exit 2; }
base=$1 war=$2 config=$3 image=$4 app=$5 container=$6
read -r -a privileges <<<"$7"

now_ms() { local t=${EPOCHREALTIME/[.,]/}; printf '%s' "${t%???}"; }
step_start=
step() { # step NAME: ends the step that started at $step_start
  local end
  end=$(now_ms)
  printf 'lcp-bench-step %s %s\n' "$1" $((end - step_start))
  step_start=$end
}
step_start=$(now_ms)

ctx=$(mktemp -d "${TMPDIR:-/tmp}/lcp-bench-context-XXXXXX")
done_ok=
cleanup() {
  rm -rf "$ctx"
  if [[ -z $done_ok ]]; then
    podman rm --force --ignore --time 0 "$container" >/dev/null 2>&1 || true
    podman rmi --force "$app" "$image" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp -r "$config" "$ctx/config"
cp "$config/server.xml" "$ctx/server.xml"
mkdir "$ctx/app"
cp "$war" "$ctx/app/"
cat >"$ctx/Containerfile" <<CONTAINERFILE
FROM $base
COPY --chown=1001:0 config/ /config/
COPY --chown=1001:0 server.xml /config/server.xml
COPY --chown=1001:0 app/$(basename "$war") /config/apps/
LABEL "org.opencontainers.image.base.name"="$base"
RUN if command -v configure.sh >/dev/null 2>&1; then configure.sh; else echo "the base image has no configure.sh; skipped"; fi
CONTAINERFILE

podman build --quiet --layers=false --pull=never --file "$ctx/Containerfile" --tag "$app" "$ctx" >/dev/null
step containerize
podman run --name "$container" --env WLP_CHECKPOINT=afterAppStart "${privileges[@]}" "$app"
step checkpoint
podman commit --quiet --change 'ENV WLP_CHECKPOINT=' "$container" "$image" >/dev/null
podman rm "$container" >/dev/null
step commit
podman rmi "$app" >/dev/null
done_ok=1
