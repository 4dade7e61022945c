#!/usr/bin/env bash
# `make demo`: simulates the Agadir pilot (Topologies/agadir-pilot.yaml) — the Commune, IOM, state
# services and associations, each agent a thread talking through a real hub over tcp loopback —
# for three simulated weeks plus drain, in about 30 s, and writes an HTML and a JSON report.
# The same network as separate processes, on a smaller scale: scripts/demo-processes.sh.
set -euo pipefail
BIN=${1:-.build/release}
cd "$(dirname "$0")/.."
mkdir -p reports
status=0
"$BIN/tansiq" sim run Topologies/agadir-pilot.yaml \
    --html-report reports/agadir-pilot.html --json-report reports/agadir-pilot.json || status=$?
echo
echo "==> HTML report: file://$(pwd)/reports/agadir-pilot.html (JSON: reports/agadir-pilot.json)"
exit "$status"
