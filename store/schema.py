"""The store's schema, as an ordered list of migrations.

`PRAGMA user_version` holds how many migrations a database has had. A migration
is applied in the same transaction that bumps the version, so a database is
never left half-migrated.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: tuple[str, ...] = (
    # 1: sources, articles, runs, corpus line counts
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        root TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        summary TEXT
    );
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        root TEXT NOT NULL,
        path TEXT NOT NULL,
        kind TEXT,
        size INTEGER,
        mtime_ns INTEGER,
        sha256 TEXT,
        status TEXT NOT NULL CHECK (status IN ('ingested', 'skipped', 'failed', 'missing')),
        reason TEXT,
        problems TEXT NOT NULL DEFAULT '[]',
        first_run INTEGER REFERENCES runs(id),
        last_run INTEGER REFERENCES runs(id),
        UNIQUE (root, path)
    );
    CREATE TABLE articles (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        authors TEXT NOT NULL,
        date TEXT,
        site TEXT,
        url TEXT,
        captions TEXT NOT NULL,
        removed TEXT NOT NULL,
        raw TEXT NOT NULL,
        metadata TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        UNIQUE (source_id, position)
    );
    -- Corpus line counts (CCNet): which articles hold a short line, and each
    -- article's anchor (its longest line), so syndicated copies count once.
    CREATE TABLE line_seen (
        line_key INTEGER NOT NULL,
        anchor INTEGER NOT NULL,
        article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
        PRIMARY KEY (line_key, article)
    ) WITHOUT ROWID;
    CREATE INDEX line_seen_article ON line_seen(article);
    -- The boilerplate lines the stored articles were last cleaned with.
    CREATE TABLE boilerplate (line_key INTEGER PRIMARY KEY);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: dedupe: signatures, LSH bands, verified pairs, clusters
    """
    -- What the text was when it was signed: a re-cleaned article is signed again.
    ALTER TABLE articles ADD COLUMN text_hash TEXT;
    CREATE TABLE signatures (
        article TEXT PRIMARY KEY,
        text_hash TEXT NOT NULL,
        duplicate_minhash BLOB NOT NULL,
        story_minhash BLOB NOT NULL,
        story_terms BLOB NOT NULL  -- see store.dedupe.pack_terms
    ) WITHOUT ROWID;
    -- One row per article and LSH band: articles sharing a (kind, band, key) are candidates.
    CREATE TABLE lsh (
        kind TEXT NOT NULL,
        band INTEGER NOT NULL,
        key INTEGER NOT NULL,
        article TEXT NOT NULL,
        PRIMARY KEY (kind, band, key, article)
    ) WITHOUT ROWID;
    -- Verified pairs, a < b; kind is what they were flagged as; via is how they were
    -- found: 'lsh' (a shared band) or 'triangle' (a shared neighbour found by LSH).
    CREATE TABLE pairs (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('duplicate', 'story')),
        duplicate_score REAL NOT NULL,
        story_score REAL NOT NULL,
        via TEXT NOT NULL CHECK (via IN ('lsh', 'triangle')),
        run_id INTEGER,
        PRIMARY KEY (a, b)
    ) WITHOUT ROWID;
    CREATE INDEX pairs_b ON pairs(b);
    CREATE TABLE clusters (
        kind TEXT NOT NULL CHECK (kind IN ('duplicate', 'story')),
        article TEXT NOT NULL,
        cluster TEXT NOT NULL,
        canonical TEXT NOT NULL,
        run_id INTEGER,
        PRIMARY KEY (kind, article)
    ) WITHOUT ROWID;
    CREATE INDEX clusters_cluster ON clusters(cluster);
    -- Articles whose clusters must be worked out again (crash-safe hand-over between steps).
    CREATE TABLE dirty (article TEXT PRIMARY KEY) WITHOUT ROWID;
    """,
    # 3: line_seen with its key columns first. SQLite 3.40.0 to 3.41.0 report "NULL value
    # in line_seen.anchor" from PRAGMA integrity_check on a WITHOUT ROWID table whose
    # primary key columns are not declared first (a false alarm, but a check must pass).
    """
    CREATE TABLE line_seen_new (
        line_key INTEGER NOT NULL,
        article INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
        anchor INTEGER NOT NULL,
        PRIMARY KEY (line_key, article)
    ) WITHOUT ROWID;
    INSERT INTO line_seen_new (line_key, article, anchor)
        SELECT line_key, article, anchor FROM line_seen;
    DROP TABLE line_seen;
    ALTER TABLE line_seen_new RENAME TO line_seen;
    CREATE INDEX line_seen_article ON line_seen(article);
    """,
    # 4: the articles dedupe has yet to look at: added, removed, or with another text
    # since it last did, kept by triggers, so that a run finds them without reading every
    # article (whose text_hash lies past the text in each row).
    """
    CREATE TABLE changed (article TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TRIGGER articles_added AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO changed VALUES (new.id);
    END;
    CREATE TRIGGER articles_removed AFTER DELETE ON articles BEGIN
        INSERT OR IGNORE INTO changed VALUES (old.id);
    END;
    CREATE TRIGGER articles_edited AFTER UPDATE OF id, text_hash ON articles BEGIN
        INSERT OR IGNORE INTO changed VALUES (old.id);
        INSERT OR IGNORE INTO changed VALUES (new.id);
    END;
    INSERT OR IGNORE INTO changed
        SELECT a.id FROM articles a LEFT JOIN signatures s ON s.article = a.id
        WHERE s.article IS NULL OR s.text_hash IS NOT a.text_hash;
    INSERT OR IGNORE INTO changed
        SELECT s.article FROM signatures s LEFT JOIN articles a ON a.id = s.article
        WHERE a.id IS NULL;
    """,
    # 5: the line keys whose counts changed since corpus boilerplate was last worked out,
    # so that working it out again reads their counts, not every line of the corpus. A
    # store without the `boilerplate_min_anchors` meta key works it out whole, once.
    """
    CREATE TABLE lines_touched (line_key INTEGER PRIMARY KEY);
    CREATE TRIGGER line_seen_added AFTER INSERT ON line_seen BEGIN
        INSERT OR IGNORE INTO lines_touched VALUES (new.line_key);
    END;
    CREATE TRIGGER line_seen_removed AFTER DELETE ON line_seen BEGIN
        INSERT OR IGNORE INTO lines_touched VALUES (old.line_key);
    END;
    """,
    # 6: smaller, faster dedupe rows. Signatures (over a kilobyte each) move to a rowid
    # table: SQLite packs a WITHOUT ROWID table's rows into its key pages, which suits
    # small rows only. LSH rows name their kind by a number (0 duplicate, 1 story), which
    # SQLite stores in no bytes, instead of a word in every row.
    """
    CREATE TABLE signatures_new (
        article TEXT NOT NULL UNIQUE,
        text_hash TEXT NOT NULL,
        duplicate_minhash BLOB NOT NULL,
        story_minhash BLOB NOT NULL,
        story_terms BLOB NOT NULL
    );
    INSERT INTO signatures_new
        (article, text_hash, duplicate_minhash, story_minhash, story_terms)
        SELECT article, text_hash, duplicate_minhash, story_minhash, story_terms
        FROM signatures ORDER BY article;
    DROP TABLE signatures;
    ALTER TABLE signatures_new RENAME TO signatures;
    CREATE TABLE lsh_new (
        kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
        band INTEGER NOT NULL,
        key INTEGER NOT NULL,
        article TEXT NOT NULL,
        PRIMARY KEY (kind, band, key, article)
    ) WITHOUT ROWID;
    INSERT INTO lsh_new (kind, band, key, article)
        SELECT CASE kind WHEN 'duplicate' THEN 0 WHEN 'story' THEN 1 END, band, key, article
        FROM lsh ORDER BY 1, 2, 3, 4;
    DROP TABLE lsh;
    ALTER TABLE lsh_new RENAME TO lsh;
    """,
    # 7: sources by path alone, for files found under a new root that were stored under
    # another (a moved folder, or a copy of one).
    """
    CREATE INDEX sources_path ON sources(path);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(Exception):
    """The database was written by a newer newsdedup."""


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the database up to version `target` (SCHEMA_VERSION; an older one makes the
    stores of earlier newsdedups, for tests); returns the version it had."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"the store has schema version {version}, newer than this newsdedup knows "
            f"({SCHEMA_VERSION}); upgrade newsdedup or use another --db"
        )
    for number in range(version, target):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the write lock: another process may have migrated meanwhile.
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current == number:
                for statement in _statements(MIGRATIONS[number]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return version


def _statements(script: str) -> list[str]:
    """Split a migration into statements: comments dropped, then split at each ';' that
    ends a whole statement (a trigger's body holds statements of its own)."""
    code = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    statements, pending = [], ""
    for piece in code.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        raise ValueError(f"a migration ends in an incomplete statement: {pending.strip()!r}")
    return [statement for statement in statements if statement.strip(" \n;")]
