"""Cleaning files in worker processes: the same articles as in one process, and a worker
that hangs or is stopped costs its file only."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.lines import line_key
from ingest.pipeline import clean_document
from ingest.records import Article, Document, Removed, SourceFile
from ingest.workers import CHUNK_DOCUMENTS, Cleaner

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


def _template_items(count: int) -> tuple[list[tuple[str, Document]], frozenset[int]]:
    """Stored articles under a site's template line, and the boilerplate that names it."""
    title, body = TEXT.split("\n\n")
    template = "Port Elms Harbour Authority ferry desk"
    items = [
        (f"{i % 3}.txt", Document(f"{title}\n\n{template}\n\n{body}" if i % 2 else "Share", i))
        for i in range(count)
    ]
    return items, frozenset({line_key(template)})


def _here(items: list[tuple[str, Document]], boilerplate: frozenset[int]) -> list[Article | None]:
    return [clean_document(source, document, boilerplate) for source, document in items]


def test_workers_clean_files_as_one_process_does() -> None:
    files = [
        (_src("a.txt", "text", TEXT.encode()), TEXT.encode()),
        (_src("p.html", "html", PAGE.encode()), PAGE.encode()),
        (_src("f.jsonl", "jsonl", _feed(3)), _feed(3)),
    ]
    with Cleaner(2, 60) as cleaner:
        alone = [cleaner.submit(src, data, frozenset(), here=True)() for src, data in files]
        waiting = [cleaner.submit(src, data, frozenset(), here=False) for src, data in files]
        spread = [wait() for wait in waiting]
    assert spread == alone
    assert [len(found.articles) for found, _ in alone] == [1, 1, 3]
    assert any(rows for _, lines in spread for rows in lines)  # line rows come back too


def test_records_of_a_big_feed_are_cleaned_in_chunks_as_one_process_does() -> None:
    lines = _feed(CHUNK_DOCUMENTS * 2 + 7).splitlines(keepends=True)
    lines[5] = b'{"title": "cut short\n'  # a bad record: a problem, the rest kept
    lines[150] = json.dumps({"title": "", "maintext": "Share"}).encode() + b"\n"  # no text
    data = b"".join(lines)
    feed = _src("f.jsonl", "jsonl", data)
    with Cleaner(2, 60) as cleaner:
        alone = cleaner.submit(feed, data, frozenset(), here=True)()
        spread = cleaner.submit(feed, data, frozenset(), here=False)()
    assert spread == alone
    found, rows = spread
    assert len(found.articles) == len(rows) == CHUNK_DOCUMENTS * 2 + 5
    assert [p.split(":")[0] for p in found.problems] == ["line 6", "article 151"]  # 1-based
    assert [a.position for a in found.articles] == sorted(a.position for a in found.articles)


def test_workers_clean_with_the_boilerplate_of_each_call() -> None:
    items, boilerplate = _template_items(CHUNK_DOCUMENTS + 30)
    with Cleaner(2, 60) as cleaner:
        before = cleaner.clean_documents(items, frozenset())  # the workers start with none
        after = cleaner.clean_documents(items, boilerplate)
    assert before == _here(items, frozenset()) and after == _here(items, boilerplate)
    assert sum(article is None for article in after) == (CHUNK_DOCUMENTS + 30) // 2
    template = Removed("Port Elms Harbour Authority ferry desk", "corpus-boilerplate")
    assert all(template in a.removed for a in after if a)
    assert not any(template in a.removed for a in before if a)


def test_a_page_over_the_time_limit_fails_alone_and_the_worker_starts_again() -> None:
    items, boilerplate = _template_items(10)
    page = _src("p.html", "html", PAGE.encode())
    with Cleaner(1, 0.001) as cleaner:  # no extraction takes a millisecond
        assert cleaner.clean_documents(items, boilerplate) == _here(items, boilerplate)
        with pytest.raises(IngestError) as caught:
            cleaner.submit(page, PAGE.encode(), boilerplate, here=False)()
        assert caught.value.reason == "timeout"
        # The new worker process is sent the boilerplate again.
        assert cleaner.clean_documents(items, boilerplate) == _here(items, boilerplate)


def test_a_worker_process_that_died_idle_is_sent_the_boilerplate_again() -> None:
    items, boilerplate = _template_items(10)
    with Cleaner(1, 60) as cleaner:
        assert cleaner.clean_documents(items, boilerplate) == _here(items, boilerplate)
        [process] = multiprocessing.active_children()
        os.kill(process.pid, signal.SIGKILL)  # between two calls: nothing tells the caller
        process.join()
        assert cleaner.clean_documents(items, boilerplate) == _here(items, boilerplate)


def test_a_chunk_whose_worker_dies_is_cleaned_in_this_process() -> None:
    items, boilerplate = _template_items(4)
    title, body = TEXT.split("\n\n")
    long_text = f"{title}\n\n" + "\n\n".join(f"{body} Part {i}." for i in range(1_000))
    items = [(src, Document(long_text, doc.position)) for src, doc in items]  # seconds
    with Cleaner(1, 60) as cleaner:
        cleaner.clean_documents(items[:1], boilerplate)  # the worker is up
        [process] = multiprocessing.active_children()
        killer = threading.Timer(0.5, os.kill, (process.pid, signal.SIGKILL))
        killer.start()
        found = cleaner.clean_documents(items, boilerplate)
        killer.join()
    assert not process.is_alive()  # killed while it worked: the chunk was redone here
    assert found == _here(items, boilerplate)


def test_a_feed_with_no_article_fails_as_in_one_process() -> None:
    data = b"not json at all\n"
    feed = _src("f.jsonl", "jsonl", data)
    for here in (True, False):
        with Cleaner(2, 60) as cleaner, pytest.raises(IngestError) as caught:
            cleaner.submit(feed, data, frozenset(), here)()
        assert caught.value.reason == "no-article"


def test_closing_stops_a_file_under_way_and_leaves_no_worker() -> None:
    big = (TEXT * 20_000).encode()  # seconds of cleaning
    cleaner = Cleaner(1, 60)
    cleaner.submit(_src("warm.txt", "text", TEXT.encode()), TEXT.encode(), frozenset(), False)()
    under_way = cleaner.submit(_src("big.txt", "text", big), big, frozenset(), False)
    time.sleep(0.2)
    started = time.monotonic()
    cleaner.close()
    assert time.monotonic() - started < 5  # not the time the file takes
    with pytest.raises(IngestError):
        under_way()
    assert multiprocessing.active_children() == []


def test_files_cleaned_ahead_are_bounded_in_number_and_in_bytes() -> None:
    from ingest.run import _ahead

    made: list[int] = []

    def sized(sizes: list[int]) -> Iterator[tuple[int, int]]:
        for i, size in enumerate(sizes):
            made.append(i)
            yield i, size

    def in_flight(sizes: list[int], count: int, budget: int) -> list[int]:
        """How many items were made beyond each one when it was handed on."""
        made.clear()
        out = []
        for item in _ahead(sized(sizes), count, budget):
            out.append(len(made) - 1 - item)
        return out

    assert in_flight([1] * 6, 2, 100) == [2, 2, 2, 2, 1, 0]
    assert in_flight([1] * 3, 0, 100) == [0, 0, 0]  # in one process: none ahead
    # Bytes bound it first: a file of 60 goes on once the next one of 60 is read.
    assert in_flight([60, 60, 60, 1, 1], 4, 100) == [1, 1, 2, 1, 0]
    assert in_flight([500, 1, 1], 4, 100) == [1, 1, 0]  # a file over the budget still goes
