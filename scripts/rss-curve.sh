#!/usr/bin/env bash
# `scripts/rss-curve.sh OUT.tsv COMMAND [ARGS...]`: runs COMMAND under `/usr/bin/time -v` and, every
# second while it runs, appends to OUT.tsv its elapsed seconds, resident memory (VmRSS, MB),
# threads and open file descriptors, read from /proc/PID. The time report goes to OUT.tsv.time;
# the command's exit status is the script's. Example (docs/topologies.md, "Measured"):
#   scripts/rss-curve.sh /tmp/generated-1000.tsv timeout 120 .build/release/tansiq sim run /tmp/generated-1000.yaml
set -uo pipefail
OUT=${1:?usage: rss-curve.sh OUT.tsv COMMAND [ARGS...]}
shift
[ $# -gt 0 ] || { echo "usage: rss-curve.sh OUT.tsv COMMAND [ARGS...]" >&2; exit 64; }
printf 'seconds\trss_mb\tthreads\tfds\n' > "$OUT"
/usr/bin/time -v -o "$OUT.time" "$@" &
TIMER=$!
START=$(date +%s)
# The measured process: the deepest descendant of /usr/bin/time (through `timeout`, say).
target() {
    local pid=$TIMER child
    while child=$(pgrep -P "$pid" | head -1) && [ -n "$child" ]; do pid=$child; done
    echo "$pid"
}
while kill -0 "$TIMER" 2>/dev/null; do
    PID=$(target)
    if [ "$PID" != "$TIMER" ] && [ -r "/proc/$PID/status" ]; then
        RSS=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$PID/status" 2>/dev/null)
        THREADS=$(awk '/^Threads:/ {print $2}' "/proc/$PID/status" 2>/dev/null)
        FDS=$(ls "/proc/$PID/fd" 2>/dev/null | wc -l)
        [ -n "$RSS" ] && printf '%d\t%s\t%s\t%s\n' $(( $(date +%s) - START )) "$RSS" "$THREADS" "$FDS" >> "$OUT"
    fi
    sleep 1
done
wait "$TIMER"
STATUS=$?
grep -E 'Elapsed|Maximum resident' "$OUT.time" >&2
exit $STATUS
