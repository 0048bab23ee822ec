#!/usr/bin/env bash
# setup-host.sh: install and configure what liberty-checkpoint's builds and tests need on a
# Debian bookworm machine of this project's kind (root, no container registry, cgroups v1 hybrid,
# hard nofile limit 20000). Idempotent and quiet when everything is already in place.
#
#   hack/setup-host.sh            install packages, Go tools, containers.conf
#   hack/setup-host.sh --check    only report what is missing (exit 1 if anything is)
#
# It also prepares the rootless user (ROOTLESS_USER, default lcp-rootless) that the rootless tests
# and `make demo ROOTLESS=1` run as: an ordinary account with subuid/subgid ranges, its runtime
# directory, /dev/net/tun and /dev/fuse open to users (slirp4netns and fuse-overlayfs need them),
# and a storage.conf that picks native overlay (kernel >= 5.13) instead of the slow vfs fallback.
set -euo pipefail

check_only=false
[[ "${1:-}" == "--check" ]] && check_only=true

log() { printf 'setup-host: %s\n' "$*" >&2; }

# Debian packages: podman and runc (crun fails on hybrid cgroups here), debootstrap for the
# registry-free base images, protoc for `make gen`, gradle for the Gradle shim, maven and a JDK 17
# for the Maven shim, shellcheck for the beta-image scripts, openssl for their certificate tests,
# uidmap/slirp4netns for podman, curl/jq for scripts, gcc and the C library headers for cgo, which
# the race detector (make test-race) needs, zip for the shims' per-platform binaries (hack/bundle.sh),
# and openssh-server (sshd only: the ssh remote test starts its own, on a free loopback port with its
# own config and keys; the system's ssh service is not started here); docker-registry (the
# distribution registry 2.8) for the push and pull tests, which start their own instance on a free
# loopback port with TLS and auth (the package starts no service here).
APT_PACKAGES=(podman runc conmon debootstrap protobuf-compiler gradle maven openjdk-17-jdk-headless
  shellcheck uidmap slirp4netns fuse-overlayfs curl jq iptables catatonit libcap2-bin openssl gcc libc6-dev
  zip openssh-server docker-registry)

# Go tools pinned to exact versions (the proxy refuses @latest for some of them). grpcurl 1.9.1:
# 1.9.2 and 1.9.3 broke `grpcurl -unix PATH` (fullstorydev/grpcurl#496, #546), which is how
# `serve`'s default Unix socket is reached.
GO_TOOLS=(
  google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.10
  google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.5.1
  github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.1
)

# Rootless Podman: an ordinary user who checkpoints and restores with its own user namespace.
ROOTLESS_USER=${ROOTLESS_USER:-lcp-rootless}
SUBID_START=${SUBID_START:-200000}
SUBID_COUNT=65536

rootless_problems() {
  local uid
  id -u "$ROOTLESS_USER" >/dev/null 2>&1 || { echo "user $ROOTLESS_USER missing"; return; }
  uid=$(id -u "$ROOTLESS_USER")
  grep -q "^$ROOTLESS_USER:" /etc/subuid || echo "no subuid range for $ROOTLESS_USER"
  grep -q "^$ROOTLESS_USER:" /etc/subgid || echo "no subgid range for $ROOTLESS_USER"
  [[ -d /run/user/$uid ]] || echo "runtime directory /run/user/$uid missing"
  local dev
  for dev in /dev/net/tun /dev/fuse; do
    [[ -c $dev && "$(stat -c %a "$dev")" == 666 ]] || echo "$dev not open to users (mode 0666)"
  done
  [[ -f "$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)/.config/containers/storage.conf" ]] ||
    echo "storage.conf of $ROOTLESS_USER missing"
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

gobin="$(go env GOPATH)/bin"
missing_tools=()
for t in "${GO_TOOLS[@]}"; do
  name="${t%@*}"; name="${name##*/}"
  # Present at the pinned version (go version -m reads the module version built into it).
  [[ -x "$gobin/$name" ]] && go version -m "$gobin/$name" 2>/dev/null | grep -q "[[:space:]]${t##*@}[[:space:]]" ||
    missing_tools+=("$t")
done

if $check_only; then
  rc=0
  ((${#missing[@]})) && { log "missing packages: ${missing[*]}"; rc=1; }
  ((${#missing_tools[@]})) && { log "missing Go tools: ${missing_tools[*]}"; rc=1; }
  [[ -f /etc/containers/containers.conf.d/50-liberty-checkpoint.conf ]] || { log "containers.conf drop-in missing"; rc=1; }
  problems=$(rootless_problems)
  [[ -z $problems ]] || { log "rootless: ${problems//$'\n'/; }"; rc=1; }
  exit $rc
fi

if ((${#missing[@]})); then
  [[ $EUID -eq 0 ]] || { log "need root to install: ${missing[*]} (run: sudo $0)"; exit 1; }
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null
  # No package may start a service while it installs (openssh-server would start sshd on port 22):
  # policy-rc.d answers 101 (action forbidden) to invoke-rc.d and deb-systemd-invoke. One that is
  # already there is left as it is.
  policy=/usr/sbin/policy-rc.d own_policy=false
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# liberty-checkpoint setup-host.sh: no service starts while packages install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=true
  fi
  rc=0
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  $own_policy && rm -f "$policy"
  ((rc == 0)) || exit $rc
fi

for t in "${missing_tools[@]}"; do
  log "go install $t"
  GOFLAGS=-buildvcs=false go install "$t"
done

# Podman configuration. crun refuses this host's hybrid cgroups; the default container rlimits
# (nofile 1048576) exceed the host's hard limits, so every container start would fail in setrlimit.
if [[ $EUID -eq 0 ]]; then
  hard_nofile=$(ulimit -Hn); hard_nproc=$(ulimit -Hu)
  nofile=4096; nproc=4096
  [[ "$hard_nofile" != unlimited && "$hard_nofile" -lt $nofile ]] && nofile=$hard_nofile
  [[ "$hard_nproc" != unlimited && "$hard_nproc" -lt $nproc ]] && nproc=$hard_nproc
  conf=/etc/containers/containers.conf.d/50-liberty-checkpoint.conf
  want=$(cat <<CONF
# Written by liberty-checkpoint hack/setup-host.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]

[engine]
runtime = "runc"
CONF
)
  if [[ ! -f $conf || "$(cat "$conf")" != "$want" ]]; then
    mkdir -p "$(dirname "$conf")"
    printf '%s\n' "$want" >"$conf"
    log "wrote $conf (runtime runc, ulimits nofile=$nofile nproc=$nproc)"
  fi
  # No registry is reachable: never try one for short names.
  reg=/etc/containers/registries.conf.d/50-liberty-checkpoint.conf
  if [[ ! -f $reg ]]; then
    mkdir -p "$(dirname "$reg")"
    printf '# Written by liberty-checkpoint hack/setup-host.sh\nshort-name-mode = "permissive"\n' >"$reg"
  fi
fi

if [[ $EUID -eq 0 ]]; then
  if ! id -u "$ROOTLESS_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash --comment "liberty-checkpoint rootless tests" "$ROOTLESS_USER"
    log "created user $ROOTLESS_USER"
  fi
  uid=$(id -u "$ROOTLESS_USER"); home=$(getent passwd "$ROOTLESS_USER" | cut -d: -f6)
  # Subordinate ids for the user namespace (newuidmap/newgidmap from uidmap). useradd adds them
  # only when SUB_UID_COUNT is set in login.defs; add a range that no other user has.
  for f in subuid subgid; do
    touch /etc/$f
    if ! grep -q "^$ROOTLESS_USER:" /etc/$f; then
      start=$SUBID_START
      while awk -F: -v s="$start" -v n="$SUBID_COUNT" '$2 < s+n && s < $2+$3 {found=1} END {exit !found}' /etc/$f; do
        start=$((start + SUBID_COUNT))
      done
      echo "$ROOTLESS_USER:$start:$SUBID_COUNT" >>/etc/$f
      log "added /etc/$f range $start+$SUBID_COUNT for $ROOTLESS_USER"
    fi
  done
  # XDG_RUNTIME_DIR: no logind here creates it at login.
  if [[ ! -d /run/user/$uid ]]; then
    install -d -m 0700 -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "/run/user/$uid"
  fi
  # slirp4netns opens /dev/net/tun and fuse-overlayfs /dev/fuse inside the user namespace: both
  # must be open to users (0666 is what udev gives them on a desktop Debian; this machine has 0600).
  for dev in /dev/net/tun /dev/fuse; do
    if [[ -c $dev && "$(stat -c %a "$dev")" != 666 ]]; then
      chmod 0666 "$dev"
      log "chmod 0666 $dev (rootless networking and fuse-overlayfs)"
    fi
  done
  # Storage: native overlay in the user namespace (kernel >= 5.13, no FUSE); without a storage.conf
  # Podman 4.3 falls back to vfs here, which copies every layer for every container.
  conf="$home/.config/containers/storage.conf"
  want='# Written by liberty-checkpoint hack/setup-host.sh
[storage]
driver = "overlay"'
  if [[ ! -f $conf || "$(cat "$conf")" != "$want" ]]; then
    install -d -o "$ROOTLESS_USER" -g "$ROOTLESS_USER" "$home/.config" "$home/.config/containers"
    printf '%s\n' "$want" >"$conf"
    chown "$ROOTLESS_USER:" "$conf"
    log "wrote $conf (driver overlay)"
  fi
fi
