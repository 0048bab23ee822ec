#!/usr/bin/env bash
# setup-host.sh: install and configure what liberty-checkpoint's builds and tests need on a
# Debian bookworm machine of this project's kind (root, no container registry, cgroups v1 hybrid,
# hard nofile limit 20000). Idempotent and quiet when everything is already in place.
#
#   hack/setup-host.sh            install packages, Go tools, containers.conf
#   hack/setup-host.sh --check    only report what is missing (exit 1 if anything is)
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
