"""Where a run turns files' bytes into articles: in its own process, or in worker processes.

Reading a file's articles (decoding, extraction, cleaning, the corpus line keys) is Python
work of milliseconds a file; the run's process also reads the files and writes the store.
With `jobs` workers, files are cleaned on every core while the run's process does the
rest, and so are the articles cleaned again when corpus boilerplate changes, on the same
workers: their caches of line features hold the lines of the files they cleaned. Each
worker is an `isolate.Worker`: an HTML page whose extraction hangs is stopped after the
time limit and its worker starts again, as in one process.

Work of less than PARALLEL_MIN_BYTES is done in the run's process: a worker is a fresh
interpreter, which takes longer to start than cleaning a few hundred articles.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from typing import Any

from ingest.boilerplate import line_keys
from ingest.errors import IngestError
from ingest.extract import extract_html
from ingest.isolate import Worker
from ingest.pipeline import (
    Extractor,
    FileArticles,
    clean_document,
    collect,
    file_articles,
    file_documents,
)
from ingest.records import Article, Document, SourceFile

PARALLEL_MIN_BYTES = 2_000_000  # bytes of text from which a run uses workers (by default)
CHUNK_DOCUMENTS = 100  # documents that one worker call cleans
LineRows = list[tuple[int, int]]  # an article's (line key, anchor) rows
FileWork = tuple[FileArticles, tuple[LineRows, ...]]  # the articles, and each one's line rows
Item = tuple[str, Document]  # a document, and the relpath of its file
Chunk = tuple[list[Item], bool]  # documents to clean; whether to make their line rows too
Cleaned = list[tuple[Article | None, LineRows]]  # a chunk's documents cleaned (None: no text)
Task = tuple[SourceFile, bytes] | Chunk
# What a worker is sent: the boilerplate to clean with, or None for the one it was sent last.
Job = tuple[frozenset[int] | None, Task]


def usable_cpus() -> int:
    """The cores this process may run on (fewer than the machine's under a CPU affinity)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def clean_file(
    boilerplate: frozenset[int],
    job: tuple[SourceFile, bytes],
    extract: Extractor = extract_html,
) -> FileWork:
    """A file's articles, with the line rows the corpus counts of each."""
    src, data = job
    found = file_articles(src, data, boilerplate, extract)
    return found, tuple(line_keys(article.raw) for article in found.articles)


def clean_chunk(boilerplate: frozenset[int], chunk: Chunk) -> Cleaned:
    """Documents cleaned, each with its line rows if asked for. The articles come back
    without their raw text, which the caller holds already (`_with_raw`)."""
    items, lines = chunk
    cleaned = [clean_document(source, document, boilerplate) for source, document in items]
    return [
        (replace(a, raw="") if a else None, line_keys(a.raw) if a and lines else [])
        for a in cleaned
    ]


def _with_raw(items: Sequence[Item], cleaned: Cleaned) -> Cleaned:
    """A chunk's articles with their raw text again: the documents' own strings."""
    return [
        (replace(article, raw=document.text) if article else None, lines)
        for (_, document), (article, lines) in zip(items, cleaned, strict=True)
    ]


_boilerplate: frozenset[int] | None = None  # in a worker: the boilerplate it was sent last


def _in_worker(job: Job) -> FileWork | Cleaned:
    global _boilerplate
    boilerplate, task = job
    if boilerplate is not None:
        _boilerplate = boilerplate
    if _boilerplate is None:  # a process started between the parent's check and its call
        raise IngestError("worker-died", "a new worker process was not sent the boilerplate")
    if isinstance(task[0], SourceFile):
        return clean_file(_boilerplate, task)
    return clean_chunk(_boilerplate, task)


class Cleaner:
    """Cleans files and documents, in this process (`here`) or on `jobs` workers, started
    at their first task. A file's `submit` returns what waits for its FileWork: a JSON
    (Lines) file is parsed here and its records cleaned CHUNK_DOCUMENTS at a time on
    every worker (one big file of records is most of some corpora).
    """

    def __init__(self, jobs: int, extract_timeout: float) -> None:
        self.jobs = jobs
        self.extract_timeout = extract_timeout
        # In this process, HTML extraction still runs in a worker (started at the first page).
        self._extract: Worker[str, Document] = Worker(extract_html, extract_timeout)
        self._pool = ThreadPoolExecutor(jobs, "clean")
        self._local = threading.local()  # each thread's worker, and what it was sent
        self._workers: list[Worker[Job, Any]] = []
        self._lock = threading.Lock()
        self._closing = False

    def submit(
        self, src: SourceFile, data: bytes, boilerplate: frozenset[int], here: bool
    ) -> Callable[[], FileWork]:
        if here:
            return partial(clean_file, boilerplate, (src, data), self._extract)
        if src.kind not in ("json", "jsonl"):
            return self._pool.submit(self._clean_file, src, data, boilerplate).result
        try:
            documents, problems = file_documents(src, data)
        except Exception as error:
            return partial(_raise, error)
        items = [(src.relpath, document) for document in documents]
        parts = self._chunks(items, boilerplate, True)
        return partial(_gather, items, problems, parts)

    def clean_documents(
        self, items: list[Item], boilerplate: frozenset[int]
    ) -> list[Article | None]:
        """Documents cleaned on the workers (None: nothing of one is article text)."""
        found: list[Article | None] = []
        for i, part in enumerate(self._chunks(items, boilerplate, False)):
            chunk = items[i * CHUNK_DOCUMENTS : (i + 1) * CHUNK_DOCUMENTS]
            try:
                found.extend(article for article, _ in _with_raw(chunk, part.result()))
            except IngestError:  # its worker died: clean the chunk here rather than fail
                found.extend(clean_document(src, doc, boilerplate) for src, doc in chunk)
        return found

    def _chunks(
        self, items: list[Item], boilerplate: frozenset[int], lines: bool
    ) -> list[Future[Cleaned]]:
        return [
            self._pool.submit(self._call, (items[i : i + CHUNK_DOCUMENTS], lines), boilerplate)
            for i in range(0, len(items), CHUNK_DOCUMENTS)
        ]

    def _clean_file(self, src: SourceFile, data: bytes, boilerplate: frozenset[int]) -> FileWork:
        # Only extraction can hang; the rest of a big file may take long.
        limit = self.extract_timeout if src.kind == "html" else None
        found: FileWork = self._call((src, data), boilerplate, limit)
        return found

    def _call(self, task: Task, boilerplate: frozenset[int], limit: float | None = None) -> Any:
        """`task` on this thread's worker, sending `boilerplate` unless that very process
        was sent it last."""
        worker = self._thread_worker()
        worker.start()
        key = (worker.starts, boilerplate)  # tuples compare their items by identity first
        has_it = self._local.sent == key
        self._local.sent = None  # until the call succeeds
        result = worker.call((None if has_it else boilerplate, task), limit)
        self._local.sent = key
        return result

    def _thread_worker(self) -> Worker[Job, Any]:
        worker: Worker[Job, Any] | None = getattr(self._local, "worker", None)
        if worker is None:
            worker = Worker(_in_worker, self.extract_timeout)
            with self._lock:
                if self._closing:
                    raise IngestError("worker-died", "the run is stopping")
                self._workers.append(worker)
            self._local.worker, self._local.sent = worker, None
        return worker

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            self._closing = True
            workers = list(self._workers)
        for worker in workers:
            worker.kill()  # a call still waiting on its worker ends with an error
        self._pool.shutdown(wait=True)
        for worker in workers:
            worker.close()
        self._extract.close()

    def __enter__(self) -> Cleaner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _gather(items: list[Item], problems: list[str], parts: list[Future[Cleaned]]) -> FileWork:
    cleaned = _with_raw(items, [row for part in parts for row in part.result()])
    found = collect([doc for _, doc in items], problems, [article for article, _ in cleaned])
    return found, tuple(lines for article, lines in cleaned if article is not None)


def _raise(error: Exception) -> FileWork:
    raise error
