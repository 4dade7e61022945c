#!/usr/bin/env bash
# `scripts/fuzz/run.sh [SECONDS] [-- LIBFUZZER OPTIONS]`: builds a libFuzzer target
# (swiftc -sanitize=fuzzer,address) over the protocol decoder (MessageCodec) and the hub's
# ingress validation (IngressValidator), seeds it with the golden messages, and runs it for
# SECONDS (default 60). `make test` builds it and runs it for a few seconds
# (scripts/test-scripts.sh), beside the seeded mutation loop of the Swift tests.
# A crash leaves its input in .build/fuzz/ as crash-*; replay it with
# `.build/fuzz/fuzz-ingress .build/fuzz/crash-…`.
set -euo pipefail
SECONDS_TO_RUN=${1:-60}
shift || true
[ "${1:-}" = "--" ] && shift
cd "$(dirname "$0")/../.."
OUT=.build/fuzz
mkdir -p "$OUT/corpus"
SANITIZE=-sanitize=fuzzer,address

echo "==> building the TansiqMessages module"
swiftc $SANITIZE -O -wmo -parse-as-library -module-name TansiqMessages \
    -emit-module -emit-module-path "$OUT/TansiqMessages.swiftmodule" \
    -c -o "$OUT/TansiqMessages.o" $(find Sources/TansiqMessages -name '*.swift' | sort)
echo "==> building the ZeroMQ module"
swiftc $SANITIZE -O -wmo -parse-as-library -module-name ZeroMQ -I Sources/CZeroMQ \
    -emit-module -emit-module-path "$OUT/ZeroMQ.swiftmodule" \
    -c -o "$OUT/ZeroMQ.o" Sources/ZeroMQ/*.swift
echo "==> building the fuzz target (the hub's ingress validation and what it needs)"
swiftc $SANITIZE -O -wmo -parse-as-library -module-name IngressFuzz -I "$OUT" -I Sources/CZeroMQ \
    -c -o "$OUT/IngressFuzz.o" scripts/fuzz/IngressFuzzTarget.swift scripts/fuzz/HubConfigurationStandIn.swift \
    Sources/TansiqHub/Loop/IngressValidator.swift
swiftc $SANITIZE "$OUT/TansiqMessages.o" "$OUT/ZeroMQ.o" "$OUT/IngressFuzz.o" -lzmq -o "$OUT/fuzz-ingress"

# Seeds: every golden message, frames joined by 0x1E.
GOLDEN=Tests/TansiqMessagesTests/Golden
for topic in "$GOLDEN"/*.topic; do
    name=$(basename "$topic" .topic)
    { cat "$topic"; printf '\x1e'; cat "$GOLDEN/$name.header.json"; printf '\x1e'; cat "$GOLDEN/$name.body.json"; } > "$OUT/corpus/$name"
done

echo "==> fuzzing for $SECONDS_TO_RUN s"
cd "$OUT"
./fuzz-ingress -max_total_time="$SECONDS_TO_RUN" -max_len=8192 -timeout=10 -print_final_stats=1 "$@" corpus
