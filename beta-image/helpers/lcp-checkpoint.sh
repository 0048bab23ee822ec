#!/usr/bin/env bash
# lcp-checkpoint.sh PHASE CMD...: start the server, checkpoint it at PHASE, exit with the result.
# Run by lcp-start.sh when WLP_CHECKPOINT is set; exit 0 means the checkpoint files are in
# $LCP_CHECKPOINT_DIR and the container can be committed (with WLP_CHECKPOINT reset).
#
#   openj9   Liberty's own `server checkpoint --at=PHASE`: the OpenJ9 JVM dumps itself through
#            criu (the checkpoint copy, first on PATH) at exactly that phase. Liberty's kernel and
#            server script do the rest (-XX:+EnableCRIUSupport); no feature is needed. A JVM that
#            is not OpenJ9 cannot do this: the script says so and exits 78.
#   hotspot  HotSpot has no CRIU API: start CMD, wait for the ready message (CWWKF0011I), then
#            dump the JVM from outside with the checkpoint copy of criu. The checkpoint is taken
#            once the server is ready, whatever PHASE says (the JVM cannot stop at a phase).
#
# Both first move the PID counter past LCP_PID_FLOOR and put the portable linker cache in place.
#
# Exit codes: 0 done; 20 unknown phase (as Liberty); 78 the JVM is not OpenJ9 (openj9 only);
# 1 the server did not get ready or exited; otherwise the failing command's code.
set -uo pipefail
helpers=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source-path=SCRIPTDIR source=lcp-lib.sh
. "$helpers/lcp-lib.sh"

requested=${1:-}
shift || true
if ! phase=$(lcp_phase "$requested"); then
  lcp_say "CWWKE0954E: The value \"$requested\" of WLP_CHECKPOINT is not a checkpoint phase. Use beforeAppStart or afterAppStart."
  exit 20
fi
[[ $phase == "$requested" ]] || lcp_warn "phase \"$requested\" is the old name of \"$phase\""

mkdir -p "$LCP_LOG_DIR/checkpoint" || exit 1
lcp_bump_pids
lcp_portable_ld_cache || exit 1

checkpoint_openj9() {
  if ! lcp_is_openj9; then
    lcp_say "liberty-checkpoint: \`server checkpoint --at=$phase\` needs OpenJ9's CRIU API, and this JVM ($(lcp_jvm_name)) is not OpenJ9: nothing was checkpointed. Build on an IBM Semeru (OpenJ9) UBI image, or use the local flavor (Dockerfile.local) for HotSpot."
    return 78
  fi
  # On these architectures OpenJ9 must be told to keep the checkpoint portable across CPU models.
  case $(uname -m) in
    ppc64le | s390x) export JVM_ARGS="${JVM_ARGS:-} -XX:+JVMPortableRestoreMode" ;;
  esac
  lcp_say "Performing checkpoint --at=$phase"
  # No no_new_privs here: the JVM launches criu (the checkpoint copy) itself.
  lcp_mark_jvm_start
  lcp_run_unprivileged server checkpoint "$LCP_SERVER_NAME" --at="$phase"
}

# wait_ready PID: wait until the console log shows the ready message, or fail when PID exits or
# LCP_CHECKPOINT_TIMEOUT (seconds) passes.
wait_ready() {
  local pid=$1 deadline=$(( $(date +%s) + ${LCP_CHECKPOINT_TIMEOUT:-300} ))
  until grep -q 'CWWKF0011I' "$LCP_CONSOLE_LOG" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid"
      lcp_warn "the server exited (status $?) before it was ready (CWWKF0011I); nothing was checkpointed"
      return 1
    fi
    if (( $(date +%s) > deadline )); then
      lcp_warn "the server was not ready (CWWKF0011I) within ${LCP_CHECKPOINT_TIMEOUT:-300}s (LCP_CHECKPOINT_TIMEOUT); nothing was checkpointed"
      kill "$pid" 2>/dev/null
      return 1
    fi
    sleep 0.1
  done
}

# rss_kb PID prints the resident set size of PID ("123456 kB", VmRSS in $LCP_PROC_DIR/PID/status),
# or "unknown". It goes in the output before the dump, so a reader can set the checkpoint's size
# against the memory the server held (make bench does).
rss_kb() {
  local key value _
  if [[ -r ${LCP_PROC_DIR:-/proc}/$1/status ]]; then
    while read -r key value _; do
      [[ $key == VmRSS: ]] && { printf '%s kB' "$value"; return 0; }
    done <"${LCP_PROC_DIR:-/proc}/$1/status"
  fi
  printf 'unknown'
}

# compact_setup prints a new directory with the FIFOs through which compact talks to the checkpoint
# agent (lcp-compact.jar, in the JVM from its start), or nothing when compacting is off or the agent
# is missing.
compact_setup() {
  local dir
  [[ ${LCP_CHECKPOINT_COMPACT:-true} == true && -r $LCP_COMPACT_AGENT ]] || return 0
  dir=$(mktemp -d "${TMPDIR:-/tmp}/lcp-compact-XXXXXX") || return 0
  if ! mkfifo "$dir/request" "$dir/reply"; then
    rm -rf "$dir"
    return 0
  fi
  printf '%s' "$dir"
}

# compact DIR: make the checkpoint small. criu saves every page the JVM holds, and once the server
# has started most of its heap is garbage and much of its malloc heap is free. The agent (see
# helpers/agent/LcpCompact.java) does a full GC with MaxHeapFreeRatio lowered to
# LCP_CHECKPOINT_MAX_FREE (default 10) so the heap shrinks to what is live, glibc's malloc_trim, and
# puts the server's own heap ratios back. LCP_CHECKPOINT_COMPACT=false leaves the JVM as it is.
compact() {
  local dir=$1 reply
  [[ -n $dir ]] || return 0
  # Opened read-write, a FIFO never blocks; closing the request is the agent's end of input.
  exec 4<>"$dir/reply" 5<>"$dir/request"
  printf '%s\n' "${LCP_CHECKPOINT_MAX_FREE:-10}" >&5
  exec 5>&-
  if read -r -t "${LCP_COMPACT_TIMEOUT:-20}" -u 4 reply; then
    lcp_say "liberty-checkpoint: $reply"
  else
    lcp_warn "the JVM did not answer the request to compact its memory within ${LCP_COMPACT_TIMEOUT:-20}s: the checkpoint is bigger, nothing else changes"
  fi
  exec 4<&-
  rm -rf "$dir"
}

# warm_up sends each path in LCP_CHECKPOINT_WARMUP (space-separated, e.g. "/app/ /app/api/items")
# LCP_CHECKPOINT_WARMUP_REQUESTS times (default 10) to the server's HTTP port (LCP_HTTP_PORT,
# 9080) before the dump, so the code that serves them is loaded and compiled in the checkpoint and
# a restored server answers its first request as fast as its next ones. Opt-in: only requests the
# application can take at checkpoint time belong here (nothing that writes to other services).
warm_up() {
  local path i
  [[ -n ${LCP_CHECKPOINT_WARMUP:-} ]] || return 0
  for path in $LCP_CHECKPOINT_WARMUP; do
    for ((i = 0; i < ${LCP_CHECKPOINT_WARMUP_REQUESTS:-10}; i++)); do
      if ! { exec 3<>"/dev/tcp/127.0.0.1/${LCP_HTTP_PORT:-9080}" &&
        printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3 &&
        cat <&3 >/dev/null; } 2>/dev/null; then
        lcp_warn "warm-up: GET $path on port ${LCP_HTTP_PORT:-9080} failed"
        break
      fi
      exec 3<&-
    done
  done
  # Braces: a bare `exec 3<&- 2>/dev/null` would send the rest of this script's stderr to /dev/null.
  { exec 3<&-; } 2>/dev/null
  lcp_say "liberty-checkpoint: warmed up with ${LCP_CHECKPOINT_WARMUP_REQUESTS:-10} requests to each of $LCP_CHECKPOINT_WARMUP"
  wait_no_connections "$1"
}

# open_connections PID prints how many TCP sockets PID holds that are not listening (an
# established connection, or one closing): what criu's --tcp-established would carry into the
# checkpoint. Its sockets are the socket:[inode] links in /proc/PID/fd, looked up in its network
# namespace's /proc/PID/net/tcp and tcp6 (state 0A is LISTEN).
open_connections() {
  local proc=${LCP_PROC_DIR:-/proc}/$1 n=0 link table _sl _local _remote state _q _t _r _uid _to inode _rest
  local -A mine=()
  while read -r link; do
    link=${link#socket:[}
    mine[${link%]}]=1
  done < <(find "$proc/fd" -maxdepth 1 -lname 'socket:*' -printf '%l\n' 2>/dev/null)
  ((${#mine[@]} > 0)) || { printf '0'; return 0; }
  for table in "$proc/net/tcp" "$proc/net/tcp6"; do
    [[ -r $table ]] || continue
    while read -r _sl _local _remote state _q _t _r _uid _to inode _rest; do
      [[ $state != 0A && -n ${mine[$inode]:-} ]] && n=$((n + 1))
    done < <(tail -n +2 "$table")
  done
  printf '%s' "$n"
}

# wait_no_connections PID waits until the warm-up's connections are closed on the server's side
# (LCP_CHECKPOINT_QUIET_TIMEOUT seconds, default 5), so no connection is dumped with the server:
# a restored server would hold a socket whose peer is gone.
wait_no_connections() {
  local pid=$1 n deadline=$(($(lcp_now_ms) + ${LCP_CHECKPOINT_QUIET_TIMEOUT:-5} * 1000))
  while n=$(open_connections "$pid"); ((n > 0)); do
    if (($(lcp_now_ms) >= deadline)); then
      lcp_warn "warm-up: the server still holds $n TCP connection(s) after ${LCP_CHECKPOINT_QUIET_TIMEOUT:-5}s; criu dumps them with it"
      return 0
    fi
    sleep 0.1
  done
  lcp_say "liberty-checkpoint: warm-up done, the server holds no open connection"
}

checkpoint_hotspot() {
  local log=$LCP_LOG_DIR/checkpoint/checkpoint.log pid tailpid rc mode started compactdir
  lcp_say "liberty-checkpoint local flavor: HotSpot has no CRIU API, so the server starts normally and criu dumps it once it is ready (CWWKF0011I); requested phase: $phase"
  # No checkpoint directory while the server starts: Liberty's server script would try to restore it.
  rm -rf "$LCP_CHECKPOINT_DIR" || return 1
  : >"$LCP_CONSOLE_LOG" || return 1
  # The JVM writes to a file, not to the container's pipes (which a restored process could not
  # reconnect to); tail shows it here and lcp-restore.sh shows what it writes after a restore.
  tail -s 0.1 -n +1 -F "$LCP_CONSOLE_LOG" 2>/dev/null &
  tailpid=$!
  disown "$tailpid"
  compactdir=$(compact_setup)
  # The subshell execs (setpriv, then the server script execs java), so $! is the JVM itself and
  # the dumped tree holds no process with this script's capabilities. -XX:-UsePerfData: no
  # hsperfdata mmap in /tmp, one less file for criu to carry; the agent compacts it before the dump.
  (
    export JVM_ARGS="-XX:-UsePerfData ${compactdir:+-javaagent:$LCP_COMPACT_AGENT=$compactdir }${JVM_ARGS:-}"
    lcp_exec_jvm "$@"
  ) </dev/null >>"$LCP_CONSOLE_LOG" 2>&1 &
  pid=$!
  if ! wait_ready "$pid"; then
    [[ -z $compactdir ]] || rm -rf "$compactdir"
    kill "$tailpid" 2>/dev/null
    return 1
  fi
  sleep "${LCP_CHECKPOINT_SETTLE:-0.5}" # let the last start-up work (caches, log writes) finish
  warm_up "$pid"
  started=
  if [[ -n $compactdir ]]; then
    started="; $(rss_kb "$pid") before compacting"
    compact "$compactdir"
  fi
  lcp_say "liberty-checkpoint: server RSS before the dump: $(rss_kb "$pid") (pid $pid$started)"
  # liberty-checkpoint commit records this line's numbers as the image's memory labels (with the
  # heap the agent reported in its compact reply), so doctor and kube can size a restore.
  lcp_say "liberty-checkpoint: memory at checkpoint: rss=$(rss_kb "$pid")"
  lcp_say "CWWKC0451I: A server checkpoint \"$phase\" was requested. When the checkpoint completes, the server stops."
  mkdir -p "$LCP_CHECKPOINT_DIR" || return 1
  disown "$pid" # criu kills it: no job report
  mode=$(lcp_criu_mode_args)
  # --shell-job: the JVM shares this script's session; --tcp-established, --file-locks: sockets
  # and Liberty's server lock; --irmap-scan-path: lets an unprivileged criu find the paths of
  # inotify watches (Java's WatchService) under the Liberty install and /config.
  # shellcheck disable=SC2086 # mode is empty or one flag
  "$CRIU_CHECKPOINT_PATH" dump $mode -t "$pid" --images-dir "$LCP_CHECKPOINT_DIR" \
    --log-file "$log" -v"${CRIU_LOG_LEVEL:-2}" --shell-job --tcp-established --file-locks \
    --irmap-scan-path "$LCP_WLP_DIR" --irmap-scan-path "$(readlink -f "$LCP_CONFIG_DIR")"
  rc=$?
  sleep 0.2 # tail shows the last lines
  kill "$tailpid" 2>/dev/null
  if (( rc != 0 )); then
    lcp_warn "criu dump failed (status $rc); see $log"
    (( rc == 126 )) && lcp_warn "$CRIU_CHECKPOINT_PATH could not start: run the checkpoint with --cap-add=CHECKPOINT_RESTORE --cap-add=SYS_PTRACE --cap-add=SETPCAP --security-opt seccomp=unconfined"
    lcp_log_tail "$log"
    kill "$pid" 2>/dev/null
    rm -rf "$LCP_CHECKPOINT_DIR"
    return "$rc"
  fi
  lcp_say "liberty-checkpoint: checkpoint of the server saved in $LCP_CHECKPOINT_DIR ($(du -sh "$LCP_CHECKPOINT_DIR" | cut -f1))"
  return 0
}

case $LCP_RUNTIME in
  openj9) checkpoint_openj9 ;;
  hotspot) checkpoint_hotspot "$@" ;;
  *) lcp_warn "LCP_RUNTIME=$LCP_RUNTIME is not openj9 or hotspot"; exit 2 ;;
esac
rc=$?
if (( rc == 0 )); then
  if [[ ! -d $LCP_CHECKPOINT_DIR ]] || [[ -z $(ls -A "$LCP_CHECKPOINT_DIR") ]]; then
    lcp_warn "the checkpoint command succeeded but $LCP_CHECKPOINT_DIR is empty"
    exit 1
  fi
  lcp_group_writable
fi
exit "$rc"
