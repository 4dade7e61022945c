#!/usr/bin/env python3
"""How long one fdatasync takes on this disk right now: 300 writes of 4 KiB, each synced,
first over blocks the file already has (what a journal commit costs with the WAL reserve),
then each one growing the file (what it costs without). Usage: fsync-probe.py [DIRECTORY]"""
import os
import sys
import tempfile
import time

directory = sys.argv[1] if len(sys.argv) > 1 else None
fd, path = tempfile.mkstemp(prefix="fsync-probe-", dir=directory)
try:
    def run(label, grow, count=300):
        times = []
        if not grow:
            os.pwrite(fd, b"\0" * (4096 * count), 0)
            os.fsync(fd)
        for index in range(count):
            offset = os.fstat(fd).st_size if grow else index * 4096
            started = time.perf_counter()
            os.pwrite(fd, b"x" * 4096, offset)
            os.fdatasync(fd)
            times.append(time.perf_counter() - started)
            time.sleep(0.0002)
        times.sort()
        print(f"{label:9} p50 {times[count // 2] * 1e6:.0f} us  p90 {times[count * 9 // 10] * 1e6:.0f}  p99 {times[count * 99 // 100] * 1e6:.0f}")

    run("overwrite", grow=False)
    os.ftruncate(fd, 0)
    run("append", grow=True)
finally:
    os.close(fd)
    os.unlink(path)
