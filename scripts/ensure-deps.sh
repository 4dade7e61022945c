#!/usr/bin/env bash
# Installs what `make build`, `make test` and `make demo` need and the machine lacks:
# libzmq (Debian's libzmq3-dev, found through pkg-config), SQLite's headers (libsqlite3-dev,
# for the hub's journal through GRDB) and, for the tests, pyzmq, tcpdump, promtool and the desk's
# browser test: Debian's chromium and chromium-driver, Selenium, a font with Arabic glyphs.
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v swift >/dev/null 2>&1; then
    echo "error: swift is not on PATH; install Swift 6.0 or later first (https://www.swift.org/install)" >&2
    exit 1
fi

if ! pkg-config --exists libzmq 2>/dev/null; then
    echo "==> installing libzmq3-dev and pkg-config (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq libzmq3-dev pkg-config >/dev/null
fi
echo "==> libzmq $(pkg-config --modversion libzmq)"

if ! pkg-config --exists sqlite3 2>/dev/null; then
    echo "==> installing libsqlite3-dev (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq libsqlite3-dev pkg-config >/dev/null
fi
echo "==> sqlite $(pkg-config --modversion sqlite3)"

if [ "${1:-}" = "--test" ]; then
    if ! python3 -c 'import zmq' >/dev/null 2>&1; then
        echo "==> installing pyzmq (pip), used by the cross-language protocol test"
        python3 -m pip install --quiet --disable-pip-version-check pyzmq
    fi
    echo "==> pyzmq $(python3 -c 'import zmq; print(zmq.__version__)')"
    # The capture test records the loopback interface while a referral crosses a secure hub.
    if ! command -v tcpdump >/dev/null 2>&1 && [ ! -x /usr/sbin/tcpdump ]; then
        echo "==> installing tcpdump (apt-get), used by the loopback capture test"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq tcpdump >/dev/null
    fi
    # scripts/test-scripts.sh: the schema check needs jsonschema and PyYAML, the leak check valgrind.
    if ! python3 -c 'import jsonschema, yaml' >/dev/null 2>&1; then
        echo "==> installing jsonschema and PyYAML (pip), used by scripts/check-topology-schema.py"
        python3 -m pip install --quiet --disable-pip-version-check jsonschema PyYAML
    fi
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "==> installing valgrind (apt-get), used by scripts/valgrind/run.sh"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq valgrind >/dev/null
    fi
    # The monitoring tests check the hub's /metrics with `promtool check metrics`.
    if ! command -v promtool >/dev/null 2>&1; then
        echo "==> installing prometheus (apt-get) for promtool, used by the metrics tests"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    fi
    echo "==> $(promtool --version 2>&1 | head -1)"
    # scripts/test-browser.sh drives the agents' desks in headless Debian chromium through
    # /usr/bin/chromedriver with Selenium; the Arabic desk needs a font that has Arabic glyphs.
    if ! command -v chromium >/dev/null 2>&1 || [ ! -x /usr/bin/chromedriver ]; then
        echo "==> installing chromium and chromium-driver (apt-get), used by scripts/test-browser.sh"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
    fi
    echo "==> $(chromium --version 2>/dev/null | head -1), $(/usr/bin/chromedriver --version | head -1 | cut -d' ' -f1-2)"
    if ! command -v fc-list >/dev/null 2>&1 || [ -z "$(fc-list :lang=ar family 2>/dev/null)" ]; then
        echo "==> installing fonts-noto-core (apt-get): Arabic glyphs for the desk's right-to-left pages"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends fonts-noto-core fontconfig >/dev/null
    fi
    if ! python3 -c 'import selenium' >/dev/null 2>&1; then
        echo "==> installing selenium (pip), used by Tests/Browser/desk_flow.py"
        python3 -m pip install --quiet --disable-pip-version-check selenium
    fi
    echo "==> selenium $(python3 -c 'import selenium; print(selenium.__version__)')"
fi
