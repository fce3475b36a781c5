"""Rows out of the store as JSON Lines, CSV or Parquet (pyarrow is imported only here)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from store.dedupe import DedupeStore
from store.store import Store

FORMATS = ("jsonl", "csv", "parquet")


class ExportError(Exception):
    """An export cannot be written as asked; the message says what to try."""


def article_rows(store: Store, since_run: int | None = None) -> Iterator[dict[str, Any]]:
    yield from store.iter_articles(since_run)


def cluster_rows(store: Store, since_run: int | None = None) -> Iterator[dict[str, Any]]:
    for c in DedupeStore(store).iter_clusters(since_run):
        yield {"kind": c.kind, "id": c.id, "canonical": c.canonical, "members": c.members}


def pair_rows(store: Store, since_run: int | None = None) -> Iterator[dict[str, Any]]:
    for p in DedupeStore(store).iter_pairs(since_run):
        yield {
            "a": p.a,
            "b": p.b,
            "kind": p.kind,
            "score": round(p.score, 6),
            "duplicate_score": round(p.duplicate_score, 6),
            "story_score": round(p.story_score, 6),
        }


PARQUET_NEEDS_A_FILE = "Parquet is binary: name a file with --output PATH"


def write(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str], path: Path | None) -> int:
    """Write rows in a format; Parquet needs a file path. Returns the number of rows."""
    if fmt == "jsonl":
        count = 0
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt == "csv":
        return _write_csv(rows, out)
    if fmt == "parquet":
        if path is None:
            raise ExportError(PARQUET_NEEDS_A_FILE)
        return _write_parquet(list(rows), path)
    raise ExportError(f"unknown format {fmt!r}: pick one of {', '.join(FORMATS)}")


def _write_csv(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for row in rows:
        flat = {
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
            for k, v in row.items()
        }
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(flat))
            writer.writeheader()
        writer.writerow(flat)
        count += 1
    return count


def _write_parquet(rows: list[dict[str, Any]], path: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'newsdedup[parquet]'"
        ) from error
    # Nested metadata varies from row to row: keep it as JSON text.
    table = pa.Table.from_pylist(
        [
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v
                for k, v in row.items()
            }
            for row in rows
        ]
    )
    pq.write_table(table, path)
    return len(rows)
