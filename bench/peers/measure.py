"""Run a command and write its wall time, CPU time and peak RSS as JSON (stdlib only).

    python measure.py USAGE.json -- COMMAND [ARG...]

This process makes itself a child subreaper, so the workers a tool leaves behind (a
forkserver, pool processes outliving their parent) are re-parented here and reaped: their
CPU time and peak RSS count too. Wall time ends when COMMAND exits; the stragglers are
then waited for up to ORPHAN_WAIT seconds and never killed.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
ORPHAN_WAIT = 60.0  # seconds to wait for processes COMMAND left running
POLL = 0.05


def main() -> int:
    out, sep, cmd = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if sep != "--" or not cmd:
        print("usage: measure.py USAGE.json -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak_kb = usage.ru_maxrss  # KiB on Linux; includes the descendants it waited for
    reaped, deadline = 0, time.monotonic() + ORPHAN_WAIT
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break  # no child left
        if pid == 0:
            if time.monotonic() > deadline:
                break
            time.sleep(POLL)
            continue
        reaped += 1
        cpu += usage.ru_utime + usage.ru_stime
        peak_kb = max(peak_kb, usage.ru_maxrss)
    report = {
        "returncode": proc.returncode,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss_kb": peak_kb,
        "orphans_reaped": reaped,
        "subreaper": subreaper,
    }
    out.write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
