#!/usr/bin/env bash
# features.sh: make sure every feature the server configuration names is installed, in an app
# image's Containerfile after server.xml is copied in (the official images' name and usage):
#
#   COPY --chown=1001:0 server.xml /config/
#   RUN features.sh
#
# UBI flavor: missing features are installed with featureUtility (from Maven Central) into
# wlp/lib, which uid 1001 owns, and left group-writable. Local flavor: its feature set was fixed
# when the base was built, so a missing feature is an error that says how to rebuild the base.
# configure.sh runs this too. VERBOSE=true shows each step.
set -euo pipefail
helpers=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lcp-lib.sh
. "$helpers/lcp-lib.sh"
[[ ${VERBOSE:-false} == true ]] && set -x

server_xml=$LCP_CONFIG_DIR/server.xml
fail() {
  lcp_warn "features.sh: $*"
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
  installed "$f" || missing+=("$f")
done
if (( ${#missing[@]} > 0 )); then
  if [[ $LCP_RUNTIME == openj9 ]] && command -v featureUtility >/dev/null 2>&1; then
    lcp_warn "installing features ${missing[*]} with featureUtility"
    featureUtility installServerFeatures --acceptLicense "$LCP_SERVER_NAME" --noCache ||
      fail "featureUtility could not install ${missing[*]}; check the feature names in $server_xml"
    find "$LCP_WLP_DIR/lib" "$LCP_WLP_DIR/bin" -user "$(id -u)" ! -perm -g=rw -exec chmod g+rw {} + 2>/dev/null || true
  else
    fail "features not in this base image: ${missing[*]}. Rebuild the local base with them: LIBERTY_FEATURES=\"<list>\" make base-local (the installed ones are: $(grep -hi '^IBM-ShortName:' "$LCP_WLP_DIR"/lib/features/*.mf | sed 's/^[^:]*: *//' | tr -d '\r' | sort -f | tr '\n' ' '))"
  fi
fi
lcp_warn "features.sh: ${#features[@]} feature(s) checked (${features[*]})"
