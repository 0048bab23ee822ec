#!/usr/bin/env bash
# lcp-restore.sh CMD...: restore the checkpointed server; run by lcp-start.sh under dumb-init.
#
#   openj9   Liberty's `server run` finds the checkpoint and restores it with $CRIU_RESTORE_PATH
#            (the criu copy without sys_ptrace); it prints CWWKC0452I, or CWWKE0961I and starts
#            normally, or CWWKE0964E when CRIU_RESTORE_DISABLE_RECOVERY=true.
#   hotspot  this script does the same around `criu restore`: a criu action script prints
#            CWWKC0452I once the process tree is restored, as criu lets it run (pre-resume); when
#            criu fails before that, it prints CWWKE0961I, criu's last log lines, and starts CMD
#            normally (or CWWKE0964E and exits when CRIU_RESTORE_DISABLE_RECOVERY=true). It never
#            reports a cold start as a restore.
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

if [[ $LCP_RUNTIME == openj9 ]]; then
  lcp_ltpa_password # OpenJ9's restore passes the environment on to the restored server
  lcp_exec_unprivileged "$@"
fi

log=$LCP_LOG_DIR/checkpoint/restore.log
mkdir -p "$LCP_LOG_DIR/checkpoint" 2>/dev/null
rm -f "$LCP_RESUMED_MARKER"
export LCP_RESUMED_MARKER LCP_RESTORE_T0_MS=${LCP_RESTORE_T0_MS:-$(lcp_now_ms)}

# dumb-init signals the whole process group; the restored JVM (same group, --shell-job) shuts
# down on them while criu and tail, which ignore them, wait for it (criu returns its status) and
# show its last words.
trap '' INT TERM

# What the restored JVM writes goes to the console log it had at checkpoint time: show it.
tail -s 0.1 -n 0 -F "$LCP_CONSOLE_LOG" 2>/dev/null &
tailpid=$!
disown "$tailpid" # no job report when it is killed
export LCP_SAY_TO=/proc/$$/fd/1 # for lcp-criu-action.sh, whose stdout criu sends to its log
mode=$(lcp_criu_mode_args)
# shellcheck disable=SC2086 # mode is empty or one flag
"$CRIU_RESTORE_PATH" restore $mode --images-dir "$LCP_CHECKPOINT_DIR" --log-file "$log" \
  -v"${CRIU_LOG_LEVEL:-2}" --shell-job --tcp-established --file-locks --skip-file-rwx-check \
  --action-script "$helpers/lcp-criu-action.sh"
rc=$?
trap - INT TERM

if [[ -e $LCP_RESUMED_MARKER ]]; then
  # The restored server ran and has now exited; its status is criu's.
  sleep 0.2
  kill -KILL "$tailpid" 2>/dev/null
  exit "$rc"
fi
kill -KILL "$tailpid" 2>/dev/null
(( rc == 0 )) && rc=1 # criu said nothing went wrong, but nothing was resumed
if (( rc == 126 )); then
  lcp_warn "$CRIU_RESTORE_PATH could not start: its file capabilities (cap_checkpoint_restore,cap_setpcap) are not in this container's bounding set; run it with --cap-add=CHECKPOINT_RESTORE --cap-add=SETPCAP --security-opt seccomp=unconfined"
fi

if [[ ${CRIU_RESTORE_DISABLE_RECOVERY:-} == true ]]; then
  lcp_say "CWWKE0964E: Restoring the checkpoint server process failed and CRIU_RESTORE_DISABLE_RECOVERY is true, so the server is not launched. Check the $log log to determine why the checkpoint process was not restored."
  lcp_log_tail "$log"
  exit "$rc"
fi
lcp_ltpa_password
lcp_say "CWWKE0961I: Restoring the checkpoint server process failed. Check the $log log to determine why the checkpoint process was not restored. Launching the server without using the checkpoint image."
lcp_log_tail "$log"
# Move the checkpoint aside so the Liberty server script does not try to restore it again.
mv "$LCP_CHECKPOINT_DIR" "$LCP_CHECKPOINT_DIR.not-restored" 2>/dev/null ||
  lcp_warn "could not move $LCP_CHECKPOINT_DIR aside; the server script may try to restore it"
lcp_exec_jvm "$@"
