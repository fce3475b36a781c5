"""Where a run turns files' bytes into articles: in its own process, or in worker processes.

Reading a file's articles (decoding, extraction, cleaning, the corpus line keys) is Python
work of milliseconds a file; the run's process also reads the files and writes the store.
With `jobs` workers, files are cleaned on every core while the run's process does the
rest. Each worker is an `isolate.Worker`: an HTML page whose extraction hangs is stopped
after the time limit and its worker starts again, as in one process.

A run with few files to read cleans them itself: a worker is a fresh interpreter that
imports trafilatura first, which takes longer than cleaning a few hundred files.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from ingest.boilerplate import line_keys
from ingest.extract import extract_html
from ingest.isolate import Worker
from ingest.pipeline import Extractor, FileArticles, file_articles
from ingest.records import Document, SourceFile

PARALLEL_MIN_FILES = 200  # files to read from which a run starts workers (by default)
LineRows = list[tuple[int, int]]  # an article's (line key, anchor) rows
FileWork = tuple[FileArticles, tuple[LineRows, ...]]  # the articles, and each one's line rows


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


class Cleaner:
    """Cleans the files of a run: `submit` returns the future of a file's FileWork.

    In one process (`jobs` 0), `submit` cleans the file then and there. With workers,
    up to `ahead` files are on their way while the run commits the ones before them.
    """

    def __init__(self, boilerplate: frozenset[int], jobs: int, extract_timeout: float) -> None:
        self.boilerplate = boilerplate
        self.extract_timeout = extract_timeout
        self.ahead = 2 * jobs
        # In one process, HTML extraction still runs in a worker (started at the first page).
        self._extract: Worker[str, Document] = Worker(extract_html, extract_timeout)
        self._pool = ThreadPoolExecutor(jobs, "clean") if jobs else None
        self._local = threading.local()
        self._workers: list[Worker[tuple[SourceFile, bytes], FileWork]] = []
        self._lock = threading.Lock()

    def submit(self, src: SourceFile, data: bytes) -> Future[FileWork]:
        if self._pool is not None:
            return self._pool.submit(self._in_worker, src, data)
        done: Future[FileWork] = Future()
        try:
            done.set_result(clean_file(self.boilerplate, (src, data), self._extract))
        except Exception as error:
            done.set_exception(error)
        return done

    def _in_worker(self, src: SourceFile, data: bytes) -> FileWork:
        worker = getattr(self._local, "worker", None)
        if worker is None:
            worker = Worker(partial(clean_file, self.boilerplate), self.extract_timeout)
            with self._lock:
                self._workers.append(worker)
            self._local.worker = worker
        # Only extraction can hang; the rest of a big JSON Lines file may take long.
        limit = self.extract_timeout if src.kind == "html" else None
        result: FileWork = worker.call((src, data), limit)
        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            with self._lock:
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

