#!/usr/bin/env bash
# `scripts/test-scripts.sh [BIN]`: runs every script of scripts/ on a short scenario, so that none
# rots unnoticed; `make test` calls it after the Swift tests. BIN holds the built executables
# (default .build/debug). About three minutes, most of it building the fuzz target; the browser test
# keeps its screenshots in test-artifacts/desk/.
set -euo pipefail
BIN=${1:-.build/debug}
cd "$(dirname "$0")/.."
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
step() { echo; echo "==> scripts/$1"; }

step check-topology-schema.py
python3 scripts/check-topology-schema.py

step "demo.sh (Topologies/minimal.yaml, into a reports/ directory that does not exist yet)"
TANSIQ_DEMO_TOPOLOGY=Topologies/minimal.yaml TANSIQ_DEMO_REPORTS="$SCRATCH/reports" scripts/demo.sh "$BIN"
test -s "$SCRATCH/reports/minimal.html"
test -s "$SCRATCH/reports/minimal.json"

step "rss-curve.sh (Topologies/minimal.yaml on the wall clock: a sample a second)"
scripts/rss-curve.sh "$SCRATCH/rss.tsv" "$BIN/tansiq" sim run Topologies/minimal.yaml --quiet --time wall
test "$(wc -l < "$SCRATCH/rss.tsv")" -ge 3
test -s "$SCRATCH/rss.tsv.time"

step demo-processes.sh
scripts/demo-processes.sh "$BIN" > "$SCRATCH/demo-processes.out"
grep -q 'cases closed by IOM' "$SCRATCH/demo-processes.out"

step "test-browser.sh (desk-demo.sh's desks in headless chromium: refer, accept, start, complete, the Commune's overview live, overdue, silent agency, facts, Arabic)"
scripts/test-browser.sh "$BIN"

step "bench-golden.py (the golden referral with its times moved to now: a hub accepts it)"
python3 scripts/bench-golden.py "$SCRATCH/golden"
"$BIN/tansiq" hub --insecure --no-journal --rate-limit 0 --ingress 'tcp://127.0.0.1:*' --egress 'tcp://127.0.0.1:*' \
    --publish 'tcp://127.0.0.1:*' >"$SCRATCH/hub.out" 2>"$SCRATCH/hub.log" &
HUB=$!
for _ in $(seq 1 100); do [ -s "$SCRATCH/hub.out" ] && break; sleep 0.1; done
PUBLISH=$(head -n 1 "$SCRATCH/hub.out" | sed -E 's/.*"publish":"([^"]+)".*/\1/')
python3 - "$SCRATCH/golden" >"$SCRATCH/golden.json" <<'PY'
import json, sys
d = sys.argv[1]
read = lambda name: open(f"{d}/referral.{name}").read()
print(json.dumps({"topic": read("topic"), "header": json.loads(read("header.json")), "body": json.loads(read("body.json"))}))
PY
"$BIN/tansiq" pub file "$SCRATCH/golden.json" --publish "$PUBLISH" --insecure
kill -TERM "$HUB"; wait "$HUB" || true

step "fuzz/run.sh 5 (build the libFuzzer target, fuzz for 5 s)"
scripts/fuzz/run.sh 5 > "$SCRATCH/fuzz.out" 2>&1 || { tail -40 "$SCRATCH/fuzz.out"; exit 1; }
grep -E '^Done [0-9]+ runs' "$SCRATCH/fuzz.out"

step "valgrind/run.sh (leak check of the ZeroMQ module)"
scripts/valgrind/run.sh > "$SCRATCH/valgrind.out" 2>&1 || { tail -40 "$SCRATCH/valgrind.out"; exit 1; }
grep -E 'definitely lost|ERROR SUMMARY' "$SCRATCH/valgrind.out" | tail -2

echo; echo "==> packaging/systemd units (systemd-analyze) and docs/monitoring alert rules (promtool)"
# The units name /usr/local/bin executables that a test machine does not have: every other
# complaint of systemd-analyze is a mistake in a unit.
if command -v systemd-analyze >/dev/null 2>&1; then
    cp packaging/systemd/tansiq-hub.service "$SCRATCH/"
    cp 'packaging/systemd/tansiq-agent@.service' "$SCRATCH/tansiq-agent@iom-morocco.service"
    problems=$(systemd-analyze verify --man=no "$SCRATCH/tansiq-hub.service" "$SCRATCH/tansiq-agent@iom-morocco.service" 2>&1 | grep -v 'is not executable' || true)
    [ -z "$problems" ] || { echo "$problems"; exit 1; }
    echo "systemd-analyze verify: ok"
fi
promtool check rules docs/monitoring/tansiq-alerts.yml

echo
echo "==> every script of scripts/ ran"
