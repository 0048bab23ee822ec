#!/usr/bin/env bash
# configure.sh: run once at the end of an app image's Containerfile, after the server.xml and the
# application were copied in:
#
#   FROM localhost/open-liberty:local-checkpoint          (or the UBI base image)
#   COPY --chown=1001:0 server.xml /config/
#   COPY --chown=1001:0 app.war /config/apps/
#   RUN configure.sh
#
# It checks what would otherwise fail later, at checkpoint time, with a less clear message: a
# server.xml is there, every feature it lists is installed (features.sh: the UBI flavor installs
# missing ones with featureUtility when it can reach Maven Central; the local flavor has a fixed
# set and says how to rebuild it), and every application it names exists. Then, as the official
# images' configure.sh does, it writes a default keystore configuration with a password of this
# image's own (unless SSL=false or TLS=false), makes the configuration group-writable, touches
# server.xml so the next start reads it, and on OpenJ9 with OPENJ9_SCC=true adds the
# application's classes to a shared class cache layer (populate_scc.sh). VERBOSE=true shows
# each step.
set -euo pipefail
helpers=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lcp-lib.sh
. "$helpers/lcp-lib.sh"
[[ ${VERBOSE:-false} == true ]] && set -x

server_xml=$LCP_CONFIG_DIR/server.xml
fail() {
  lcp_warn "configure.sh: $*"
  exit 1
}

"$helpers/features.sh" # fails first when there is no server.xml

# Applications named by location="..." in <application>, <webApplication>, <enterpriseApplication>.
while read -r location; do
  [[ -n $location ]] || continue
  case $location in
    /* | *'$'*) candidate=$location ;;
    *) candidate=$LCP_CONFIG_DIR/apps/$location ;;
  esac
  [[ $candidate == *'$'* || -e $candidate || -e $LCP_CONFIG_DIR/dropins/$location ]] ||
    fail "server.xml names the application \"$location\" but $candidate does not exist: COPY it to /config/apps/"
done < <(tr -d '\r' <"$server_xml" | grep -oE '<(application|webApplication|enterpriseApplication)[^>]*location="[^"]*"' |
  sed -E 's/.*location="([^"]*)".*/\1/' || true)

if [[ ${SSL:-} != false && ${TLS:-} != false ]]; then
  lcp_default_keystore
fi
find -L "$LCP_CONFIG_DIR" -user "$(id -u)" -exec chmod g+rwX {} + 2>/dev/null || true
touch "$server_xml"
if [[ $LCP_RUNTIME == openj9 && ${OPENJ9_SCC:-false} == true ]]; then
  "$helpers/populate_scc.sh" -i 1
fi
lcp_warn "configure.sh: $server_xml ready"
