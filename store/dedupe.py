"""The dedupe stage's tables: signatures, LSH bands, verified pairs and clusters.

Signatures are stored as raw little-endian arrays, and term weights as their keys (one
a line, in key order) after their weights as little-endian doubles: no pickle, so opening
a store never runs code from it, and no JSON, which takes longer to write and to read
than signing takes to compute them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from store.store import Store

SIGNATURE_DTYPE = np.dtype("<u4")
TERM_WEIGHT_DTYPE = np.dtype("<f8")
# Dedupe reads and writes its tables at random keys (hashes, ids); SQLite's default page
# cache (2 MB) holds too few of their inner pages for that.
CACHE_KIB = 64 * 1024

Band = tuple[str, int, int, str]  # an LSH row: kind, band, key, article
LSH_KINDS = {"duplicate": 0, "story": 1}  # how the lsh table names a kind


@dataclass(frozen=True)
class ArticleText:
    """What dedupe reads of an article."""

    id: str
    title: str
    text: str
    date: str | None
    source: str
    text_hash: str | None


@dataclass(frozen=True)
class ArticleFacts:
    """What clustering reads of an article: enough to pick a cluster's canonical member."""

    id: str
    date: str | None
    text_chars: int
    source: str


@dataclass(frozen=True)
class Signature:
    article: str
    text_hash: str
    duplicate_minhash: npt.NDArray[np.uint32]
    story_minhash: npt.NDArray[np.uint32]
    story_terms: dict[str, float]


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    kind: str  # "duplicate" or "story"
    duplicate_score: float
    story_score: float
    via: str = "lsh"  # how it was found: "lsh" or "triangle"

    @property
    def score(self) -> float:
        return self.duplicate_score if self.kind == "duplicate" else self.story_score


@dataclass(frozen=True)
class Cluster:
    kind: str
    id: str
    canonical: str
    members: list[str]
    run_id: int | None = None  # the run that last changed its members


def pack_terms(terms: dict[str, float]) -> bytes:
    """Term weights as bytes: the count, the weights (doubles), then the keys, in key order."""
    keys = sorted(terms)
    weights = np.array([terms[k] for k in keys], dtype=TERM_WEIGHT_DTYPE)
    return len(keys).to_bytes(4, "little") + weights.tobytes() + "\n".join(keys).encode()


def unpack_terms(blob: bytes) -> dict[str, float]:
    """The weights `pack_terms` packed, exactly, with the keys in the same order."""
    count = int.from_bytes(blob[:4], "little")
    if not count:
        return {}
    end = 4 + count * TERM_WEIGHT_DTYPE.itemsize
    weights = np.frombuffer(blob[4:end], dtype=TERM_WEIGHT_DTYPE).tolist()
    return dict(zip(blob[end:].decode().split("\n"), weights, strict=True))


_KINDS = "('duplicate', 'story')"  # every kind of pair and cluster, for SQL


class DedupeStore:
    """Dedupe's view of the store; shares the store's connection and transactions."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn
        self.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")

    # parameters

    def params(self) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'dedupe_params'").fetchone()
        return json.loads(row[0]) if row else None

    def reset(self, params: dict[str, Any]) -> None:
        """Forget every signature, pair and cluster; the next run signs everything anew."""
        with self.store.transaction() as db:
            for table in ("signatures", "lsh", "pairs", "clusters", "dirty"):
                db.execute(f"DELETE FROM {table}")
            db.execute("INSERT OR IGNORE INTO changed SELECT id FROM articles")
            db.execute(
                "INSERT INTO meta (key, value) VALUES ('dedupe_params', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (json.dumps(params, sort_keys=True),),
            )

    # what needs doing

    # Both look among the `changed` articles only (kept by triggers on articles), so
    # their cost is that of the changes, not of the corpus. CROSS JOIN keeps `changed`
    # outside whatever statistics the store has (after ANALYZE, with `changed` empty,
    # SQLite would scan the other table instead).

    def stale(self) -> list[str]:
        """Signed articles that are gone, or whose text changed since they were signed."""
        rows = self.conn.execute(
            """
            SELECT c.article FROM changed c CROSS JOIN signatures s ON s.article = c.article
            LEFT JOIN articles a ON a.id = c.article
            WHERE a.id IS NULL OR a.text_hash IS NOT s.text_hash
            ORDER BY c.article
            """
        )
        return [r for (r,) in rows]

    def behind(self) -> int:
        """Articles added, changed or removed since dedupe last brought pairs and clusters
        up to date with them (0 when they are up to date)."""
        row = self.conn.execute(
            "SELECT count(*) FROM (SELECT article FROM changed UNION SELECT article FROM dirty)"
        ).fetchone()
        return int(row[0])

    def unsigned(self) -> list[str]:
        rows = self.conn.execute(
            """
            SELECT c.article FROM changed c CROSS JOIN articles a ON a.id = c.article
            LEFT JOIN signatures s ON s.article = c.article
            WHERE s.article IS NULL ORDER BY c.article
            """
        )
        return [r for (r,) in rows]

    def forget(self, articles: Sequence[str], bands: Iterable[Band]) -> None:
        """Drop articles' signatures, `bands` and pairs; their partners' clusters go dirty.

        The bands are the articles' own (`lsh` has no index by article: it would double
        the cost of filing them).
        """
        with self.store.transaction() as db:
            db.executemany(
                "DELETE FROM lsh WHERE kind = ? AND band = ? AND key = ? AND article = ?",
                _lsh_rows(bands),
            )
            for article in articles:
                db.execute(
                    "INSERT OR IGNORE INTO dirty SELECT b FROM pairs WHERE a = ? "
                    "UNION SELECT a FROM pairs WHERE b = ? UNION SELECT ?",
                    (article, article, article),
                )
                db.execute("DELETE FROM pairs WHERE a = ? OR b = ?", (article, article))
                db.execute("DELETE FROM signatures WHERE article = ?", (article,))
            # Stored again with the same text (its date or other facts may have changed):
            # the signature holds, but the canonical member of its clusters may not.
            db.execute(
                """
                INSERT OR IGNORE INTO dirty SELECT c.article FROM changed c
                CROSS JOIN articles a ON a.id = c.article
                CROSS JOIN signatures s ON s.article = c.article
                WHERE s.text_hash IS a.text_hash
                """
            )
            # What is left to do is signing: changed articles that are gone now, or whose
            # signature is of their text, need nothing more.
            db.execute(
                """
                DELETE FROM changed WHERE article IN (
                    SELECT c.article FROM changed c LEFT JOIN articles a ON a.id = c.article
                    LEFT JOIN signatures s ON s.article = c.article
                    WHERE (a.id IS NULL AND s.article IS NULL)
                    OR (s.article IS NOT NULL AND s.text_hash IS a.text_hash)
                )
                """
            )

    def lsh_neighbours_of(self, articles: Iterable[str]) -> dict[str, set[str]]:
        """The articles paired with each of `articles` through a shared LSH band (an empty
        set for those without)."""
        found: dict[str, set[str]] = {article: set() for article in articles}
        self._fill_wanted(found)
        for near, far in (("a", "b"), ("b", "a")):
            rows = self.conn.execute(
                f"SELECT p.{near}, p.{far} FROM wanted_ids w JOIN pairs p ON p.{near} = w.id "
                "WHERE p.via = 'lsh'"
            )
            for article, other in rows:
                found[article].add(other)
        return found

    def triangle_pairs_among(self, articles: Iterable[str]) -> list[Pair]:
        """The pairs found by closing a triangle whose two ends are both among `articles`."""
        self._fill_wanted(articles)
        rows = self.conn.execute(
            "SELECT p.a, p.b, p.kind, p.duplicate_score, p.story_score, p.via "
            "FROM wanted_ids w CROSS JOIN pairs p ON p.a = w.id "
            "WHERE p.via = 'triangle' AND p.b IN (SELECT id FROM wanted_ids)"
        )
        return [Pair(*row) for row in rows]

    def _fill_wanted(self, ids: Iterable[str]) -> None:
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS wanted_ids (id TEXT PRIMARY KEY) WITHOUT ROWID"
        )
        self.store.fill_temp("wanted_ids", ((i,) for i in ids), 1)

    def drop_pairs(self, pairs: Sequence[Pair]) -> None:
        with self.store.transaction() as db:
            for p in pairs:
                db.execute("DELETE FROM pairs WHERE a = ? AND b = ?", (p.a, p.b))
                db.executemany("INSERT OR IGNORE INTO dirty VALUES (?)", [(p.a,), (p.b,)])

    # reading articles and signatures

    def articles(self, ids: Sequence[str]) -> list[ArticleText]:
        return [
            ArticleText(*row)
            for row in self._select_in(
                """
                SELECT a.id, a.title, a.text, a.date, s.path, a.text_hash
                FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id IN ({})
                ORDER BY a.id
                """,
                ids,
            )
        ]

    def article_facts(self, ids: Iterable[str]) -> dict[str, ArticleFacts]:
        """Date, text length and source of articles, without reading their text."""
        self._fill_wanted(ids)
        rows = self.conn.execute(
            "SELECT a.id, a.date, length(a.text), s.path FROM wanted_ids w "
            "JOIN articles a ON a.id = w.id JOIN sources s ON s.id = a.source_id"
        )
        return {row[0]: ArticleFacts(*row) for row in rows}

    def signatures(self, ids: Sequence[str]) -> dict[str, Signature]:
        rows = self._select_in(
            "SELECT article, text_hash, duplicate_minhash, story_minhash, story_terms "
            "FROM signatures WHERE article IN ({})",
            ids,
        )
        return {
            r[0]: Signature(
                r[0],
                r[1],
                np.frombuffer(r[2], dtype=SIGNATURE_DTYPE).astype(np.uint32),
                np.frombuffer(r[3], dtype=SIGNATURE_DTYPE).astype(np.uint32),
                unpack_terms(r[4]),
            )
            for r in rows
        }

    def story_terms(self, ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """The stored story terms of signed articles, without their sketches."""
        rows = self._select_in(
            "SELECT article, story_terms FROM signatures WHERE article IN ({})", ids
        )
        return {article: unpack_terms(blob) for article, blob in rows}

    def candidates(
        self, kind: str, keys: Iterable[tuple[int, int]]
    ) -> dict[tuple[int, int], list[str]]:
        """Articles filed under each (band, key) of one kind."""
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS probe (band INTEGER, key INTEGER, "
            "PRIMARY KEY (band, key)) WITHOUT ROWID"
        )
        self.store.fill_temp("probe", keys, 2)
        found: dict[tuple[int, int], list[str]] = {}
        # CROSS JOIN keeps the probes the outer loop: a look-up of each in lsh's key,
        # where SQLite would otherwise pick a scan of every row of the kind.
        rows = self.conn.execute(
            "SELECT l.band, l.key, l.article FROM probe p CROSS JOIN lsh l "
            "ON l.kind = ? AND l.band = p.band AND l.key = p.key",
            (LSH_KINDS[kind],),
        )
        for band, key, article in rows:
            found.setdefault((band, key), []).append(article)
        return found

    # writing

    def add(self, signatures: Sequence[Signature], bands: Sequence[Band]) -> None:
        """Store signatures and their LSH bands (kind, band, key, article) at once.

        Bands go in in key order: B-tree inserts that land next to each other.
        """
        with self.store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO signatures VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        s.article,
                        s.text_hash,
                        s.duplicate_minhash.astype(SIGNATURE_DTYPE).tobytes(),
                        s.story_minhash.astype(SIGNATURE_DTYPE).tobytes(),
                        pack_terms(s.story_terms),
                    )
                    for s in signatures
                ],
            )
            db.executemany(
                "INSERT OR IGNORE INTO lsh VALUES (?, ?, ?, ?)", _lsh_rows(sorted(bands))
            )
            # Done with: the write lock keeps their texts as they were read for signing.
            db.executemany(
                "DELETE FROM changed WHERE article = ?", ((s.article,) for s in signatures)
            )

    def add_pairs(self, pairs: Sequence[Pair], dirty: Iterable[str], run_id: int) -> None:
        with self.store.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (p.a, p.b, p.kind, p.duplicate_score, p.story_score, p.via, run_id)
                    for p in pairs
                ],
            )
            db.executemany("INSERT OR IGNORE INTO dirty VALUES (?)", ((a,) for a in dirty))

    def dirty(self) -> list[str]:
        return [a for (a,) in self.conn.execute("SELECT article FROM dirty ORDER BY article")]

    def component_of(self, articles: Iterable[str]) -> tuple[set[str], list[Pair]]:
        """Every article joined to `articles` by pairs (`articles` included), and those
        pairs in (a, b) order: one recursive query, which reads each pair once."""
        start = set(articles)
        self._fill_wanted(start)
        rows = self.conn.execute(
            """
            WITH RECURSIVE reach(id) AS (
                SELECT id FROM wanted_ids
                UNION SELECT p.b FROM pairs p JOIN reach r ON p.a = r.id
                UNION SELECT p.a FROM pairs p JOIN reach r ON p.b = r.id
            )
            SELECT p.a, p.b, p.kind, p.duplicate_score, p.story_score, p.via
            FROM reach r CROSS JOIN pairs p ON p.a = r.id
            """
        ).fetchall()
        rows.sort()
        return start.union(*(row[:2] for row in rows)), [Pair(*row) for row in rows]

    def pair_keys_of(self, articles: Iterable[str]) -> set[tuple[str, str]]:
        """(a, b) of `pairs_of`, without reading the rest of each pair."""
        rows = self._select_in(
            "SELECT a, b FROM pairs WHERE a IN ({0}) OR b IN ({0})", sorted(set(articles)), repeat=2
        )
        return {(a, b) for a, b in rows}

    def replace_clusters(
        self,
        articles: Sequence[str],
        clusters: Sequence[Cluster],
    ) -> None:
        """Swap the cluster rows of `articles` for `clusters`."""
        with self.store.transaction() as db:
            # The kinds spelled out: the primary key starts with them, and without them
            # each delete scans the table.
            db.executemany(
                f"DELETE FROM clusters WHERE kind IN {_KINDS} AND article = ?",
                ((a,) for a in articles),
            )
            db.executemany(
                "INSERT OR REPLACE INTO clusters VALUES (?, ?, ?, ?, ?)",
                [(c.kind, m, c.id, c.canonical, c.run_id) for c in clusters for m in c.members],
            )

    def clear_dirty(self) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM dirty")

    # reading results

    def iter_clusters(self, since_run: int | None = None) -> Iterator[Cluster]:
        """Every cluster, or those with a member added in or after run `since_run`."""
        rows = self.conn.execute(
            """
            SELECT kind, cluster, canonical, article, run_id FROM clusters
            WHERE ? IS NULL OR run_id >= ?
            ORDER BY kind, cluster, article
            """,
            (since_run, since_run),
        )
        current: Cluster | None = None
        for kind, cluster, canonical, article, run_id in rows:
            if current is None or (kind, cluster) != (current.kind, current.id):
                if current:
                    yield current
                current = Cluster(kind, cluster, canonical, [], run_id)
            current.members.append(article)
        if current:
            yield current

    def clusters_of(self, articles: Sequence[str]) -> list[Cluster]:
        """The current clusters holding any of `articles`, whole."""
        ids = [
            c
            for (c,) in self._select_in(
                f"SELECT DISTINCT cluster FROM clusters WHERE kind IN {_KINDS} "
                "AND article IN ({})",
                articles,
            )
        ]
        rows = self._select_in(
            "SELECT kind, cluster, canonical, article, run_id FROM clusters WHERE cluster IN ({}) "
            "ORDER BY kind, cluster, article",
            sorted(ids),
        )
        found: dict[tuple[str, str], Cluster] = {}
        for kind, cluster, canonical, article, run_id in rows:
            found.setdefault((kind, cluster), Cluster(kind, cluster, canonical, [], run_id))
            found[(kind, cluster)].members.append(article)
        return list(found.values())

    def iter_pairs(self, since_run: int | None = None) -> Iterator[Pair]:
        for row in self.conn.execute(
            "SELECT a, b, kind, duplicate_score, story_score, via FROM pairs "
            "WHERE ?1 IS NULL OR run_id >= ?1 ORDER BY a, b",
            (since_run,),
        ):
            yield Pair(*row)

    # reading whole tables, a chunk at a time (for engines that ship them elsewhere)

    def iter_sketches(self, size: int) -> Iterator[list[tuple[str, bytes, bytes]]]:
        """Every signature's (article, duplicate MinHash, story MinHash), by article."""
        return self._chunks(
            "SELECT article, duplicate_minhash, story_minhash FROM signatures ORDER BY article",
            (),
            size,
        )

    def iter_pair_rows(self, size: int) -> Iterator[list[tuple[str, str, str, float, float, str]]]:
        """Every pair as (a, b, kind, duplicate_score, story_score, via)."""
        return self._chunks(
            "SELECT a, b, kind, duplicate_score, story_score, via FROM pairs", (), size
        )

    def _chunks(self, sql: str, args: tuple[Any, ...], size: int) -> Iterator[list[Any]]:
        cursor = self.conn.execute(sql, args)
        while rows := cursor.fetchmany(size):
            yield rows

    def pair(self, a: str, b: str) -> Pair | None:
        a, b = sorted((a, b))
        row = self.conn.execute(
            "SELECT a, b, kind, duplicate_score, story_score, via FROM pairs WHERE a = ? AND b = ?",
            (a, b),
        ).fetchone()
        return Pair(*row) if row else None

    def _select_in(self, sql: str, ids: Sequence[str], repeat: int = 1) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), _CHUNK):
            chunk = list(ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            out.extend(self.conn.execute(sql.format(marks), chunk * repeat).fetchall())
        return out


_CHUNK = 400  # ids per IN (...) query, well under SQLite's variable limit


def _lsh_rows(bands: Iterable[Band]) -> Iterator[tuple[int, int, int, str]]:
    """Bands as the lsh table holds them (in the same order: the kinds' numbers sort as
    their names do)."""
    for kind, band, key, article in bands:
        yield LSH_KINDS[kind], band, key, article
