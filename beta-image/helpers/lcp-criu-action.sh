#!/usr/bin/env bash
# lcp-criu-action.sh: criu's --action-script for a local-flavor restore. criu runs it at each
# step with CRTOOLS_SCRIPT_ACTION set; at post-resume (the restored JVM runs again) it prints
# Liberty's restore message and leaves the marker lcp-restore.sh checks.
set -u
helpers=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lcp-lib.sh
. "$helpers/lcp-lib.sh"

if [[ ${CRTOOLS_SCRIPT_ACTION:-} == post-resume ]]; then
  : >"$LCP_RESUMED_MARKER"
  msg="CWWKC0452I: The Liberty server process resumed operation from a checkpoint in $(lcp_seconds_since "${LCP_RESTORE_T0_MS:-$(lcp_now_ms)}") seconds."
  # criu points a script's stdout at its log and closes other descriptors; lcp-restore.sh names
  # its own stdout (the container's) in LCP_SAY_TO.
  if ! { [[ -n ${LCP_SAY_TO:-} ]] && lcp_say "$msg" >>"$LCP_SAY_TO"; } 2>/dev/null; then
    lcp_say "$msg"
  fi
fi
exit 0
