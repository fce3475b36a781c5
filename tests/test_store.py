import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ingest.records import Article, Removed
from store.schema import SCHEMA_VERSION, SchemaError, migrate
from store.store import Store


def _article(source: str, position: int, text: str) -> Article:
    return Article(
        source=source,
        position=position,
        title="A title",
        text=text,
        authors=("Kari Holm",),
        captions=("A caption",),
        removed=(Removed("TT", "widget"),),
        raw=f"A title\n\nTT\n\n{text}",
        metadata={"source": {"title": "A title"}},
    )


def _save(store: Store, path: str, articles: list[Article] | None, run_id: int = 1) -> None:
    store.save_source(
        "/root",
        path,
        kind="text",
        size=10,
        mtime_ns=1,
        sha256="abc",
        status="ingested",
        reason=None,
        problems=(),
        run_id=run_id,
        articles=None if articles is None else [(a, [(11, 1), (12, 1)]) for a in articles],
    )


def test_migrations_set_the_schema_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with Store.open(tmp_path / "s.db") as store:  # reopening migrates nothing
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_schema_is_a_clear_error(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SchemaError, match="newer"):
        migrate(conn)


def test_saving_a_source_replaces_its_articles(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        run = store.start_run("ingest", "/root")
        _save(store, "a.txt", [_article("a.txt", 0, "one"), _article("a.txt", 1, "two")], run)
        _save(store, "a.txt", [_article("a.txt", 0, "three")], run)
        articles = list(store.iter_articles())
        assert [a["text"] for a in articles] == ["three"]
        assert articles[0]["removed"] == [{"line": "TT", "reason": "widget"}]
        assert articles[0]["authors"] == ["Kari Holm"]


def test_a_failed_write_leaves_the_source_as_it_was(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        run = store.start_run("ingest", "/root")
        _save(store, "a.txt", [_article("a.txt", 0, "one")], run)
        duplicate = _article("a.txt", 0, "two")
        with pytest.raises(sqlite3.IntegrityError):
            _save(store, "a.txt", [duplicate, duplicate], run)
        assert [a["text"] for a in store.iter_articles()] == ["one"]


def test_missing_sources_are_marked_and_their_articles_dropped(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        run = store.start_run("ingest", "/root")
        _save(store, "a.txt", [_article("a.txt", 0, "one")], run)
        _save(store, "b.txt", [_article("b.txt", 0, "two")], run)
        assert store.mark_missing("/root", ["b.txt"], run) == ["a.txt"]
        assert [a["source"] for a in store.iter_articles()] == ["b.txt"]
        assert store.stats()["sources"] == {"ingested": 1, "missing": 1}


def test_frequent_lines_count_distinct_anchors(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        run = store.start_run("ingest", "/root")
        for n, anchor in enumerate([1, 1, 2, 3]):
            store.save_source(
                "/root",
                f"{n}.txt",
                kind="text",
                size=1,
                mtime_ns=1,
                sha256=None,
                status="ingested",
                reason=None,
                problems=(),
                run_id=run,
                articles=[(_article(f"{n}.txt", 0, f"text {n}"), [(7, anchor)])],
            )
        assert store.frequent_lines(3) == {7}
        assert store.frequent_lines(4) == frozenset()


def test_a_version_1_store_migrates_and_keeps_its_articles(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "s.db")
    migrate(conn, 1)
    conn.execute(
        "INSERT INTO sources (id, root, path, status) VALUES (1, '/r', 'a.txt', 'ingested')"
    )
    conn.execute(
        "INSERT INTO articles (id, source_id, position, title, text, authors, captions, removed, "
        "raw, metadata) VALUES ('x', 1, 0, 'T', 'Body.', '[]', '[]', '[]', 'T Body.', '{}')"
    )
    conn.commit()
    conn.close()
    with Store.open(tmp_path / "s.db") as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [a["text"] for a in store.iter_articles()] == ["Body."]


def test_fill_temp_takes_no_lock_and_joins_an_outer_transaction(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    store.conn.execute("CREATE TEMP TABLE t (x INTEGER PRIMARY KEY)")
    store.conn.execute("PRAGMA busy_timeout = 100")
    writer = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the store's write lock
    store.fill_temp("t", [(1,), (2,), (2,)], 1)
    writer.execute("ROLLBACK")
    assert store.conn.execute("SELECT x FROM t").fetchall() == [(1,), (2,)]
    assert not store.conn.in_transaction
    with pytest.raises(RuntimeError), store.transaction():
        store.fill_temp("t", [(3,)], 1)  # part of the outer one: rolled back with it
        raise RuntimeError
    assert store.conn.execute("SELECT x FROM t").fetchall() == [(1,), (2,)]
    store.close()


def test_a_version_3_store_learns_what_dedupe_has_yet_to_do(tmp_path: Path) -> None:
    from store.dedupe import DedupeStore

    conn = sqlite3.connect(tmp_path / "s.db")
    migrate(conn, 3)
    conn.execute(
        "INSERT INTO sources (id, root, path, status) VALUES (1, '/r', 'a.txt', 'ingested')"
    )
    texts = (("same", "h1"), ("edited", "h2"), ("new", "h3"), ("unhashed", None))
    for position, (article, text_hash) in enumerate(texts):
        conn.execute(
            "INSERT INTO articles (id, source_id, position, title, text, authors, captions, "
            "removed, raw, metadata, text_hash) "
            "VALUES (?, 1, ?, 'T', 'Body.', '[]', '[]', '[]', 'T Body.', '{}', ?)",
            (article, position, text_hash),
        )
    for article, text_hash in (("same", "h1"), ("edited", "old"), ("gone", "h4")):
        conn.execute(
            "INSERT INTO signatures VALUES (?, ?, x'', x'', x'00000000')", (article, text_hash)
        )
    conn.commit()
    conn.close()
    with Store.open(tmp_path / "s.db") as store:
        ds = DedupeStore(store)
        assert ds.stale() == ["edited", "gone"]
        assert ds.unsigned() == ["new", "unhashed"]  # from before text hashes, never signed


def test_a_version_5_store_keeps_its_signatures_and_lsh_rows(tmp_path: Path) -> None:
    from store.dedupe import DedupeStore

    conn = sqlite3.connect(tmp_path / "s.db")
    migrate(conn, 5)
    conn.execute(
        "INSERT INTO sources (id, root, path, status) VALUES (1, '/r', 'a.txt', 'ingested')"
    )
    for position, article in enumerate(("b", "a")):
        conn.execute(
            "INSERT INTO articles (id, source_id, position, title, text, authors, captions, "
            "removed, raw, metadata, text_hash) "
            "VALUES (?, 1, ?, 'T', 'Body.', '[]', '[]', '[]', 'T Body.', '{}', 'h')",
            (article, position),
        )
        minhash = np.array([position, 7], dtype="<u4").tobytes()
        conn.execute(
            "INSERT INTO signatures VALUES (?, 'h', ?, ?, x'00000000')", (article, minhash, minhash)
        )
    conn.executemany(
        "INSERT INTO lsh VALUES (?, ?, ?, ?)",
        [("story", 0, -9, "a"), ("story", 0, -9, "b"), ("duplicate", 0, -9, "b")],
    )
    conn.execute("DELETE FROM changed")
    conn.commit()
    conn.close()
    with Store.open(tmp_path / "s.db") as store:
        ds = DedupeStore(store)
        assert ds.candidates("story", [(0, -9)]) == {(0, -9): ["a", "b"]}
        assert ds.candidates("duplicate", [(0, -9)]) == {(0, -9): ["b"]}
        assert ds.signatures(["a"])["a"].duplicate_minhash.tolist() == [1, 7]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ds.forget(["a"], [("story", 0, -9, "a")])  # its rows are found by their new kind
        assert ds.candidates("story", [(0, -9)]) == {(0, -9): ["b"]}
        assert list(ds.signatures(["a", "b"])) == ["b"]


def test_migration_scripts_split_into_whole_statements() -> None:
    from store.schema import _statements

    script = """
    CREATE TABLE t (x); -- a comment; with a semicolon
    CREATE TRIGGER t_added AFTER INSERT ON t BEGIN
        INSERT INTO t VALUES (1);
        INSERT INTO t VALUES (2);
    END;
    """
    found = _statements(script)
    assert len(found) == 2
    assert found[1].startswith("CREATE TRIGGER") and found[1].endswith("END;")
    with pytest.raises(ValueError, match="incomplete"):
        _statements("CREATE TRIGGER t_added AFTER INSERT ON t BEGIN INSERT INTO t VALUES (1);")


def test_boilerplate_from_the_touched_lines_is_that_of_every_line(tmp_path: Path) -> None:
    import random

    from ingest.run import IngestOptions, refresh_boilerplate

    rng = random.Random(5)
    with Store.open(tmp_path / "s.db") as store:
        run = store.start_run("ingest", "/root")
        for step in range(80):
            min_anchors = 3 if step < 50 else 2  # another threshold: worked out whole
            articles = [
                (
                    _article(f"{rng.randrange(12)}.txt", position, f"text {step} {position}"),
                    [(rng.randrange(10), rng.randrange(5)) for _ in range(rng.randrange(1, 4))],
                )
                for position in range(rng.randrange(3))  # none: the file lost its articles
            ]
            path = articles[0][0].source if articles else f"{rng.randrange(12)}.txt"
            store.save_source(
                "/root", path, kind="text", size=1, mtime_ns=step, sha256=str(step),
                status="ingested", reason=None, problems=(), run_id=run,
                articles=[(replace(a, source=path), rows) for a, rows in articles],
            )
            refresh_boilerplate(store, run, IngestOptions(boilerplate_min_articles=min_anchors))
            assert store.boilerplate() == store.frequent_lines(min_anchors)
            assert store.touched_lines(min_anchors) == (frozenset(), True)  # counted, done
        assert store.boilerplate()  # some lines did become boilerplate


def test_component_of_reads_each_pair_of_the_component_once(tmp_path: Path) -> None:
    from store.dedupe import DedupeStore, Pair

    def pair(a: str, b: str) -> Pair:
        return Pair(a, b, "story", 0.1, 0.5, "lsh")

    # a-b-c-d in a chain, reached from d (each step from a pair's b to its a); e-f; g alone.
    pairs = [pair("a", "b"), pair("b", "c"), pair("c", "d"), pair("e", "f")]
    with Store.open(tmp_path / "s.db") as store:
        ds = DedupeStore(store)
        ds.add_pairs(pairs, (), run_id=1)
        assert ds.component_of(["d"]) == ({"a", "b", "c", "d"}, pairs[:3])
        assert ds.component_of(["f", "g"]) == ({"e", "f", "g"}, pairs[3:])
        assert ds.component_of([]) == (set(), [])


def test_forget_drops_the_triangle_pairs_only_the_stale_closed(tmp_path: Path) -> None:
    import random
    from itertools import combinations

    from dedupe.run import DedupeParams, forget
    from store.dedupe import DedupeStore

    rng = random.Random(5)
    ids = [f"n{i:03d}" for i in range(80)]
    pairs = {tuple(sorted(rng.sample(ids, 2))): rng.choice(["lsh", "lsh", "triangle"])
             for _ in range(1200)}
    stale = rng.sample(ids, 5)
    lsh = {i: set() for i in ids}
    for (a, b), via in pairs.items():
        if via == "lsh" and a not in stale and b not in stale:
            lsh[a].add(b)
            lsh[b].add(a)
    # The rule, pair by pair: a triangle pair between two LSH neighbours of a stale article
    # goes when its ends share no LSH neighbour once the stale are gone.
    orphans = set()
    for s in stale:
        around = sorted({x for p, via in pairs.items() if via == "lsh" and s in p for x in p} - {s})
        orphans |= {
            (b, c)
            for b, c in combinations(around, 2)
            if pairs.get((b, c)) == "triangle" and not lsh[b] & lsh[c]
        }
    with Store.open(tmp_path / "s.db") as store:
        with store.transaction() as db:
            db.executemany(
                "INSERT INTO pairs VALUES (?, ?, 'story', 0.1, 0.5, ?, 1)",
                [(a, b, via) for (a, b), via in sorted(pairs.items())],
            )
        forget(DedupeStore(store), stale, DedupeParams())
        left = set(store.conn.execute("SELECT a, b FROM pairs"))
    expected = {p for p in pairs if not set(p) & set(stale)} - orphans
    assert orphans and left == expected
