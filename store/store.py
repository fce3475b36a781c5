"""The persistent article store (SQLite).

Every write goes through `transaction()`: one file's work commits at once or not
at all, so a killed run leaves the store as it was after the last whole file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.records import Article, Removed
from store.schema import migrate

BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The store cannot be opened or used; the message says what to try."""


@dataclass(frozen=True)
class SourceState:
    """What the store knows of a file from an earlier run."""

    size: int | None
    mtime_ns: int | None
    sha256: str | None
    status: str
    reason: str | None


@dataclass(frozen=True)
class StoredSegment:
    """What re-cleaning an article needs: the text it came from and its source metadata."""

    rowid: int
    source: str
    position: int
    raw: str
    metadata: dict[str, Any]


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | str, create: bool = True) -> Store:
        """Open the store at `path`, made first if `create` (else a missing one is an
        error); a database that is not a store is refused before anything is written."""
        path = Path(path)
        if path.parent and not path.parent.exists():
            raise StoreError(f"folder {path.parent} does not exist: create it or pick another --db")
        if not create and (not path.exists() or path.stat().st_size == 0):
            raise StoreError(
                f"no store at {path}: `newsdedup ingest FOLDER --db {path}` makes one, "
                "or pick another --db"
            )
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            _check_is_store(conn, path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(
                f"cannot open the store {path}: {error}; is it a newsdedup database?"
            ) from error
        except StoreError:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, deferred: bool = False) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; inside another transaction, it is part of that one.
        It takes the store's write lock at once, unless `deferred` (for work that writes
        temporary tables only)."""
        if self.conn.in_transaction:
            yield self.conn  # the outer transaction commits or rolls back
            return
        self.conn.execute("BEGIN" if deferred else "BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def fill_temp(self, table: str, rows: Iterable[tuple[Any, ...]], width: int) -> None:
        """Empty the temporary `table` and insert `rows` (of `width` columns), in one
        transaction (autocommit would commit each row, ten times slower), a deferred one:
        it takes no lock on the store."""
        marks = ", ".join("?" * width)
        with self.transaction(deferred=True) as db:
            db.execute(f"DELETE FROM {table}")
            db.executemany(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", rows)

    # runs

    def start_run(self, command: str, root: str | None) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (command, root, started_at) VALUES (?, ?, ?)",
                (command, root, _now()),
            )
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?",
                (_now(), status, json.dumps(summary, sort_keys=True), run_id),
            )

    # sources

    def source_states(self, root: str) -> dict[str, SourceState]:
        """What the store knows of every file under `root`, by path: one query per run."""
        rows = self.conn.execute(
            "SELECT path, size, mtime_ns, sha256, status, reason FROM sources WHERE root = ?",
            (root,),
        )
        return {path: SourceState(*rest) for path, *rest in rows}

    def source_state(self, root: str, path: str) -> SourceState | None:
        row = self.conn.execute(
            "SELECT size, mtime_ns, sha256, status, reason FROM sources "
            "WHERE root = ? AND path = ?",
            (root, path),
        ).fetchone()
        return SourceState(*row) if row else None

    def adopt_moved(
        self, root: str, files: Mapping[str, tuple[int, int]]
    ) -> dict[str, SourceState]:
        """Sources under other roots at these paths (`files`: path -> (size, mtime_ns))
        whose files are gone from there and had the same size: their folder moved to
        `root`, and they move with their articles (ids are made from the path inside the
        folder). Of several, one with the same modification time goes first. Then, from
        a folder that moved, the files gone from it at other paths here whatever their
        size: files edited since the move, which the run reads again."""
        adopted: dict[str, SourceState] = {}
        moves: list[tuple[str, int]] = []
        moved_from: set[str] = set()
        rows_by_path = {
            path: self.conn.execute(
                "SELECT id, root, size, mtime_ns, sha256, status, reason FROM sources "
                "WHERE path = ? AND root != ? AND status = 'ingested' "
                "ORDER BY size != ?, mtime_ns != ?, root",
                (path, root, size, mtime_ns),
            ).fetchall()
            for path, (size, mtime_ns) in files.items()
        }
        for same_size in (True, False):
            for path, rows in rows_by_path.items():
                if path in adopted:
                    continue
                for source_id, old_root, *state in rows:
                    fits = state[0] == files[path][0] if same_size else old_root in moved_from
                    if fits and file_gone(Path(old_root) / path):
                        moves.append((root, source_id))
                        adopted[path] = SourceState(*state)
                        moved_from.add(old_root)
                        break
        if moves:
            with self.transaction() as db:
                db.executemany("UPDATE sources SET root = ? WHERE id = ?", moves)
        return adopted

    def held_elsewhere(
        self, ids: Sequence[str], root: str, path: str
    ) -> dict[str, tuple[int, Path]]:
        """The articles among `ids` that another source holds (an identical copy of the
        same file in another folder), with that source's id and file."""
        found = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.conn.execute(
                "SELECT a.id, s.id, s.root, s.path FROM articles a JOIN sources s "
                f"ON s.id = a.source_id WHERE a.id IN ({', '.join('?' * len(chunk))}) "
                "AND NOT (s.root = ? AND s.path = ?)",
                (*chunk, root, path),
            )
            found.update({a: (source, Path(other) / at) for a, source, other, at in rows})
        return found

    def holds(self, root: str, path: str, ids: set[str], problems: Sequence[str]) -> bool:
        """Whether a file's source holds exactly the articles `ids`, with `problems`."""
        row = self.conn.execute(
            "SELECT id, problems FROM sources WHERE root = ? AND path = ?", (root, path)
        ).fetchone()
        if row is None or json.loads(row[1]) != list(problems):
            return False
        held = self.conn.execute("SELECT id FROM articles WHERE source_id = ?", (row[0],))
        return {article for (article,) in held} == ids

    def touch_source(self, root: str, path: str, size: int, mtime_ns: int, run_id: int) -> None:
        """An unchanged file: remember its new stat so the next run need not hash it."""
        with self.transaction() as db:
            db.execute(
                "UPDATE sources SET size = ?, mtime_ns = ?, last_run = ? "
                "WHERE root = ? AND path = ?",
                (size, mtime_ns, run_id, root, path),
            )

    def save_source(
        self,
        root: str,
        path: str,
        *,
        kind: str | None,
        size: int,
        mtime_ns: int,
        sha256: str | None,
        status: str,
        reason: str | None,
        problems: Sequence[str],
        run_id: int,
        articles: Sequence[tuple[Article, Sequence[tuple[int, int]]]] | None,
    ) -> None:
        """Record a file's outcome; `articles` (with each one's (line key, anchor) rows,
        `ingest.boilerplate.line_keys`) replaces the file's articles, None keeps the ones
        it had."""
        with self.transaction() as db:
            db.execute(
                """
                INSERT INTO sources (root, path, kind, size, mtime_ns, sha256, status, reason,
                                     problems, first_run, last_run)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (root, path) DO UPDATE SET
                    kind = excluded.kind, size = excluded.size, mtime_ns = excluded.mtime_ns,
                    sha256 = excluded.sha256, status = excluded.status, reason = excluded.reason,
                    problems = excluded.problems, last_run = excluded.last_run
                """,
                (root, path, kind, size, mtime_ns, sha256, status, reason,
                 json.dumps(list(problems)), run_id, run_id),
            )
            if articles is None:
                return
            source_id = db.execute(
                "SELECT id FROM sources WHERE root = ? AND path = ?", (root, path)
            ).fetchone()[0]
            db.execute("DELETE FROM articles WHERE source_id = ?", (source_id,))
            for article, keys in articles:
                rowid = db.execute(
                    """
                    INSERT INTO articles (id, source_id, position, title, text, authors, date,
                        site, url, captions, removed, raw, metadata, text_hash, run_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    (article.id, source_id, article.position, *_article_columns(article), run_id),
                ).lastrowid
                db.executemany(
                    "INSERT OR IGNORE INTO line_seen (line_key, anchor, article) VALUES (?, ?, ?)",
                    [(key, anchor, rowid) for key, anchor in keys],
                )
            _set_meta(db, "boilerplate_dirty", "1")

    def mark_missing(self, root: str, seen: Iterable[str], run_id: int) -> list[str]:
        """Sources of `root` not seen in this run: marked missing, their articles dropped."""
        seen_set = set(seen)
        rows = self.conn.execute(
            "SELECT id, path FROM sources WHERE root = ? AND status != 'missing' ORDER BY path",
            (root,),
        ).fetchall()
        gone = [(source_id, path) for source_id, path in rows if path not in seen_set]
        self.drop_sources([s for s, _ in gone], "the file is no longer in the folder", run_id)
        return [path for _, path in gone]

    def drop_sources(self, source_ids: Sequence[int], reason: str, run_id: int) -> None:
        """Mark sources missing, for `reason`, and drop their articles."""
        if not source_ids:
            return
        with self.transaction() as db:
            for source_id in source_ids:
                db.execute("DELETE FROM articles WHERE source_id = ?", (source_id,))
                db.execute(
                    "UPDATE sources SET status = 'missing', reason = ?, last_run = ? "
                    "WHERE id = ?",
                    (reason, run_id, source_id),
                )
            _set_meta(db, "boilerplate_dirty", "1")

    # corpus boilerplate

    def boilerplate_dirty(self) -> bool:
        return self._meta("boilerplate_dirty") == "1"

    def boilerplate(self) -> frozenset[int]:
        """The boilerplate line keys the stored articles were cleaned with."""
        return frozenset(k for (k,) in self.conn.execute("SELECT line_key FROM boilerplate"))

    def frequent_lines(
        self, min_anchors: int, among: Iterable[int] | None = None
    ) -> frozenset[int]:
        """Line keys that stand in at least `min_anchors` articles with different anchors
        (of the keys `among`, when given)."""
        among_wanted = ""
        if among is not None:
            self._want_lines(among)
            among_wanted = "WHERE line_key IN wanted "
        rows = self.conn.execute(
            f"SELECT line_key FROM line_seen {among_wanted}GROUP BY line_key "
            "HAVING COUNT(DISTINCT anchor) >= ?",
            (min_anchors,),
        )
        return frozenset(k for (k,) in rows)

    def _want_lines(self, keys: Iterable[int]) -> None:
        """Fill the temporary table `wanted` with line keys, to join with."""
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (line_key INTEGER PRIMARY KEY)")
        self.fill_temp("wanted", ((k,) for k in keys), 1)

    def touched_lines(self, min_anchors: int) -> tuple[frozenset[int], bool]:
        """The line keys whose counts changed since boilerplate was last applied, and
        whether those are all that can have changed: not when it was applied with another
        `min_anchors`, or never in this store's schema."""
        keys = frozenset(k for (k,) in self.conn.execute("SELECT line_key FROM lines_touched"))
        return keys, self._meta("boilerplate_min_anchors") == str(min_anchors)

    def segments_with_lines(self, keys: Iterable[int]) -> list[StoredSegment]:
        self._want_lines(keys)
        rows = self.conn.execute(
            """
            SELECT a.rowid, s.path, a.position, a.raw, a.metadata FROM articles a
            JOIN sources s ON s.id = a.source_id
            WHERE a.rowid IN (SELECT article FROM line_seen WHERE line_key IN wanted)
            ORDER BY a.rowid
            """
        ).fetchall()
        return [StoredSegment(r, s, p, raw, json.loads(m)) for r, s, p, raw, m in rows]

    def apply_boilerplate(
        self,
        keys: frozenset[int],
        recleaned: Sequence[tuple[int, Article]],
        run_id: int,
        *,
        touched: frozenset[int],
        min_anchors: int,
    ) -> None:
        """Store re-cleaned articles and the boilerplate set they were cleaned with, at once,
        with the `min_anchors` it was worked out with; the `touched` line keys it counted
        are done with. (Read and written in two steps: the store's write lock keeps other
        writers out between them.)"""
        with self.transaction() as db:
            db.executemany("DELETE FROM lines_touched WHERE line_key = ?", ((k,) for k in touched))
            _set_meta(db, "boilerplate_min_anchors", str(min_anchors))
            for rowid, article in recleaned:
                db.execute(
                    """
                    UPDATE articles SET title = ?, text = ?, authors = ?, date = ?, site = ?,
                        url = ?, captions = ?, removed = ?, raw = ?, metadata = ?, text_hash = ?,
                        run_id = ?
                    WHERE rowid = ?
                    """,
                    (*_article_columns(article), run_id, rowid),
                )
            db.execute("DELETE FROM boilerplate")
            db.executemany("INSERT INTO boilerplate VALUES (?)", ((k,) for k in sorted(keys)))
            _set_meta(db, "boilerplate_dirty", "0")

    # reading

    def iter_articles(self, since_run: int | None = None) -> Iterator[dict[str, Any]]:
        """Every article (or those written in or after run `since_run`), in source order."""
        rows = self.conn.execute(
            """
            SELECT a.id, s.path, a.position, a.title, a.text, a.authors, a.date, a.site, a.url,
                   a.captions, a.removed, a.metadata
            FROM articles a JOIN sources s ON s.id = a.source_id
            WHERE ?1 IS NULL OR a.run_id >= ?1
            ORDER BY s.root, s.path, a.position
            """,
            (since_run,),
        )
        for (article_id, path, position, title, text, authors, date, site, url, captions,
             removed, metadata) in rows:
            yield {
                "id": article_id,
                "source": path,
                "position": position,
                "title": title,
                "text": text,
                "authors": json.loads(authors),
                "date": date,
                "site": site,
                "url": url,
                "captions": json.loads(captions),
                "removed": json.loads(removed),
                "metadata": json.loads(metadata),
            }

    def stats(self) -> dict[str, Any]:
        by_status = dict(
            self.conn.execute(
                "SELECT status, COUNT(*) FROM sources GROUP BY status ORDER BY status"
            ).fetchall()
        )
        articles, chars = self.conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(LENGTH(text)), 0) FROM articles"
        ).fetchone()
        runs = self.conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        last = self.conn.execute(
            "SELECT id, command, started_at, finished_at, status FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        boilerplate = self.conn.execute("SELECT COUNT(*) FROM boilerplate").fetchone()[0]
        clusters = dict(
            self.conn.execute(
                "SELECT kind, COUNT(DISTINCT cluster) FROM clusters GROUP BY kind ORDER BY kind"
            ).fetchall()
        )
        return {
            "sources": by_status,
            "clusters": clusters,
            "articles": articles,
            "text_chars": chars,
            "boilerplate_lines": boilerplate,
            "runs": runs,
            "last_run": dict(
                zip(("id", "command", "started_at", "finished_at", "status"), last, strict=True)
            )
            if last
            else None,
        }

    def problems(self) -> list[dict[str, Any]]:
        """Every file that was skipped or failed, and files with bad parts, with reasons."""
        rows = self.conn.execute(
            """
            SELECT path, status, reason, problems FROM sources
            WHERE status IN ('skipped', 'failed') OR problems != '[]'
            ORDER BY root, path
            """
        )
        return [
            {"source": p, "status": s, "reason": r, "problems": json.loads(pr)}
            for p, s, r, pr in rows
        ]

    def _meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None


def _set_meta(db: sqlite3.Connection, key: str, value: str) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def _article_columns(article: Article) -> tuple[Any, ...]:
    return (
        article.title,
        article.text,
        json.dumps(list(article.authors), ensure_ascii=False),
        article.date,
        article.site,
        article.url,
        json.dumps(list(article.captions), ensure_ascii=False),
        json.dumps([_removed(r) for r in article.removed], ensure_ascii=False),
        article.raw,
        json.dumps(dict(article.metadata), ensure_ascii=False, sort_keys=True),
        text_hash(article.title, article.text),
    )


def text_hash(title: str, text: str) -> str:
    """What dedupe signs: a changed hash means the article must be signed again."""
    return hashlib.sha256(f"{title}\0{text}".encode()).hexdigest()[:16]


def _removed(r: Removed) -> dict[str, str]:
    return {"line": r.line, "reason": r.reason}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def file_gone(path: Path) -> bool:
    """The file is not there (one that cannot be looked at may be: it is not gone)."""
    try:
        return not path.exists()
    except OSError:
        return False


def _check_is_store(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse, before anything is written, a database that holds tables but is no store:
    a store has had migrations (`user_version`) and holds the tables of the first one."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {name for (name,) in rows}
    if (tables and not version) or (version and not tables >= STORE_TABLES):
        raise StoreError(
            f"{path} is an SQLite database, but not a newsdedup store: pick another --db"
        )


STORE_TABLES = frozenset({"runs", "sources", "articles", "meta"})  # made by migration 1
