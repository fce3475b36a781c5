"""Ingest a folder into the store: only new and changed files are read.

Every file a run sees ends in exactly one outcome: ingested, unchanged, skipped
(not an article file, or larger than the size limit) or failed (an article file that
could not be read). Each file's outcome and articles commit in one transaction (with
those of the files next to it, up to COMMIT_FILES).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from ingest.boilerplate import MIN_ANCHORS
from ingest.decode import read_source
from ingest.discover import classify
from ingest.errors import IngestError
from ingest.pipeline import clean_document, stored_document
from ingest.records import SourceFile
from ingest.workers import PARALLEL_MIN_BYTES, Cleaner, FileWork, usable_cpus
from store.store import SourceState, Store, file_gone

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_EXTRACT_TIMEOUT = 60.0  # seconds for one HTML page
# Files a transaction commits at most, and how long it may gather them: one commit a
# file would cost more than cleaning takes (each writes the pages of the same indexes).
COMMIT_FILES = 20
COMMIT_SECONDS = 0.5
AHEAD_BYTES = 256 * 1024 * 1024  # what the files being cleaned ahead may hold (on disk)
# Reasons that mean "not an article file, or one past the size limit the user set" rather
# than "an article file we could not read".
SKIP_REASONS = frozenset(
    {"unsupported-type", "empty", "binary", "no-article", "too-large", "decompression-limit"}
)


class EmptyFolder(Exception):
    """The folder holds no files, though the store holds files from it."""


@dataclass(frozen=True)
class IngestOptions:
    max_bytes: int = DEFAULT_MAX_BYTES
    boilerplate_min_articles: int = MIN_ANCHORS
    extract_timeout: float = DEFAULT_EXTRACT_TIMEOUT
    jobs: int = field(default_factory=usable_cpus)  # worker processes that clean files...
    parallel_min_bytes: int = PARALLEL_MIN_BYTES  # ...when a run has this much to read

    def __post_init__(self) -> None:
        for name, least in (
            ("max_bytes", 1),
            ("boilerplate_min_articles", 2),
            ("jobs", 1),
            ("parallel_min_bytes", 0),
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < least:
                raise ValueError(f"{name} must be a whole number >= {least}, not {value!r}")
        timeout = self.extract_timeout
        if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
            raise ValueError(f"extract_timeout must be a number of seconds > 0, not {timeout!r}")


@dataclass(frozen=True)
class FileOutcome:
    path: str
    outcome: str  # ingested, unchanged, skipped, failed, missing
    reason: str | None = None
    articles: int = 0
    replaced: bool = False  # the file had articles before this run


@dataclass
class IngestSummary:
    files: dict[str, int] = field(default_factory=dict)  # outcome -> count
    new: int = 0  # ingested files the store did not have
    changed: int = 0  # ingested files that replaced their articles
    articles_added: int = 0
    articles_replaced: int = 0
    recleaned: int = 0

    def add(self, outcome: FileOutcome) -> None:
        self.files[outcome.outcome] = self.files.get(outcome.outcome, 0) + 1
        if outcome.outcome == "ingested":
            if outcome.replaced:
                self.changed += 1
                self.articles_replaced += outcome.articles
            else:
                self.new += 1
                self.articles_added += outcome.articles


def root_key(root: Path) -> str:
    return str(root.resolve())


def ingest_pass(
    store: Store,
    root: Path,
    files: Sequence[SourceFile],
    run_id: int,
    options: IngestOptions,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    each: Callable[[FileOutcome], None] = lambda outcome: None,
    allow_empty: bool = False,
) -> IngestSummary:
    """Ingest `files` (all that discovery found under `root`); then, unless stopped, mark
    the files that vanished and bring corpus boilerplate up to date. `each` is told every
    outcome once it is committed; `should_stop` is asked between transactions.

    A folder with no files at all, whose files the store holds, is an `EmptyFolder`
    error (an unmounted disk, most likely) unless `allow_empty`: it would mark them all
    missing and drop their articles.
    """
    if not files and not allow_empty:
        held = [s for s in store.source_states(root_key(root)).values() if s.status != "missing"]
        if held:
            raise EmptyFolder(
                f"{root} holds no files, but the store holds {len(held)} from it; nothing "
                "was changed. Is a disk not mounted? If the files were removed on purpose, "
                "run again with --allow-empty to mark them missing."
            )
    summary = IngestSummary()
    with Cleaner(options.jobs, options.extract_timeout) as cleaner:
        for outcome in ingest_files(store, root, files, run_id, options, cleaner, should_stop):
            summary.add(outcome)
            each(outcome)
        if should_stop():  # a partial pass has not seen every file: nothing is missing yet
            return summary
        seen = [src.relpath for src in files]
        for path in store.mark_missing(root_key(root), seen, run_id):
            summary.add(FileOutcome(path, "missing", "the file is no longer in the folder"))
        summary.recleaned = refresh_boilerplate(store, run_id, options, cleaner)
    return summary


def ingest_files(
    store: Store,
    root: Path,
    files: Iterable[SourceFile],
    run_id: int,
    options: IngestOptions,
    cleaner: Cleaner,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[FileOutcome]:
    """Ingest each file in turn, yielding its outcome once it is committed (in file order;
    with workers, the next files are being cleaned meanwhile). Once `should_stop`, the
    files committed are yielded and no more are."""
    key = root_key(root)
    known = store.source_states(key)
    files = list(files)
    unknown = {src.relpath: (src.size, src.mtime_ns) for src in files if src.relpath not in known}
    known |= store.adopt_moved(key, unknown)
    to_read = sum(src.size for src in files if not _unchanged(known.get(src.relpath), src))
    here = to_read < options.parallel_min_bytes  # too little for workers to pay their start
    submit = partial(cleaner.submit, boilerplate=store.boilerplate(), here=here)
    commits = (
        (_start(store, key, src, known.get(src.relpath), run_id, options, submit), src.size)
        for src in files
    )
    ahead = _ahead(commits, 0 if here else 2 * cleaner.jobs, AHEAD_BYTES)
    yield from _in_transactions(store, ahead, should_stop)


def ingest_file(
    store: Store,
    root: str,
    src: SourceFile,
    run_id: int,
    boilerplate: frozenset[int],
    options: IngestOptions,
) -> FileOutcome:
    """Ingest one file, in this process."""
    with Cleaner(1, options.extract_timeout) as cleaner:
        state = store.source_state(root, src.relpath)
        submit = partial(cleaner.submit, boilerplate=boilerplate, here=True)
        return _start(store, root, src, state, run_id, options, submit)()


def _ahead(items: Iterable[tuple[T, int]], count: int, budget: int) -> Iterator[T]:
    """The items in order, each once up to `count` more are made (making one starts its
    work), as long as those hold at most `budget` bytes (items come with their sizes; the
    newest is made before its size counts, so one item may pass the budget)."""
    window: deque[tuple[T, int]] = deque()
    held = 0
    for item, size in items:
        window.append((item, size))
        held += size
        while len(window) > count or (len(window) > 1 and held > budget):
            first, first_size = window.popleft()
            held -= first_size
            yield first
    for item, _ in window:
        yield item


def _in_transactions(
    store: Store, commits: Iterable[Callable[[], FileOutcome]], should_stop: Callable[[], bool]
) -> Iterator[FileOutcome]:
    """Run files' commits, up to COMMIT_FILES (or COMMIT_SECONDS' worth) in a transaction,
    and yield their outcomes once committed: a file is all in the store or not at all."""
    commits = iter(commits)
    while not should_stop():
        done = []
        since = time.monotonic()
        with store.transaction():
            for commit in commits:
                done.append(commit())
                if (
                    len(done) == COMMIT_FILES
                    or time.monotonic() - since > COMMIT_SECONDS
                    or should_stop()
                ):
                    break
        if not done:
            return
        yield from done


# The modification time stored for a copy deferring to a file in another folder: no file
# has it, so every run reads the copy again, and stores its articles once that file goes.
DEFERRING = -1


def _unchanged(state: SourceState | None, src: SourceFile) -> bool:
    """Ingested before with the same size and modification time: not read again."""
    return (
        state is not None
        and state.status == "ingested"
        and (state.size, state.mtime_ns) == (src.size, src.mtime_ns)
    )


def _start(
    store: Store,
    root: str,
    src: SourceFile,
    state: SourceState | None,
    run_id: int,
    options: IngestOptions,
    submit: Callable[[SourceFile, bytes], Callable[[], FileWork]],
) -> Callable[[], FileOutcome]:
    """Read a file and `submit` it for cleaning; returns what commits its outcome."""
    if _unchanged(state, src):
        return lambda: FileOutcome(src.relpath, "unchanged")  # nothing read, nothing written

    def record(status: str, reason: str | None, sha: str | None = None) -> FileOutcome:
        if state and (state.status, state.reason, state.size, state.mtime_ns) == (
            status, reason, src.size, src.mtime_ns
        ):
            return FileOutcome(src.relpath, status, reason)  # known already: no write
        store.save_source(
            root, src.relpath, kind=src.kind, size=src.size, mtime_ns=src.mtime_ns, sha256=sha,
            status=status, reason=reason, problems=(), run_id=run_id, articles=None,
        )
        return FileOutcome(src.relpath, status, reason)

    def failed(error: Exception, sha: str | None) -> FileOutcome:
        if isinstance(error, IngestError):
            return record("skipped" if error.reason in SKIP_REASONS else "failed", str(error), sha)
        # A bug or a library failure must not stop the run.
        log.error("unexpected error on %s", src.relpath, exc_info=error)
        return record("failed", f"unexpected error: {type(error).__name__}: {error}", sha)

    if src.kind is None:
        reason = src.skip_reason or "not an article file"
        return lambda: record(_discovery_status(src), reason)
    try:
        data = read_source(src, options.max_bytes)
    except Exception as error:
        return partial(failed, error, None)
    sha = hashlib.sha256(data).hexdigest()
    if (
        state
        and state.status == "ingested"
        and state.sha256 == sha
        and state.mtime_ns != DEFERRING  # a deferring copy is read again
    ):

        def touch() -> FileOutcome:
            store.touch_source(root, src.relpath, src.size, src.mtime_ns, run_id)
            return FileOutcome(src.relpath, "unchanged")

        return touch
    work = submit(src, data)

    def commit() -> FileOutcome:
        try:
            found, lines = work()
        except Exception as error:
            return failed(error, sha)
        articles = list(zip(found.articles, lines, strict=True))
        problems, mtime_ns = list(found.problems), src.mtime_ns
        elsewhere = _held_elsewhere(store, root, src.relpath, [a.id for a, _ in articles], run_id)
        if elsewhere:  # an identical copy of a file stored from another folder
            articles = [(a, keys) for a, keys in articles if a.id not in elsewhere]
            problems.append(
                f"{len(elsewhere)} of its articles are stored already, from "
                f"{min(elsewhere.values())}: an identical copy, not stored twice"
            )
            mtime_ns = DEFERRING
            if state and (state.mtime_ns, state.sha256) == (DEFERRING, sha) and store.holds(
                root, src.relpath, {a.id for a, _ in articles}, problems
            ):  # deferring as it did: nothing to write
                store.touch_source(root, src.relpath, src.size, DEFERRING, run_id)
                return FileOutcome(src.relpath, "unchanged")
        store.save_source(
            root, src.relpath, kind=src.kind, size=src.size, mtime_ns=mtime_ns, sha256=sha,
            status="ingested", reason=None, problems=problems, run_id=run_id, articles=articles,
        )
        replaced = state is not None and state.status in ("ingested", "failed")
        return FileOutcome(src.relpath, "ingested", None, len(articles), replaced)

    return commit


def _held_elsewhere(
    store: Store, root: str, path: str, ids: Sequence[str], run_id: int
) -> dict[str, Path]:
    """The articles among `ids` that a file in another folder holds, with that file. A
    holder gone from its folder (which has not been run since) gives its articles up."""
    held = store.held_elsewhere(ids, root, path)
    gone = sorted({source for source, file in held.values() if file_gone(file)})
    store.drop_sources(gone, f"the file is gone; its articles came again in {path}", run_id)
    return {a: file for a, (source, file) in held.items() if source not in gone}


def refresh_boilerplate(
    store: Store, run_id: int, options: IngestOptions, cleaner: Cleaner | None = None
) -> int:
    """Clean again the articles holding a line that became, or stopped being, boilerplate
    (with `cleaner`'s workers when they hold `options.parallel_min_bytes`).

    Afterwards every stored article is clean with respect to the same boilerplate
    set, whatever order its files arrived in; returns how many were cleaned again.
    """
    if not store.boilerplate_dirty():
        return 0
    min_articles = options.boilerplate_min_articles
    before = store.boilerplate()
    touched, only_those = store.touched_lines(min_articles)
    if only_those:  # a line whose counts stayed the same kept its standing
        now = (before - touched) | store.frequent_lines(min_articles, among=touched)
    else:
        now = store.frequent_lines(min_articles)
    segments = store.segments_with_lines(now ^ before)
    items = [(s.source, stored_document(s.position, s.raw, s.metadata)) for s in segments]
    if cleaner and sum(len(s.raw) for s in segments) >= options.parallel_min_bytes:
        articles = cleaner.clean_documents(items, now)
    else:
        articles = [clean_document(source, document, now) for source, document in items]
    recleaned = [
        (segment.rowid, article)
        for segment, article in zip(segments, articles, strict=True)
        if article is not None
    ]
    store.apply_boilerplate(now, recleaned, run_id, touched=touched, min_anchors=min_articles)
    return len(recleaned)


def _discovery_status(src: SourceFile) -> str:
    """An article file the system would not let us read has failed; anything else is skipped."""
    name = src.relpath.rsplit("/", 1)[-1]
    article_file = classify(name)[0] is not None and not name.startswith(".")
    return "failed" if article_file else "skipped"
