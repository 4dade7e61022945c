#!/usr/bin/env bash
# `make demo`: simulates the Agadir pilot (Topologies/agadir-pilot.yaml) — the Commune, IOM, state
# services and associations, each agent a thread talking through a real hub over tcp loopback —
# for three simulated weeks plus drain, on the wall clock (--time wall: a demo is watched), and
# writes an HTML and a JSON report.
# The same network as separate processes, on a smaller scale: scripts/demo-processes.sh.
# TANSIQ_DEMO_TOPOLOGY and TANSIQ_DEMO_REPORTS choose another topology and report directory
# (`make test` runs it on Topologies/minimal.yaml).
set -euo pipefail
BIN=${1:-.build/release}
cd "$(dirname "$0")/.."
TOPOLOGY=${TANSIQ_DEMO_TOPOLOGY:-Topologies/agadir-pilot.yaml}
REPORTS=${TANSIQ_DEMO_REPORTS:-reports}
NAME=$(basename "$TOPOLOGY" .yaml)
status=0
"$BIN/tansiq" sim run "$TOPOLOGY" --time wall \
    --html-report "$REPORTS/$NAME.html" --json-report "$REPORTS/$NAME.json" || status=$?
echo
echo "==> HTML report: file://$(cd "$REPORTS" && pwd)/$NAME.html (JSON: $REPORTS/$NAME.json)"
exit "$status"
