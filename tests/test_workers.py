"""Cleaning files in worker processes: the same articles as in one process, and a worker
that hangs or is stopped costs its file only."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.records import SourceFile
from ingest.workers import Cleaner

PAGE = (
    "<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens"
    "</h1><p>The harbour at Port Elms reopened on Monday after a month of repairs to the "
    "ramp, the council said, and the ferry will run every hour again.</p></article>"
    "</body></html>"
)
TEXT = (
    "Ferry back on its timetable\n\nThe ferry between Port Elms and Skarholm returned to "
    "its timetable on Thursday after a month of repairs to the ramp at the harbour.\n"
)


def _src(name: str, kind: str, data: bytes) -> SourceFile:
    return SourceFile(Path(name), name, len(data), 0, kind)


def _feed(items: int) -> bytes:
    line = {"title": "Bridge at Skarholm closes", "maintext": TEXT.split("\n\n")[1] * 3}
    return "".join(json.dumps({**line, "url": f"u{i}"}) + "\n" for i in range(items)).encode()


def test_workers_clean_files_as_one_process_does() -> None:
    files = [
        (_src("a.txt", "text", TEXT.encode()), TEXT.encode()),
        (_src("p.html", "html", PAGE.encode()), PAGE.encode()),
        (_src("f.jsonl", "jsonl", _feed(3)), _feed(3)),
    ]
    with Cleaner(frozenset(), 0, 60) as here, Cleaner(frozenset(), 2, 60) as workers:
        alone = [here.submit(src, data).result() for src, data in files]
        spread = [future.result() for future in [workers.submit(s, d) for s, d in files]]
    assert spread == alone
    assert [len(found.articles) for found, _ in alone] == [1, 1, 3]
    assert any(rows for _, lines in spread for rows in lines)  # line rows come back too


def test_a_page_over_the_time_limit_fails_alone_and_the_worker_starts_again() -> None:
    page = _src("p.html", "html", PAGE.encode())
    with Cleaner(frozenset(), 1, 0.001) as cleaner:  # no extraction takes a millisecond
        with pytest.raises(IngestError) as caught:
            cleaner.submit(page, PAGE.encode()).result()
        assert caught.value.reason == "timeout"
        found, _ = cleaner.submit(_src("a.txt", "text", TEXT.encode()), TEXT.encode()).result()
        assert [a.title for a in found.articles] == ["Ferry back on its timetable"]


def test_closing_stops_a_file_under_way_and_leaves_no_worker() -> None:
    big = _feed(20_000)  # seconds of cleaning
    cleaner = Cleaner(frozenset(), 1, 60)
    cleaner.submit(_src("warm.txt", "text", TEXT.encode()), TEXT.encode()).result()
    under_way = cleaner.submit(_src("big.jsonl", "jsonl", big), big)
    time.sleep(0.2)
    started = time.monotonic()
    cleaner.close()
    assert time.monotonic() - started < 5  # not the time the file takes
    with pytest.raises(IngestError):
        under_way.result()
    assert multiprocessing.active_children() == []
