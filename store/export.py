"""Rows out of the store as JSON Lines, CSV or Parquet (pyarrow is imported only here)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from store.dedupe import DedupeStore
from store.store import Store

FORMATS = ("jsonl", "csv", "parquet")

# The columns of each export and their Parquet types, so that every export has the same
# header and schema, an empty one included. "json" columns are JSON text in Parquet.
COLUMNS: dict[str, dict[str, str]] = {
    "articles": {
        "id": "string", "source": "string", "position": "int64", "title": "string",
        "text": "string", "authors": "list<string>", "date": "string", "site": "string",
        "url": "string", "captions": "list<string>", "removed": "list<line, reason>",
        "metadata": "json",
    },
    "clusters": {"kind": "string", "id": "string", "canonical": "string",
                 "members": "list<string>"},
    "pairs": {"a": "string", "b": "string", "kind": "string", "score": "float64",
              "duplicate_score": "float64", "story_score": "float64"},
}  # fmt: skip


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


def write(
    rows: Iterable[dict[str, Any]],
    columns: dict[str, str],
    fmt: str,
    out: IO[str],
    path: Path | None,
) -> int:
    """Write rows (of `COLUMNS` `columns`) in a format; Parquet needs a file path.
    Returns the number of rows."""
    if fmt == "jsonl":
        count = 0
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    if fmt == "csv":
        return _write_csv(rows, list(columns), out)
    if fmt == "parquet":
        if path is None:
            raise ExportError(PARQUET_NEEDS_A_FILE)
        return _write_parquet(rows, columns, path)
    raise ExportError(f"unknown format {fmt!r}: pick one of {', '.join(FORMATS)}")


def _write_csv(rows: Iterable[dict[str, Any]], columns: list[str], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v
                for k, v in row.items()
            }
        )
        count += 1
    return count


PARQUET_ROWS = 10_000  # rows per row group: memory holds one group, not the export


def _write_parquet(rows: Iterable[dict[str, Any]], columns: dict[str, str], path: Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:
        raise ExportError(
            "Parquet export needs pyarrow: pip install 'newsdedup[parquet]'"
        ) from error
    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "float64": pa.float64(),
        "list<string>": pa.list_(pa.string()),
        "list<line, reason>": pa.list_(pa.struct([("line", pa.string()), ("reason", pa.string())])),
        "json": pa.string(),
    }
    schema = pa.schema([(name, types[kind]) for name, kind in columns.items()])
    # Nested metadata varies from row to row: keep it as JSON text.
    json_columns = [name for name, kind in columns.items() if kind == "json"]
    count, rows = 0, iter(rows)
    with pq.ParquetWriter(path, schema) as writer:
        while group := list(islice(rows, PARQUET_ROWS)):
            for row in group:
                for name in json_columns:
                    row[name] = json.dumps(row[name], ensure_ascii=False)
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
            count += len(group)
    return count
