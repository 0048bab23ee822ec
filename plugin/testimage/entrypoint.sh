#!/bin/bash
# entrypoint.sh: the start script of the engine's test base image. It follows the protocol of Open
# Liberty's InstantOn images, with lcp-testserver in place of the JVM:
#
#   WLP_CHECKPOINT=<phase>   start the server, let it reach <phase>, dump it with CRIU into
#                            /output/workarea/checkpoint/image (log: /logs/checkpoint/checkpoint.log),
#                            exit 0; exit 1 when the dump fails.
#   a checkpoint present     restore it with CRIU (log: /logs/checkpoint/restore.log) and print
#                            CWWKC0452I; when that fails print CWWKE0961I and start the server
#                            normally, or with CRIU_RESTORE_DISABLE_RECOVERY=true print CWWKE0964E
#                            and exit 1.
#   otherwise                start the server normally.
#
# Least privilege: the server runs as this script's uid (1001) through
# `setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all`, so it holds no capabilities and
# cannot gain any by executing a binary with file capabilities (criu restores no_new_privs with
# the server); only the two criu
# copies do, through file capabilities (checkpoint: checkpoint_restore, sys_ptrace, setpcap;
# restore: checkpoint_restore, setpcap). A restore then needs neither SYS_PTRACE nor privileges.
#
# The first argument (the image's CMD) names the server (SERVER_NAME for lcp-testserver).
#
# Test knobs: LCP_TEST_FAIL_CHECKPOINT=true kills the server just before the dump, so the dump
# fails for real; LCP_TEST_APP_START (a Go duration) sets the simulated application start time.
set -u
export SERVER_NAME=${1:-defaultServer}

image_dir=/output/workarea/checkpoint/image
checkpoint_log=/logs/checkpoint/checkpoint.log
restore_log=/logs/checkpoint/restore.log
messages=/logs/messages.log
server=(setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all /opt/lcp/bin/lcp-testserver)
criu_checkpoint=/opt/lcp/criu/checkpoint/criu
criu_restore=${CRIU_RESTORE_PATH:-/opt/lcp/criu/restore/criu}
criu_opts=(--unprivileged --shell-job --tcp-established --file-locks --skip-file-rwx-check -v4)

say() { printf '%s\n' "$*"; }

# The privileges this container got, for the tests that check them.
say "lcp-test entrypoint privileges: $(grep -E '^(CapBnd|CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -d ' \t' | tr '\n' ' ')"

now_ns() { date +%s%N; }

# follow_messages <tail -n argument>: copy the server's log file to our stdout (the container log).
follow_messages() {
  tail -s 0.05 -n "$1" -F "$messages" 2>/dev/null &
  tail_pid=$!
}

stop_following() {
  # Give tail a moment to copy the last lines.
  sleep 0.2
  kill "$tail_pid" 2>/dev/null
}

# run_server: start the server normally and wait for it; SIGTERM is passed on.
run_server() {
  # As the base images do, the server's environment records when it started
  # (LCP_JVM_STARTED_MS); a restored server keeps the checkpoint run's.
  LCP_JVM_STARTED_MS=$(date +%s%3N) "${server[@]}" </dev/null >>"$messages" 2>&1 &
  server_pid=$!
  trap 'kill -TERM "$server_pid" 2>/dev/null' TERM INT
  wait "$server_pid"
  rc=$?
  # wait returns early when a trapped signal arrives: wait again for the real exit.
  while kill -0 "$server_pid" 2>/dev/null; do wait "$server_pid"; rc=$?; done
  stop_following
  exit "$rc"
}

# bump_pids: use up PIDs so the server's PID and thread ids are above any a later restore's own
# processes take; CRIU restores processes with their original ids.
bump_pids() {
  local last=0
  while ((last < 1000)); do
    : &
    last=$!
    wait "$last"
  done
}

checkpoint() {
  local phase=$1 pid rc
  mkdir -p "$image_dir" "$(dirname "$checkpoint_log")"
  rm -rf "${image_dir:?}"/* "$checkpoint_log"
  : >"$messages"
  bump_pids
  follow_messages +1
  LCP_JVM_STARTED_MS=$(date +%s%3N) "${server[@]}" -checkpoint-at="$phase" </dev/null >>"$messages" 2>&1 &
  pid=$!
  disown "$pid" # criu kills it after the dump: no job notice
  # Wait until the server reaches the phase (CWWKC0451I) or dies.
  for ((i = 0; i < 6000; i++)); do
    grep -q CWWKC0451I "$messages" && break
    if ! kill -0 "$pid" 2>/dev/null; then
      stop_following
      say "[ERROR   ] CWWKC0453E: The server checkpoint request failed: the server exited before it reached the $phase phase."
      exit 1
    fi
    sleep 0.01
  done
  if [[ ${LCP_TEST_FAIL_CHECKPOINT:-} == true ]]; then
    say "lcp-testserver entrypoint: LCP_TEST_FAIL_CHECKPOINT=true, killing the server before the dump"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  fi
  "$criu_checkpoint" dump -t "$pid" -D "$image_dir" -o "$checkpoint_log" "${criu_opts[@]}"
  rc=$?
  stop_following
  if ((rc != 0)); then
    say "[ERROR   ] CWWKC0453E: The server checkpoint request failed: criu dump exited with $rc. See $checkpoint_log."
    tail -n 5 "$checkpoint_log" 2>/dev/null
    exit 1
  fi
  say "[AUDIT   ] CWWKE0100I: The checkpoint of the server in the $phase phase is complete ($(du -sh "$image_dir" | cut -f1))."
  exit 0
}

restore() {
  local start pid ms
  start=$(now_ns)
  follow_messages 0
  if "$criu_restore" restore -D "$image_dir" -o "$restore_log" "${criu_opts[@]}" \
    --restore-detached --pidfile /tmp/lcp-restored.pid; then
    pid=$(cat /tmp/lcp-restored.pid)
    ms=$((($(now_ns) - start) / 1000000))
    say "$(printf '[AUDIT   ] CWWKC0452I: The Liberty server process resumed operation from a checkpoint in %d.%03d seconds.' $((ms / 1000)) $((ms % 1000)))"
    trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
    kill -USR1 "$pid"
    # The restored server is not our child: poll until it exits.
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    stop_following
    exit 0
  fi
  if [[ ${CRIU_RESTORE_DISABLE_RECOVERY:-} == true ]]; then
    say "[ERROR   ] CWWKE0964E: Restoring the checkpoint server process failed and CRIU_RESTORE_DISABLE_RECOVERY is set. Check $restore_log."
    tail -n 5 "$restore_log" 2>/dev/null
    stop_following
    exit 1
  fi
  say "[AUDIT   ] CWWKE0961I: Restoring the checkpoint server process failed. Check the $restore_log log to determine why the checkpoint process was not restored. Launching the server without using the checkpoint image."
  tail -n 5 "$restore_log" 2>/dev/null
  run_server
}

if [[ -n ${WLP_CHECKPOINT:-} ]]; then
  phase=$WLP_CHECKPOINT
  unset WLP_CHECKPOINT
  checkpoint "$phase"
elif [[ -n $(ls -A "$image_dir" 2>/dev/null) ]]; then
  restore
else
  follow_messages 0
  run_server
fi
