#!/usr/bin/env bash
# `scripts/test-browser.sh [BIN]`: the desks in a real browser. Starts scripts/desk-demo.sh (a secure
# hub, IOM, the health delegation and the Commune with their desks) and runs
# Tests/Browser/desk_flow.py in headless Debian chromium through /usr/bin/chromedriver: a referral
# written at IOM's desk, accepted, started and completed at the health delegation's, each state
# seen live at IOM and on the Commune's overview, an overdue referral appearing on the overview
# when its deadline passes on the Commune's clock (--test-timing), the health agent shown silent
# once stopped, the Arabic desk and overview right to left. Screenshots: test-artifacts/desk/.
# Bounded: 90 s for the desks to answer, 300 s for the flow; every process stopped on exit.
# `make test` runs it from scripts/test-scripts.sh; scripts/ensure-deps.sh --test installs chromium,
# chromium-driver, selenium and an Arabic font.
set -euo pipefail
BIN=${1:-.build/debug}
cd "$(dirname "$0")/.."
ARTIFACTS=test-artifacts/desk

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
python3 -c 'import selenium' >/dev/null 2>&1 || missing+=(selenium)
[ -n "$(fc-list :lang=ar family 2>/dev/null)" ] || missing+=("a font with Arabic glyphs")
if [ ${#missing[@]} -gt 0 ]; then
    echo "error: missing ${missing[*]}: run scripts/ensure-deps.sh --test" >&2
    exit 1
fi

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/tansiq-browser.XXXXXX")
DEMO=
FLOW=
# Stops a process group we started (setsid made its leader), gracefully, then for good.
stop_group() {
    local leader=$1 seconds=$2
    kill -TERM "$leader" 2>/dev/null || return 0
    for _ in $(seq 1 $((seconds * 10))); do
        kill -0 "$leader" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$leader" 2>/dev/null || true
}
cleanup() {
    trap - EXIT INT TERM
    [ -z "$FLOW" ] || stop_group "$FLOW" 10
    [ -z "$DEMO" ] || stop_group "$DEMO" 20
    wait 2>/dev/null || true
    rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_demo_log() {
    echo "--- scripts/desk-demo.sh output:" >&2
    tail -60 "$SCRATCH/demo.log" >&2 || true
}

setsid scripts/desk-demo.sh "$BIN" --test-timing --ready-file "$SCRATCH/ready.json" >"$SCRATCH/demo.log" 2>&1 &
DEMO=$!
for _ in $(seq 1 900); do
    [ -s "$SCRATCH/ready.json" ] && break
    if ! kill -0 "$DEMO" 2>/dev/null; then
        echo "error: scripts/desk-demo.sh stopped before its desks answered" >&2
        show_demo_log
        exit 1
    fi
    sleep 0.1
done
if [ ! -s "$SCRATCH/ready.json" ]; then
    echo "error: the desks did not answer within 90 s" >&2
    show_demo_log
    exit 1
fi
grep 'http://' "$SCRATCH/demo.log" | sed 's/^ */    desk: /' || true

status=0
setsid timeout --kill-after=10 300 python3 Tests/Browser/desk_flow.py \
    --ready "$SCRATCH/ready.json" --artifacts "$ARTIFACTS" --scratch "$SCRATCH" &
FLOW=$!
wait "$FLOW" || status=$?
FLOW=
if [ "$status" != 0 ]; then
    [ "$status" = 124 ] && echo "error: the browser flow did not finish within 300 s" >&2
    show_demo_log
    exit "$status"
fi
echo "==> screenshots: $(find "$ARTIFACTS" -name '*.png' | wc -l) in $ARTIFACTS/"
