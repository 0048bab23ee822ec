# shellcheck shell=bash disable=SC2034 # the variables are for the scripts that source this
# lcp-lib.sh: what the start, checkpoint, restore and configure scripts share, in every flavor of
# the base image (UBI + OpenJ9, and the local HotSpot flavor). Sourced, never run.
#
# The InstantOn protocol these scripts implement (the same one Open Liberty's images follow):
#   - a checkpoint lives in $LCP_OUTPUT_DIR/workarea/checkpoint/image (/output/workarea/...);
#   - WLP_CHECKPOINT=<phase> on a run means "start the server, checkpoint it, exit";
#   - CRIU's logs are $LCP_LOG_DIR/checkpoint/checkpoint.log and restore.log;
#   - restore success prints CWWKC0452I; a failed restore prints CWWKE0961I and starts the server
#     normally, or prints CWWKE0964E and exits when CRIU_RESTORE_DISABLE_RECOVERY=true.
#
# Every path is an environment variable with the in-image default, so tests can run the scripts
# against a temporary directory with stub commands on PATH.

LCP_RUNTIME=${LCP_RUNTIME:-openj9}          # openj9 (Liberty + OpenJ9 CRIU API) or hotspot (criu dump)
LCP_SERVER_NAME=${LCP_SERVER_NAME:-defaultServer}
LCP_WLP_DIR=${LCP_WLP_DIR:-/opt/ol/wlp}
LCP_CONFIG_DIR=${LCP_CONFIG_DIR:-/config}
LCP_OUTPUT_DIR=${LCP_OUTPUT_DIR:-/output}
LCP_LOG_DIR=${LCP_LOG_DIR:-/logs}
LCP_CHECKPOINT_DIR=$LCP_OUTPUT_DIR/workarea/checkpoint/image
LCP_CONSOLE_LOG=$LCP_LOG_DIR/checkpoint/console.log   # the checkpointed JVM's stdout/stderr (hotspot)
LCP_RESUMED_MARKER=${LCP_RESUMED_MARKER:-$LCP_LOG_DIR/checkpoint/.resumed}
CRIU_CHECKPOINT_PATH=${CRIU_CHECKPOINT_PATH:-criu}   # the copy with cap_checkpoint_restore,cap_sys_ptrace,cap_setpcap
CRIU_RESTORE_PATH=${CRIU_RESTORE_PATH:-criu}         # the copy with cap_checkpoint_restore,cap_setpcap only
LCP_PID_FLOOR=${LCP_PID_FLOOR:-1000}                 # the checkpointed JVM gets a PID above this
# Where this file is, without a subshell: sourcing it must cost no process (every restore does).
lcp_helpers_dir=${BASH_SOURCE[0]%/*}
[[ $lcp_helpers_dir == "${BASH_SOURCE[0]}" ]] && lcp_helpers_dir=.
LCP_COMPACT_AGENT=${LCP_COMPACT_AGENT:-$lcp_helpers_dir/lcp-compact.jar} # the local flavor's checkpoint agent
LCP_SNIPPETS_DIR=${LCP_SNIPPETS_DIR:-$lcp_helpers_dir/snippets} # configuration snippets
LCP_LD_CACHE=${LCP_LD_CACHE:-/etc/ld.so.cache}       # the dynamic linker's cache ...
LCP_PORTABLE_LD_CACHE=${LCP_PORTABLE_LD_CACHE:-/etc/instanton.ld.so.cache} # ... and Semeru's one without glibc-hwcaps

# lcp_say prints a line on stdout, where container logs (and the engine) read it.
lcp_say() { printf '%s\n' "$*"; }

# lcp_warn prints a line on stderr.
lcp_warn() { printf 'liberty-checkpoint: %s\n' "$*" >&2; }

# lcp_now_ms prints the wall clock in milliseconds (bash's clock: no process).
lcp_now_ms() {
  local t=${EPOCHREALTIME/[.,]/}
  printf '%s' "${t%???}"
}

# lcp_seconds_since MS prints the seconds since MS (from lcp_now_ms) with three decimals.
lcp_seconds_since() {
  local ms=$(( $(lcp_now_ms) - $1 ))
  (( ms < 0 )) && ms=0
  printf '%d.%03d' $(( ms / 1000 )) $(( ms % 1000 ))
}

# lcp_phase NAME prints the checkpoint phase Liberty understands for NAME and fails for an unknown
# one. Prototype-era names still work: deployment and features meant beforeAppStart,
# applications meant afterAppStart.
lcp_phase() {
  case ${1:-} in
    beforeAppStart | afterAppStart) printf '%s' "$1" ;;
    deployment | features) printf 'beforeAppStart' ;;
    applications) printf 'afterAppStart' ;;
    *) return 1 ;;
  esac
}

# lcp_bump_pids forks throwaway processes until the next PID is above LCP_PID_FLOOR, so the PIDs
# of the checkpointed process tree cannot clash with the few processes a restoring container has
# already started (its init, this script, criu) when criu recreates them.
lcp_bump_pids() {
  local pid
  pid=$(printf '%s' "$BASHPID")
  while (( pid <= LCP_PID_FLOOR )); do
    pid=$(printf '%s' "$BASHPID")
  done
  lcp_warn "PID counter moved to $pid (floor $LCP_PID_FLOOR)"
}

# lcp_portable_ld_cache puts the base image's portable linker cache (Semeru's
# /etc/instanton.ld.so.cache, which leaves out the glibc-hwcaps libraries tuned for one CPU
# generation) in place of /etc/ld.so.cache before a checkpoint, so the checkpointed JVM has loaded
# only libraries every CPU of the architecture can run, and the checkpoint restores on other CPUs.
# The image makes /etc/ld.so.cache group-writable for this. Nothing to do without that file.
lcp_portable_ld_cache() {
  [[ -e $LCP_PORTABLE_LD_CACHE ]] || return 0
  cp "$LCP_PORTABLE_LD_CACHE" "$LCP_LD_CACHE" || { lcp_warn "cannot copy $LCP_PORTABLE_LD_CACHE to $LCP_LD_CACHE"; return 1; }
  lcp_warn "using the portable linker cache $LCP_PORTABLE_LD_CACHE"
}

# lcp_is_openj9 succeeds when the java on PATH is OpenJ9 (the JVM with the CRIU API that
# `server checkpoint` and -Xshareclasses need).
lcp_is_openj9() { java -version 2>&1 | grep -q OpenJ9; }

# lcp_jvm_name prints the first line java -version prints (what the JVM calls itself).
lcp_jvm_name() { java -version 2>&1 | head -n 1; }

# lcp_criu_mode_args prints --unprivileged when criu will run as a non-root user (it then relies
# on its file capabilities), like Liberty's server script; CRIU_UNPRIVILEGED=true/false overrides.
lcp_criu_mode_args() {
  case ${CRIU_UNPRIVILEGED:-} in
    true | TRUE | True | 1) printf -- '--unprivileged' ;;
    false | FALSE | False | 0) ;;
    *) ((EUID != 0)) && printf -- '--unprivileged' ;;
  esac
  return 0
}

# LCP_DROP_CAPS_CMD is the command prefix that runs a program with no inheritable or ambient
# capabilities. `podman run --cap-add` gives a non-root user those capabilities in every set; a
# JVM checkpointed while holding SYS_PTRACE cannot be restored without it, and a process holding
# capabilities cannot be reached through /proc by one without them. Only the two criu copies
# (file capabilities) need any. Empty without setpriv or with LCP_DROP_CAPS=false.
#
# LCP_JVM_CMD is the same plus no_new_privs, for every JVM that never launches criu itself (each
# HotSpot JVM, and every cold start): nothing the application executes can gain a capability, not
# even the criu copies with their file capabilities. OpenJ9's `server checkpoint` and a restore by
# Liberty's server script launch criu from the JVM's side, so they cannot have it.
LCP_DROP_CAPS_CMD=()
LCP_JVM_CMD=()
if [[ ${LCP_DROP_CAPS:-true} != false ]] && command -v setpriv >/dev/null 2>&1; then
  LCP_DROP_CAPS_CMD=(setpriv --inh-caps=-all --ambient-caps=-all --)
  LCP_JVM_CMD=(setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all --)
fi

# lcp_run_unprivileged CMD... runs CMD through LCP_DROP_CAPS_CMD.
lcp_run_unprivileged() { "${LCP_DROP_CAPS_CMD[@]}" "$@"; }

# lcp_exec_unprivileged CMD... replaces this shell with CMD run through LCP_DROP_CAPS_CMD.
lcp_exec_unprivileged() { exec "${LCP_DROP_CAPS_CMD[@]}" "$@"; }

# lcp_exec_jvm CMD... replaces this shell with the server CMD: no capabilities, no_new_privs, and
# LCP_JVM_STARTED_MS, the wall clock when it started, in its environment. criu restores both: a
# JVM checkpointed with no_new_privs has it after the restore (measured with criu 4.2.1, whether
# or not the restoring criu had it), and a restored JVM keeps the environment it had at
# checkpoint time, so LCP_JVM_STARTED_MS is a fact of the process that tells a restore (started
# before its container was created) from a cold start (after). liberty-checkpoint restore reads
# it from /proc/<pid>/environ.
lcp_exec_jvm() {
  lcp_mark_jvm_start
  exec "${LCP_JVM_CMD[@]}" "$@"
}

# lcp_mark_jvm_start exports LCP_JVM_STARTED_MS, the wall clock in milliseconds (no process).
lcp_mark_jvm_start() {
  local t=${EPOCHREALTIME/[.,]/}
  export LCP_JVM_STARTED_MS=${t%???}
}

# lcp_group_writable makes what the checkpoint run wrote under /logs and /output group-writable, so
# the image also runs under an arbitrary UID in group 0 (OpenShift's restricted SCC).
lcp_group_writable() {
  find -L "$LCP_LOG_DIR" "$LCP_OUTPUT_DIR" -type d -user "$(id -u)" -exec chmod g+rwx {} + 2>/dev/null
  find -L "$LCP_LOG_DIR" "$LCP_OUTPUT_DIR" -type f -user "$(id -u)" -exec chmod g+rw {} + 2>/dev/null
  return 0
}

# lcp_log_tail FILE prints the last lines of FILE on stderr (for a failed checkpoint or restore).
lcp_log_tail() {
  [[ -s $1 ]] || return 0
  lcp_warn "last lines of $1:"
  tail -n "${LCP_LOG_TAIL_LINES:-25}" "$1" >&2
}

# lcp_password prints a new random password (32 random bytes, base64).
lcp_password() { openssl rand -base64 32; }

# lcp_snippet NAME PASSWORD TARGET writes the configuration snippet NAME with @PASSWORD@ replaced
# to TARGET, group-writable.
lcp_snippet() {
  mkdir -p "$(dirname "$3")" &&
    sed "s|@PASSWORD@|$2|g" "$LCP_SNIPPETS_DIR/$1" >"$3" &&
    chmod g+rw "$3"
}

# lcp_default_keystore writes the default keystore configuration, with a new password, to
# configDropins/defaults/keystore.xml unless a keystore configuration is there already (in defaults
# or overrides). Liberty creates the keystore itself the first time TLS needs it. A password of
# the image's own, never one baked into the base image.
lcp_default_keystore() {
  local defaults=$LCP_CONFIG_DIR/configDropins/defaults/keystore.xml overrides=$LCP_CONFIG_DIR/configDropins/overrides/keystore.xml
  [[ -e $defaults || -e $overrides ]] && return 0
  lcp_snippet keystore.xml "$(lcp_password)" "$defaults"
}
