#!/usr/bin/env bash
# populate_scc.sh [-i ITERATIONS]: fill an OpenJ9 shared class cache layer with Liberty's classes
# (and the application's, when run from configure.sh) at image build time, as the official
# images do, so that neither a cold start nor the checkpoint run has to create one. The layer
# builds on Semeru's openj9_system_scc in /opt/java/.scc when that directory is group-writable
# (else its own cache in /output/.classCache) and is trimmed to what it holds. The image's
# OPENJ9_JAVA_OPTIONS then use it read-only.
#
# A JVM that is not OpenJ9 has no shared class cache: the script says so and only starts and
# stops the server (ITERATIONS times), which still prepares /output/workarea.
set -euo pipefail
helpers=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lcp-lib.sh
. "$helpers/lcp-lib.sh"

iterations=2
while getopts ':i:' opt; do
  case $opt in
    i) iterations=$OPTARG ;;
    *) lcp_warn "usage: populate_scc.sh [-i ITERATIONS]"; exit 2 ;;
  esac
done
server=$LCP_WLP_DIR/bin/server

# cycle starts and stops the server once.
cycle() { "$server" start >/dev/null && "$server" stop >/dev/null; }

# fill_percent prints how full the top cache layer is (OpenJ9's "Cache is NN% full").
fill_percent() {
  { java "$scc,printTopLayerStats" 2>&1 || true; } | sed -En 's/^Cache is ([0-9.]+)% .*full.*/\1/p' | head -n 1
}

umask 002 # groupAccess: the cache must stay group-writable
if ! lcp_is_openj9; then
  lcp_say "populate_scc.sh: $(lcp_jvm_name) is not OpenJ9, so there is no shared class cache to fill; starting and stopping the server $iterations time(s) still prepares the workarea"
  for ((i = 0; i < iterations; i++)); do cycle; done
else
  if [[ -d /opt/java/.scc && $(stat -L -c %a /opt/java/.scc) == 77* ]]; then
    scc=-Xshareclasses:name=openj9_system_scc,cacheDir=/opt/java/.scc
  else
    scc=-Xshareclasses:name=liberty,cacheDir=$LCP_OUTPUT_DIR/.classCache
  fi
  # -XX:+IProfileDuringStartupPhase: profile start-up so the cache gets the AOT code it needs.
  export OPENJ9_JAVA_OPTIONS="-XX:+IProfileDuringStartupPhase $scc"
  # A first layer sized generously, one start to see how much of it the classes fill, then the
  # layer again at that size: the image carries no empty cache space.
  java "$scc,createLayer,groupAccess" -Xscmx80m -version
  cycle
  full=$(fill_percent)
  java "$scc,destroy" >/dev/null 2>&1 || true
  size=$(awk -v f="${full:-100}" 'BEGIN { s = int(80 * f / 100 + 0.5); print (s < 1 ? 1 : s) }')
  lcp_say "populate_scc.sh: the classes filled ${full:-?}% of 80 MB; the layer is made again with ${size} MB"
  java "$scc,createLayer,groupAccess" "-Xscmx${size}m" -version
  for ((i = 0; i < iterations; i++)); do cycle; done
  lcp_say "populate_scc.sh: the shared class cache layer is $(fill_percent)% full"
fi
# What the server start wrote that no image should carry: logs, messaging stores, keystores.
rm -rf "$LCP_OUTPUT_DIR/messaging" "$LCP_OUTPUT_DIR/resources/security" "${LCP_LOG_DIR:?}"/* "$LCP_WLP_DIR/output/.classCache"
if [[ -d $LCP_OUTPUT_DIR/workarea ]]; then chmod -R g+rwX "$LCP_OUTPUT_DIR/workarea"; fi
