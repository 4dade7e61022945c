#!/usr/bin/env bash
# `scripts/demo-processes.sh [BIN]`: a small Agadir network on this machine — a hub, the Commune (coordinator), IOM,
# the health delegation and a legal-aid association — each a real process over tcp loopback, with CURVE.
# IOM refers three cases; one goes to a partner that never answers, to show an escalation.
set -euo pipefail
BIN=${1:-.build/release}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# CURVE keys for the hub and each agency, made for this run in the layout of docs/operations.md
# (`tansiq keys init`): each agency keeps its AGENCY.secret, the hub admits keys/agencies/ and
# applies the pilot's access policy; every agency gets keys/hub.key.
KEYS="$WORK/keys"
"$BIN/tansiq" keys init "$KEYS" --agency commune-agadir --agency health-delegation-agadir \
    --agency association-legal-aid --agency iom-morocco >/dev/null
keys_of() { printf -- '--secret-key %s --hub-key %s' "$KEYS/$1.secret" "$KEYS/hub.key"; }

"$BIN/tansiq" hub --secret-key "$KEYS/hub.secret" --agency-keys "$KEYS/agencies" \
    --policy "$(dirname "$0")/../Topologies/agadir-pilot.policy.yaml" \
    --ingress 'tcp://127.0.0.1:*' --egress 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' --publish 'tcp://127.0.0.1:*' \
    --journal "$WORK/journal.sqlite" --statistics-interval 1 --coordinator commune-agadir \
    >"$WORK/hub.out" 2>"$WORK/hub.log" &
PIDS+=($!)
for _ in $(seq 1 100); do
    [ -s "$WORK/hub.out" ] && break
    sleep 0.1
done
ENDPOINTS=$(head -n 1 "$WORK/hub.out")
INGRESS=$(printf '%s' "$ENDPOINTS" | sed -E 's/.*"ingress":"([^"]+)".*/\1/')
EGRESS=$(printf '%s' "$ENDPOINTS" | sed -E 's/.*"egress":"([^"]+)".*/\1/')
REPLAY=$(printf '%s' "$ENDPOINTS" | sed -E 's/.*"replay":"([^"]+)".*/\1/')
PUBLISH=$(printf '%s' "$ENDPOINTS" | sed -E 's/.*"publish":"([^"]+)".*/\1/')
echo "==> hub listening: ingress $INGRESS, egress $EGRESS (CURVE, 4 agencies admitted, pilot policy)"

# What the coordinator sees, as it happens: the hub's de-identified view of every referral
# (bodies go only where consent allows), status changes and escalations.
# shellcheck disable=SC2046
"$BIN/tansiq" sub hub/view/ status/ hub/escalation/ escalation/ --egress "$EGRESS" --timeout 12 $(keys_of commune-agadir) &
PIDS+=($!)

start_agent() {
    local name=$1 agency=$3; shift
    # shellcheck disable=SC2046
    "$BIN/$name" --decisions automatic --ingress "$INGRESS" --egress "$EGRESS" --replay "$REPLAY" --publish "$PUBLISH" --print-events --log-level error $(keys_of "$agency") "$@" \
        >"$WORK/$name.events" 2>"$WORK/$name.log" &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        grep -q '"event":"ready"' "$WORK/$name.events" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "error: $name did not become ready; its log:" >&2
    cat "$WORK/$name.log" >&2
    exit 1
}
start_agent commune-agent --agency commune-agadir --service social-assistance:10
start_agent services-agent --agency health-delegation-agadir --service health:2 \
    --ack-delay 0.3 --decide-delay 0.5 --service-time 2
start_agent civil-society-agent --agency association-legal-aid --service legal:5 \
    --ack-delay 0.5 --decide-delay 0.5 --service-time 1.5
echo "==> IOM refers three cases (one to a shelter that never answers)"
start_agent iom-agent --agency iom-morocco --route health=health-delegation-agadir \
    --case health,legal --case health,social-assistance --case shelter@silent-shelter \
    --case-interval 0.5 --acknowledge-within 2 --decide-within 4

wait "${PIDS[1]}" || true
echo
echo "==> what the Commune (coordinator) saw"
grep -c '"event":"status-observed"' "$WORK/commune-agent.events" | sed 's/^/    status changes: /'
grep -c '"event":"escalation-observed"' "$WORK/commune-agent.events" | sed 's/^/    escalations:    /'
grep -c '"event":"case-closed"' "$WORK/iom-agent.events" | sed 's/^/    cases closed by IOM: /'
echo
echo "==> hub statistics"
# shellcheck disable=SC2046
"$BIN/tansiq" stats --egress "$EGRESS" --timeout 5 $(keys_of iom-morocco)
echo
echo "This demo runs each agency as a real process of its executable. The whole Agadir pilot"
echo "(Topologies/agadir-pilot.yaml) is simulated by 'make demo', and as processes by"
echo "'tansiq sim run Topologies/agadir-pilot.yaml --processes'."
