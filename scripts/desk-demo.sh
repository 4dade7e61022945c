#!/usr/bin/env bash
# `scripts/desk-demo.sh [BIN] [--ready-file PATH] [--port-base PORT]` (`make desk-demo`): a secure
# hub and three agents whose caseworkers decide (`--decisions people`), each serving its desk:
# IOM (iom-agent, a referrer), the health delegation (services-agent, a provider) and the Commune
# (commune-agent, the coordinator). Prints the desks' URLs and this run's demo logins, then runs
# until Ctrl-C (or SIGTERM), which stops every process and deletes the keys, master keys, state
# files and journal: nothing of the run stays on disk.
#
#   --ready-file PATH  once every desk answers, write PATH (mode 0600) as JSON: each desk's URL,
#                      agency and logins (passwords included); deleted again on exit.
#                      scripts/test-browser.sh uses it.
#   --port-base PORT   the desks listen on PORT (IOM), PORT+1 (health), PORT+2 (Commune) of
#                      127.0.0.1; default: ports the system chooses.
#   --test-timing      for scripts/test-browser.sh: heartbeats every 0.5 s and a hub that calls an
#                      agency silent after 3 s; the Commune's clock runs 4 h − 40 s ahead (a
#                      `stat` referral's decision deadline passes on it 40 s after it is sent);
#                      an agent that stops (the test stops one: its pid is in the ready file)
#                      does not end the demo.
set -euo pipefail
BIN=.build/debug
READY_FILE=
PORT_BASE=
TEST_TIMING=
while [ $# -gt 0 ]; do
    case "$1" in
        --ready-file) READY_FILE=${2:?--ready-file needs a path}; shift 2 ;;
        --port-base) PORT_BASE=${2:?--port-base needs a port}; shift 2 ;;
        --test-timing) TEST_TIMING=1; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        -*) echo "error: unknown option '$1' (see --help)" >&2; exit 64 ;;
        *) BIN=$1; shift ;;
    esac
done
if [ -n "$PORT_BASE" ] && ! [[ "$PORT_BASE" =~ ^[0-9]+$ && "$PORT_BASE" -ge 1024 && "$PORT_BASE" -le 65530 ]]; then
    echo "error: --port-base must be a port between 1024 and 65530" >&2
    exit 64
fi
for tool in tansiq iom-agent services-agent commune-agent; do
    if [ ! -x "$BIN/$tool" ]; then
        echo "error: $BIN/$tool is missing: build first (swift build), or give the directory of the executables" >&2
        exit 66
    fi
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TIME_ZONE=Africa/Casablanca

umask 077
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tansiq-desk-demo.XXXXXX")
PIDS=()
cleanup() {
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    # Agents and hub stop gracefully; whoever is still there after 10 s is killed.
    for _ in $(seq 1 100); do
        alive=0
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
    if [ -n "$READY_FILE" ]; then rm -f "$READY_FILE" "$READY_FILE.tmp"; fi
}
trap cleanup EXIT
trap 'echo; echo "==> stopping the hub and the agents"; exit 130' INT
trap 'exit 143' TERM

fail() {
    echo "error: $1; its log:" >&2
    cat "$2" >&2 2>/dev/null || true
    exit 1
}

# The hub's and the agencies' CURVE keys (docs/operations.md layout) and a master key per
# process, sealing the hub's journal and each agent's state file.
KEYS="$WORK/keys"
"$BIN/tansiq" keys init "$KEYS" --agency commune-agadir --agency health-delegation-agadir --agency iom-morocco >/dev/null
for owner in hub iom health commune; do
    "$BIN/tansiq" journal keygen "$WORK/$owner.master.key" >/dev/null
done

"$BIN/tansiq" hub --secret-key "$KEYS/hub.secret" --agency-keys "$KEYS/agencies" \
    --policy "$ROOT/Topologies/agadir-pilot.policy.yaml" --coordinator commune-agadir \
    --ingress 'tcp://127.0.0.1:*' --egress 'tcp://127.0.0.1:*' --replay 'tcp://127.0.0.1:*' --publish 'tcp://127.0.0.1:*' \
    --journal "$WORK/journal.sqlite" --master-key-file "$WORK/hub.master.key" \
    ${TEST_TIMING:+--presence-timeout 3} \
    >"$WORK/hub.out" 2>"$WORK/hub.log" &
PIDS+=($!)
for _ in $(seq 1 200); do
    [ -s "$WORK/hub.out" ] && break
    kill -0 "${PIDS[0]}" 2>/dev/null || fail "the hub stopped" "$WORK/hub.log"
    sleep 0.1
done
[ -s "$WORK/hub.out" ] || fail "the hub did not start within 20 s" "$WORK/hub.log"
ENDPOINTS=$(head -n 1 "$WORK/hub.out")
endpoint() { printf '%s' "$ENDPOINTS" | sed -E "s/.*\"$1\":\"([^\"]+)\".*/\\1/"; }
INGRESS=$(endpoint ingress)
EGRESS=$(endpoint egress)
REPLAY=$(endpoint replay)
PUBLISH=$(endpoint publish)

# One desk: NAME EXECUTABLE AGENCY INDEX [agent options…]. Demo accounts are added to the
# agent's state file before it first runs, with passwords made for this run.
DESKS=()
declare -A AGENCY_OF EXE_OF LOGINS_OF PID_OF
declare -A STOPPED
password() { LC_ALL=C tr -dc 'A-HJ-NP-Za-km-z2-9' </dev/urandom 2>/dev/null | head -c 16 || true; }
add_user() {
    local name=$1 worker=$2 role=$3 secret
    secret=$(password)
    printf '%s\n' "$secret" | "$BIN/tansiq" desk users add --state "$WORK/$name.state.sqlite" \
        --master-key-file "$WORK/$name.master.key" "$worker" --role "$role" >/dev/null
    LOGINS_OF[$name]+="$worker $role $secret;"
}
start_desk() {
    local name=$1 exe=$2 agency=$3 index=$4
    shift 4
    local listen=127.0.0.1:0
    [ -n "$PORT_BASE" ] && listen=127.0.0.1:$((PORT_BASE + index))
    DESKS+=("$name")
    AGENCY_OF[$name]=$agency
    EXE_OF[$name]=$exe
    "$BIN/$exe" --agency "$agency" --decisions people --time-zone "$TIME_ZONE" \
        --desk-listen "$listen" --desk-url-file "$WORK/$name.url" \
        --state "$WORK/$name.state.sqlite" --master-key-file "$WORK/$name.master.key" \
        --ingress "$INGRESS" --egress "$EGRESS" --replay "$REPLAY" --publish "$PUBLISH" \
        --secret-key "$KEYS/$agency.secret" --hub-key "$KEYS/hub.key" --log-level warning \
        ${TEST_TIMING:+--heartbeat 0.5} "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.log" &
    PIDS+=($!)
    PID_OF[$name]=$!
}

add_user health caseworker-1 caseworker
add_user health focal-point-1 supervisor
add_user commune coordinator-1 supervisor
add_user commune caseworker-1 caseworker
add_user iom caseworker-1 caseworker
add_user iom focal-point-1 supervisor
# Providers first, so that IOM's catch-up already holds their service status.
start_desk health services-agent health-delegation-agadir 1 --service health:20 --service mhpss:8
COMMUNE_CLOCK=()
[ -n "$TEST_TIMING" ] && COMMUNE_CLOCK=(--clock-origin "$(( $(date +%s) + 4 * 3600 - 40 ))")
start_desk commune commune-agent commune-agadir 2 --service social-assistance:10 "${COMMUNE_CLOCK[@]}"
start_desk iom iom-agent iom-morocco 0 --route health=health-delegation-agadir

# Ready when every agent wrote its desk's URL and every desk answers its login page.
answers() { curl -fsS -o /dev/null --max-time 2 "$1/login" 2>/dev/null; }
declare -A URL_OF
for index in "${!DESKS[@]}"; do
    name=${DESKS[$index]}
    pid=${PIDS[$((index + 1))]}
    for _ in $(seq 1 600); do
        if [ -z "${URL_OF[$name]:-}" ] && [ -s "$WORK/$name.url" ]; then
            URL_OF[$name]=$(head -n 1 "$WORK/$name.url")
        fi
        [ -n "${URL_OF[$name]:-}" ] && answers "${URL_OF[$name]}" && break
        kill -0 "$pid" 2>/dev/null || fail "${EXE_OF[$name]} (${AGENCY_OF[$name]}) stopped" "$WORK/$name.log"
        sleep 0.1
    done
    [ -n "${URL_OF[$name]:-}" ] && answers "${URL_OF[$name]}" ||
        fail "the desk of ${AGENCY_OF[$name]} did not answer within 60 s" "$WORK/$name.log"
done

echo "==> secure hub (CURVE, pilot policy) on $INGRESS; three desks, caseworkers decide (--decisions people):"
for name in iom health commune; do
    echo
    printf '    %-26s %s/login\n' "${AGENCY_OF[$name]}" "${URL_OF[$name]}"
    IFS=';' read -ra logins <<<"${LOGINS_OF[$name]}"
    for login in "${logins[@]}"; do
        read -r worker role secret <<<"$login"
        printf '        %-14s %-11s password %s\n' "$worker" "$role" "$secret"
    done
done
echo
echo "    Languages: add ?lang=fr, ?lang=ar or ?lang=en to a URL. Dates in $TIME_ZONE."
echo "    These passwords, the keys and every file of the run are deleted when the demo stops."

if [ -n "$READY_FILE" ]; then
    {
        printf '{"hub":{"ingress":"%s","egress":"%s"},"desks":{' "$INGRESS" "$EGRESS"
        first=1
        for name in iom health commune; do
            [ "$first" = 1 ] || printf ','
            first=0
            printf '"%s":{"url":"%s","agency":"%s","executable":"%s","pid":%s,"logins":[' \
                "$name" "${URL_OF[$name]}" "${AGENCY_OF[$name]}" "${EXE_OF[$name]}" "${PID_OF[$name]}"
            IFS=';' read -ra logins <<<"${LOGINS_OF[$name]}"
            sep=
            for login in "${logins[@]}"; do
                read -r worker role secret <<<"$login"
                printf '%s{"worker":"%s","role":"%s","password":"%s"}' "$sep" "$worker" "$role" "$secret"
                sep=,
            done
            printf ']}'
        done
        printf '}}\n'
    } >"$READY_FILE.tmp"
    mv "$READY_FILE.tmp" "$READY_FILE"
fi
echo
echo "==> running; Ctrl-C stops everything"

# Runs until a signal, or until one of the processes stops by itself. Ctrl-C reaches the agents
# too, which stop gracefully (status 0) before this shell sees its own signal: that is a stop;
# any other status is an error, shown with the process's log.
while :; do
    alive=()
    for index in "${!PIDS[@]}"; do [ -n "${STOPPED[$index]:-}" ] || alive+=("${PIDS[$index]}"); done
    set +e
    wait -n "${alive[@]}"
    status=$?
    set -e
    for index in "${!PIDS[@]}"; do
        [ -z "${STOPPED[$index]:-}" ] || continue
        kill -0 "${PIDS[$index]}" 2>/dev/null && continue
        if [ -n "$TEST_TIMING" ] && [ "$index" != 0 ] && [ "$status" = 0 ]; then
            # The test stopped an agent on purpose: the others keep running.
            echo "==> ${EXE_OF[${DESKS[$((index - 1))]}]} stopped; the others keep running"
            STOPPED[$index]=1
            continue 2
        fi
        if [ "$index" = 0 ]; then what="the hub"; log="$WORK/hub.log"; else
            name=${DESKS[$((index - 1))]}
            what="${EXE_OF[$name]} (${AGENCY_OF[$name]})"
            log="$WORK/$name.log"
        fi
        if [ "$status" = 0 ]; then
            echo "==> $what stopped; stopping the others"
            exit 0
        fi
        fail "$what stopped (status $status)" "$log"
    done
done
