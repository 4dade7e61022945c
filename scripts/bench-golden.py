#!/usr/bin/env python3
"""Writes the golden referral with its times moved to now, for peer benchmarks.

    python3 scripts/bench-golden.py OUT_DIR
    GOLDEN=OUT_DIR bash ../shared/bench/side_by_side.sh

The golden referral (Tests/TansiqMessagesTests/Golden/referral.*) was written on 2026-11-29: a hub
refuses it once its acknowledgeBy has passed (invalid-deadline), and refuses a decideBy later than
its priority's window from now, so no fixed date stays valid. Every timestamp of its header and
body is shifted by the same amount, so that the header's time is now: the deadlines keep their
distances, and every frame keeps its length (963 bytes in all).
"""
import datetime
import os
import re
import sys

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "TansiqMessagesTests", "Golden")
STAMP = re.compile(rb'"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})Z"')
FORMAT = "%Y-%m-%dT%H:%M:%S.%f"


def parse(text):
    return datetime.datetime.strptime(text.decode(), FORMAT).replace(tzinfo=datetime.timezone.utc)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: bench-golden.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    frames = {}
    for name in ("referral.topic", "referral.header.json", "referral.body.json"):
        with open(os.path.join(GOLDEN, name), "rb") as f:
            frames[name] = f.read()
    sent = STAMP.search(frames["referral.header.json"])
    if sent is None:
        sys.exit("the golden header has no time")
    delta = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - parse(sent.group(1))

    def shift(match):
        moved = parse(match.group(1)) + delta
        return b'"' + moved.strftime(FORMAT)[:-3].encode() + b'Z"'

    for name, data in frames.items():
        moved = STAMP.sub(shift, data)
        assert len(moved) == len(data), name
        with open(os.path.join(out, name), "wb") as f:
            f.write(moved)
    print(f"{out}: the golden referral, its times moved by {delta} (header time now)")


if __name__ == "__main__":
    main()
