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
)

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaError(Exception):
    """The database was written by a newer newsdedup."""


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database up to SCHEMA_VERSION; returns the version it had."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaError(
            f"the store has schema version {version}, newer than this newsdedup knows "
            f"({SCHEMA_VERSION}); upgrade newsdedup or use another --db"
        )
    for number in range(version, SCHEMA_VERSION):
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
    """Split a migration into statements (none of ours holds a ';' inside a string)."""
    parts = []
    for chunk in script.split(";"):
        code = "\n".join(
            line for line in chunk.splitlines() if not line.strip().startswith("--")
        ).strip()
        if code:
            parts.append(code)
    return parts
