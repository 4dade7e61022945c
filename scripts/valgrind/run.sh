#!/usr/bin/env bash
# Leak check of the ZeroMQ module under valgrind (not part of `make test`).
# Valgrind 3.19 cannot run the Swift Testing bundle (it gives up on its debug info, or crashes
# once the test runner starts its worker threads), so this compiles the module's sources with a
# small driver: 10,000 three-frame inproc round trips, a 1 MiB tcp message with a monitor,
# 100 CURVE messages through a ZAP handler, and a context shutdown that wakes a blocked receive.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
swiftc -g -Xcc -gdwarf-4 -dwarf-version=4 -Onone -module-name ZeroMQDriver -I Sources/CZeroMQ \
    Sources/ZeroMQ/*.swift scripts/valgrind/main.swift scripts/valgrind/extra.swift -lzmq -o "$out/zmq-driver"
valgrind --leak-check=full --error-exitcode=0 --num-callers=40 "$out/zmq-driver"
