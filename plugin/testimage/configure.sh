#!/bin/bash
# configure.sh: what Liberty images run at the end of an application image build. Here it only
# checks that the application image has what the server needs and records that it ran.
set -euo pipefail
[[ -f /config/server.xml ]] || { echo "configure.sh: /config/server.xml missing" >&2; exit 1; }
echo "configure.sh: $(find /config/apps -maxdepth 1 -type f | wc -l) application(s) in /config/apps"
date -u +%Y-%m-%dT%H:%M:%SZ >/config/.configured
