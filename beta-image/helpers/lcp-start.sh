#!/usr/bin/env bash
# lcp-start.sh: the ENTRYPOINT of every liberty-checkpoint base image. It picks one of three paths:
#
#   1. a checkpoint is in the image ($LCP_CHECKPOINT_DIR)  -> restore it, under dumb-init (the
#      restored server cannot be PID 1); lcp-restore.sh falls back to a normal start on failure
#      unless CRIU_RESTORE_DISABLE_RECOVERY=true;
#   2. WLP_CHECKPOINT=<phase> is set                          -> lcp-checkpoint.sh: start the server,
#      checkpoint it at that phase, exit with its status (0: the checkpoint files are in place);
#   3. otherwise                                              -> start the server normally (CMD).
#
# Before any of them it does the run-time set-up of Open Liberty's images (lcp-runtime.sh:
# keystore from mounted certificates, truststore, default keystore password, serviceability logs;
# the LTPA keys password for the starts whose server reads it). A restore is on the clock: this
# script and lcp-restore.sh start no process they can do without (bash builtins, no subshells). The arguments are the image's CMD (server run defaultServer).
set -uo pipefail
# This folder, without a process unless the script was reached through a symbolic link.
self=${BASH_SOURCE[0]}
[[ -L $self ]] && self=$(readlink -f "$self")
helpers=${self%/*}
[[ $helpers == "$self" ]] && helpers=.
# shellcheck source-path=SCRIPTDIR source=lcp-lib.sh
. "$helpers/lcp-lib.sh"
# shellcheck source-path=SCRIPTDIR source=lcp-runtime.sh
. "$helpers/lcp-runtime.sh"

if [[ $# -eq 0 ]]; then
  lcp_warn "no command to run: give the image a CMD such as: server run $LCP_SERVER_NAME"
  exit 2
fi

t0=${EPOCHREALTIME/[.,]/}
lcp_runtime_setup

if [[ -d $LCP_CHECKPOINT_DIR ]]; then
  # No LTPA password here for HotSpot: the restored JVM keeps its own environment; lcp-restore.sh
  # makes one if it falls back to a cold start (and for OpenJ9, whose restore reads it).
  LCP_RESTORE_T0_MS=${t0%???}
  export LCP_RESTORE_T0_MS
  # dumb-init forwards signals to the whole process group, the restored JVM included. For OpenJ9
  # it turns SIGTERM into SIGINT, as Open Liberty's images do for a restored server; a HotSpot JVM
  # started in the background at checkpoint time ignores SIGINT, so it gets SIGTERM as sent.
  # The restore script itself holds no capabilities (criu has its own).
  rewrite=(--rewrite 15:2)
  [[ $LCP_RUNTIME == hotspot ]] && rewrite=()
  exec dumb-init "${rewrite[@]}" -- "${LCP_DROP_CAPS_CMD[@]}" "$helpers/lcp-restore.sh" "$@"
elif [[ -n ${WLP_CHECKPOINT:-} ]]; then
  lcp_ltpa_password
  # Unset it so neither the server nor the committed image sees it.
  phase=$WLP_CHECKPOINT
  unset WLP_CHECKPOINT
  exec "$helpers/lcp-checkpoint.sh" "$phase" "$@"
else
  lcp_ltpa_password
  lcp_exec_jvm "$@"
fi
