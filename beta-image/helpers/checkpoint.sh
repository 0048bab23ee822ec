#!/usr/bin/env bash
# checkpoint.sh PHASE: Open Liberty's build-time checkpoint, for the last line of an app image's
# Containerfile (the official images' name and usage):
#
#   RUN checkpoint.sh afterAppStart
#
# built with the capabilities CRIU needs, which only Podman can give a RUN step:
#
#   podman build --cap-add=CHECKPOINT_RESTORE --cap-add=SYS_PTRACE --cap-add=SETPCAP \
#     --security-opt seccomp=unconfined -t myapp:instanton .
#
# The layer that RUN step writes holds the checkpoint; containers of the image restore it.
# `liberty-checkpoint checkpoint-image --method build` does the same. It is lcp-checkpoint.sh with
# the image's usual command, so both flavors work: OpenJ9 checkpoints itself at PHASE, the local
# flavor (HotSpot) starts the server and criu dumps it once it is ready.
set -uo pipefail
helpers=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
if [[ $# -ne 1 ]]; then
  printf 'checkpoint.sh: usage: checkpoint.sh beforeAppStart|afterAppStart\n' >&2
  exit 2
fi
exec "$helpers/lcp-checkpoint.sh" "$1" server run "${LCP_SERVER_NAME:-defaultServer}"
