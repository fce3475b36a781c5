"""One run writes to a store at a time; others are turned away or wait; readers read.

The first run is paused with SIGSTOP once it holds the write lock (it may be in
the middle of a transaction), so the overlap does not depend on timing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cli import main
from tests.corpus import Corpus
from tests.processes import (
    TIMEOUT,
    Proc,
    assert_same_store,
    count,
    export,
    run,
    start,
    wait_for,
)

News = tuple[Path, Corpus, dict[str, list[dict[str, Any]]]]
LOCKED = 4


@contextmanager
def paused(proc: Proc) -> Iterator[None]:
    proc.pause()
    try:
        yield
    finally:
        proc.resume()


def _has_open(proc: Proc, path: Path) -> bool:
    fds = Path(f"/proc/{proc.pid}/fd")
    try:
        return any(os.readlink(fd) == os.path.realpath(path) for fd in fds.iterdir())
    except OSError:  # the process or one of its descriptors went meanwhile
        return False


def _wait_until_waiting_for_lock(proc: Proc, lock: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not _has_open(proc, lock):
        assert proc.alive(), proc.stderr()
        assert time.monotonic() < deadline, "the second run never reached the lock"
        time.sleep(0.01)


def test_a_second_run_is_turned_away_or_waits_and_readers_read_meanwhile(
    tmp_path: Path, news: News
) -> None:
    folder, corpus, clean = news
    db = tmp_path / "store.db"
    args = ("run", str(folder), "--db", str(db), "--quiet")
    first = start(tmp_path, *args)
    assert wait_for(first, db, "SELECT COUNT(*) FROM sources", len(corpus.files) // 3)

    with paused(first):
        # Without --wait: exit code 4 and one line saying what to do.
        second = run(tmp_path, *args, name="second")
        assert second.popen.returncode == LOCKED
        message = second.stderr().strip().splitlines()
        assert len(message) == 1 and "another newsdedup run" in message[0], message
        assert "--wait" in message[0]
        assert second.stdout() == ""

        # Readers are not blocked by the writer, even mid-transaction.
        stats = CliRunner().invoke(main, ["stats", "--json", "--db", str(db)])
        assert stats.exit_code == 0, stats.output
        numbers = json.loads(stats.output)
        assert numbers["last_run"]["status"] == "running"
        assert numbers["articles"] == len(export(db, "articles")) > 0

        # With --wait: it waits for the lock...
        third = start(tmp_path, *args, "--wait", "60", "--json", name="third")
        _wait_until_waiting_for_lock(third, db.with_name(db.name + ".lock"))
        time.sleep(0.5)  # not synchronisation: a run that did not wait would be gone by now
        assert third.alive(), third.stderr()

    # Readers also work beside the running writer, and see its work grow.
    seen = []
    while first.alive():
        seen.append(_read(db))
        time.sleep(0.05)  # leave the writer some of a small machine's time
    assert first.wait() == 0, first.stderr()
    assert seen == sorted(seen)

    # The waiting run goes once the first is done, and finds nothing left to read.
    assert third.wait() == 0, third.stderr()
    summary = json.loads(third.stdout())
    assert summary["files"]["unchanged"] == summary["files"]["seen"] == len(corpus.files)
    assert summary["signed"] == 0
    assert count(db, "SELECT COUNT(*) FROM runs WHERE status = 'done'") == 2
    assert count(db, "SELECT COUNT(*) FROM runs") == 2  # the turned-away run wrote nothing
    assert_same_store(db, clean)


def _read(db: Path) -> int:
    """`stats` and `export articles` from the store; returns how many articles it holds."""
    stats = CliRunner().invoke(main, ["stats", "--json", "--db", str(db)])
    assert stats.exit_code == 0, stats.output
    articles = export(db, "articles")
    assert json.loads(stats.output)["articles"] <= len(articles)
    return len(articles)
