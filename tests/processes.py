"""Running `newsdedup` as a real process, watching its store, and comparing stores.

The command is the console script beside the test's Python (the venv's), else
`python -m cli`; never a `newsdedup` found on PATH. Processes run in a clean
environment from a folder of the test's own, so no NEWSDEDUP_* variable or
newsdedup.toml of the developer's leaks in.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli import main

TIMEOUT = 120.0  # seconds any one process or wait may take, however loaded the machine
POLL = 0.01

_SCRIPT = Path(sys.executable).parent / "newsdedup"
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "cli"]


def _env(home: Path) -> dict[str, str]:
    return {"PATH": os.defpath, "HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


@dataclass
class Proc:
    """A running `newsdedup` whose stdout and stderr go to files (no pipe to fill up)."""

    popen: subprocess.Popen[bytes]
    out: Path
    err: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def wait(self) -> int:
        return self.popen.wait(TIMEOUT)

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8")

    def pause(self) -> None:
        """SIGSTOP the run and its worker; returns once the run has stopped."""
        os.killpg(self.pid, signal.SIGSTOP)
        deadline = time.monotonic() + TIMEOUT
        while _state(self.pid) not in ("T", "t", "Z", ""):
            assert time.monotonic() < deadline, "the process did not stop"
            time.sleep(POLL)

    def resume(self) -> None:
        os.killpg(self.pid, signal.SIGCONT)

    def kill(self, sig: int = signal.SIGKILL) -> int:
        """Send `sig` (unless it has ended already) and wait; returns the exit code."""
        if self.alive():
            self.popen.send_signal(sig)
        return self.wait()


def _state(pid: int) -> str:
    """The process state letter from /proc ("R", "S", "T" when stopped...); "" when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[0]  # after "(command name)", which may hold spaces


def group_members(pgid: int) -> list[int]:
    """The live processes of a process group (a run started by `start` leads its own)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


def wait_for_group_end(pgid: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while members := group_members(pgid):
        assert time.monotonic() < deadline, f"processes {members} outlived their run"
        time.sleep(POLL)


_started: list[Proc] = []


def reap() -> None:
    """Kill what a test started and left running (it failed half-way), with its children."""
    while _started:
        proc = _started.pop()
        if proc.alive():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start(cwd: Path, *args: str, name: str = "run") -> Proc:
    """Start `newsdedup ARGS` in its own session (signals reach only what we send)."""
    n = len(list(cwd.glob(f"{name}-*.out")))
    out, err = cwd / f"{name}-{n}.out", cwd / f"{name}-{n}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        popen = subprocess.Popen(
            [*COMMAND, *args],
            cwd=cwd,
            env=_env(cwd),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    _started.append(Proc(popen, out, err))
    return _started[-1]


def run(cwd: Path, *args: str, name: str = "run") -> Proc:
    """Run `newsdedup ARGS` to its end."""
    proc = start(cwd, *args, name=name)
    proc.wait()
    return proc


def count(db: Path, sql: str) -> int:
    """One number from the store, read-only; 0 while the store or table is not there yet."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(_read_only(db), uri=True, timeout=TIMEOUT)
    except sqlite3.OperationalError:
        return 0
    try:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else 0
    except sqlite3.OperationalError:  # the schema is being created
        return 0
    finally:
        conn.close()


def _read_only(db: Path) -> str:
    return f"{db.absolute().as_uri()}?mode=ro"


def wait_for(proc: Proc, db: Path, sql: str, at_least: int = 1) -> bool:
    """Poll the store until `sql` counts `at_least`; False when the process ended first."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if count(db, sql) >= at_least:
            return True
        if not proc.alive():
            return count(db, sql) >= at_least
        time.sleep(POLL)
    raise AssertionError(f"timed out waiting for {sql!r} >= {at_least}")


def export(db: Path, what: str) -> list[dict[str, Any]]:
    """`newsdedup export WHAT` (in-process: a reader like any other)."""
    result = CliRunner().invoke(main, ["export", what, "--db", str(db)])
    assert result.exit_code == 0, (result.output, result.exception)
    return [json.loads(line) for line in result.stdout.splitlines()]


def exports(db: Path) -> dict[str, list[dict[str, Any]]]:
    """What a store holds for a user: its articles, clusters and pairs, as exported."""
    return {what: export(db, what) for what in ("articles", "clusters", "pairs")}


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def source_states(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(_read_only(db), uri=True)
    try:
        return dict(conn.execute("SELECT path, status FROM sources ORDER BY path").fetchall())
    finally:
        conn.close()


def assert_same_store(db: Path, expected: dict[str, list[dict[str, Any]]]) -> None:
    """The store is intact and holds what a clean single run gave: articles, clusters, pairs."""
    assert integrity(db) == "ok"
    got = exports(db)
    # The sources first, so that a failure says which files differ before which ids do.
    assert _sources(got) == _sources(expected)
    for what in ("articles", "clusters", "pairs"):
        assert got[what] == expected[what], f"{what} differ from a clean run's"


def _sources(rows: dict[str, list[dict[str, Any]]]) -> list[tuple[str, int]]:
    return [(a["source"], a["position"]) for a in rows["articles"]]
