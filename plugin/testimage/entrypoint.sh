#!/bin/bash
# entrypoint.sh: the test image's entrypoint. It prints the privileges the container got, for the
# tests that check them, and runs the base image's own start script (beta-image/helpers'
# lcp-start.sh, the local flavor's InstantOn protocol) with the image's command.
printf 'lcp-test entrypoint privileges: %s\n' "$(grep -E '^(CapBnd|CapEff|NoNewPrivs|Seccomp):' /proc/self/status | tr -d ' \t' | tr '\n' ' ')"
exec /opt/lcp/helpers/lcp-start.sh "$@"
