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
# server.xml is there, every feature it lists is installed (the UBI flavor installs missing ones
# with featureUtility when it can reach Maven Central; the local flavor has a fixed set and says
# how to rebuild it), and every application it names exists. Then it makes the configuration
# group-writable and touches server.xml so the next start reads it. VERBOSE=true shows each step.
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

[[ -f $server_xml ]] || fail "no $server_xml: copy your server.xml there first (COPY --chown=1001:0 server.xml /config/)"

# Features named in server.xml and the configDropins (<feature>name</feature>, any case).
mapfile -t features < <(cat "$server_xml" "$LCP_CONFIG_DIR"/configDropins/*/*.xml 2>/dev/null |
  tr -d '\r' | grep -o '<feature>[^<]*</feature>' | sed -e 's/<[^>]*>//g' -e 's/^[[:space:]]*//;s/[[:space:]]*$//' |
  grep -v '^$' | sort -fu || true)

installed() {
  grep -qi "^IBM-ShortName: *${1//./\\.}[[:space:]]*$" "$LCP_WLP_DIR"/lib/features/*.mf "$LCP_WLP_DIR"/usr/extension/lib/features/*.mf 2>/dev/null
}
missing=()
for f in "${features[@]}"; do
  # checkpoint-1.0 only exists where the JVM has a CRIU API (OpenJ9); the local flavor checkpoints
  # from outside the JVM and needs no feature.
  if [[ ${f,,} == checkpoint-1.0 && $LCP_RUNTIME == hotspot ]]; then
    fail "server.xml enables checkpoint-1.0, which the local flavor (HotSpot) does not have and does not need: remove it (the UBI image's start script adds it itself)"
  fi
  installed "$f" || missing+=("$f")
done
if (( ${#missing[@]} > 0 )); then
  if [[ $LCP_RUNTIME == openj9 ]] && command -v featureUtility >/dev/null 2>&1; then
    lcp_warn "installing features ${missing[*]} with featureUtility"
    featureUtility installServerFeatures --acceptLicense "$LCP_SERVER_NAME" ||
      fail "featureUtility could not install ${missing[*]}; check the feature names in $server_xml"
  else
    fail "features not in this base image: ${missing[*]}. Rebuild the local base with them: LIBERTY_FEATURES=\"<list>\" make base-local (the installed ones are: $(grep -hi '^IBM-ShortName:' "$LCP_WLP_DIR"/lib/features/*.mf | sed 's/^[^:]*: *//' | tr -d '\r' | sort -f | tr '\n' ' '))"
  fi
fi

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

find -L "$LCP_CONFIG_DIR" -user "$(id -u)" -exec chmod g+rwX {} + 2>/dev/null || true
touch "$server_xml"
lcp_warn "configure.sh: ${#features[@]} feature(s) checked (${features[*]}), $server_xml ready"
