"""A run killed with SIGKILL at any moment leaves a store the next run finishes.

Each test kills real `newsdedup run` processes at points found by watching the
store (read-only, beside the writer), reruns, and compares the exports with a
clean single run's.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ingest.isolate import Worker
from ingest.run import COMMIT_FILES
from store.schema import migrate
from store.store import Store
from tests.conftest import with_workers
from tests.corpus import Corpus
from tests.processes import (
    Proc,
    assert_same_store,
    count,
    source_states,
    start,
    wait_for,
    wait_for_group_end,
)

SOURCES = "SELECT COUNT(*) FROM sources"
SIGNATURES = "SELECT COUNT(*) FROM signatures"
# Every file in and the corpus boilerplate brought up to date: dedupe is starting.
INGEST_DONE = "SELECT COUNT(*) FROM meta WHERE key = 'boilerplate_dirty' AND value = '0'"
DIRTY = "SELECT COUNT(*) FROM dirty"

News = tuple[Path, Corpus, dict[str, list[dict[str, Any]]]]


def _run(tmp_path: Path, folder: Path, db: Path, *extra: str) -> Proc:
    return start(tmp_path, "run", str(folder), "--db", str(db), "--quiet", *extra)


@pytest.fixture(params=[False, True], ids=["one-process", "workers"])
def ingest_args(request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    """Run options: files cleaned in the run's process, or in worker processes."""
    return with_workers(tmp_path) if request.param else []


def _kill_when(proc: Proc, db: Path, sql: str, at_least: int = 1) -> int:
    wait_for(proc, db, sql, at_least)
    return proc.kill(signal.SIGKILL)


def test_killed_during_ingest_then_during_dedupe_the_rerun_equals_a_clean_run(
    tmp_path: Path, news: News, ingest_args: list[str]
) -> None:
    folder, corpus, clean = news
    db = tmp_path / "store.db"
    files = len(corpus.files)

    # Killed while files are read, a third of the way in (its workers see their pipes close).
    first = _run(tmp_path, folder, db, *ingest_args)
    assert _kill_when(first, db, SOURCES, files // 3) == -signal.SIGKILL
    wait_for_group_end(first.pid)
    assert count(db, SOURCES) < files

    # Every file in: killed while signing and matching (nothing of it committed yet).
    assert _kill_when(_run(tmp_path, folder, db), db, INGEST_DONE) == -signal.SIGKILL
    assert count(db, SOURCES) == files

    # Killed once signatures (and their pairs) are stored: clustering may be under way.
    _kill_when(_run(tmp_path, folder, db), db, SIGNATURES)

    last = _run(tmp_path, folder, db)
    assert last.wait() == 0, last.stderr()
    assert count(db, DIRTY) == 0
    assert_same_store(db, clean)


def test_a_store_from_before_migration_3_passes_integrity_check(tmp_path: Path) -> None:
    """SQLite 3.40-3.41 flag line_seen's old column order in integrity_check."""
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    migrate(conn, 2)
    conn.execute(
        "INSERT INTO sources (id, root, path, status) VALUES (1, '/r', 'a.txt', 'ingested')"
    )
    conn.execute(
        "INSERT INTO articles (rowid, id, source_id, position, title, text, authors, captions, "
        "removed, raw, metadata) VALUES (1, 'x', 1, 0, 'T', 'Body.', '[]', '[]', '[]', 'T', '{}')"
    )
    conn.execute("INSERT INTO line_seen (line_key, anchor, article) VALUES (-5, 9, 1)")
    conn.commit()
    conn.close()
    with Store.open(db) as store:
        assert store.conn.execute("SELECT line_key, anchor, article FROM line_seen").fetchall() == [
            (-5, 9, 1)
        ]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        store.conn.execute("DELETE FROM articles")  # the foreign key still cascades
        assert store.conn.execute("SELECT COUNT(*) FROM line_seen").fetchone()[0] == 0


def test_sigterm_and_sigint_stop_after_the_files_at_hand_and_the_next_run_finishes(
    tmp_path: Path, news: News, ingest_args: list[str]
) -> None:
    folder, corpus, clean = news
    db = tmp_path / "store.db"
    files = len(corpus.files)

    # SIGTERM to the run: it commits the files at hand (one transaction), no more, and
    # exits with code 5.
    first = _run(tmp_path, folder, db, *ingest_args)
    wait_for(first, db, SOURCES, files // 4)
    stored = _signal_paused(first, db, lambda: os.kill(first.pid, signal.SIGTERM))
    assert first.wait() == 5, first.stderr()
    assert stored <= count(db, SOURCES) <= stored + COMMIT_FILES
    # Its summary counts every file it committed.
    [(summary,)] = _rows(db, "SELECT summary FROM runs")
    assert json.loads(summary)["files"]["ingested"] == count(db, SOURCES)
    assert "Traceback" not in first.stderr()

    # Ctrl-C in a terminal signals the whole process group, the workers included.
    second = _run(tmp_path, folder, db, *ingest_args)
    wait_for(second, db, SOURCES, count(db, SOURCES) + files // 4)
    stored = _signal_paused(second, db, lambda: os.killpg(second.pid, signal.SIGINT))
    assert second.wait() == 5, second.stderr()
    assert stored <= count(db, SOURCES) <= stored + COMMIT_FILES < files
    assert "Traceback" not in second.stderr()
    assert set(source_states(db).values()) == {"ingested"}  # no file failed on the way out
    assert [status for (status,) in _rows(db, "SELECT status FROM runs ORDER BY id")] == [
        "interrupted",
        "interrupted",
    ]

    last = _run(tmp_path, folder, db)
    assert last.wait() == 0, last.stderr()
    assert_same_store(db, clean)


def test_the_html_worker_is_not_stopped_by_signals_meant_for_the_run() -> None:
    """Ctrl-C reaches the whole process group; the run, not its worker, decides to stop."""
    with Worker(len, timeout=60) as worker:
        assert worker("started") == 7
        assert worker._process is not None
        pid = worker._process.pid
        os.kill(pid, signal.SIGINT)
        os.kill(pid, signal.SIGTERM)
        assert worker("still there") == 11
        assert worker._process.pid == pid


def _signal_paused(proc: Proc, db: Path, send: Callable[[], None]) -> int:
    """Signal a paused run (so its progress is known); returns the sources it had stored."""
    proc.pause()
    try:
        stored = count(db, SOURCES)
        send()
    finally:
        proc.resume()
    return stored


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()

