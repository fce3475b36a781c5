"""Dask engine scaling: one dedupe of N unsigned articles on 1 and on 2 local workers.

Run from the repository root::

    .venv/bin/python -m bench.dask_scaling [--size 100000] [--workers 1 2] [--local]

The articles are bench.speed's synthetic corpus (~3 KB, Zipf vocabulary, planted copies
and same-event reports), inserted unsigned into a fresh store once (cached under
bench/out/); each timed run works on a copy. Timed: `dedupe_dask` on a LocalCluster of
the given number of single-threaded worker processes, the cluster's start apart; with
`--local`, the local engine on the same store, and a check that both give the same pairs
and clusters. Printed: a table of wall time, articles/s and speed-up, and what crosses the
network per article (the rows each stage sends, counted in the run).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import dask

from bench.speed import OUT, copy_store, corpus, insert_articles
from dedupe.dask_engine import dask_client, dedupe_dask
from dedupe.run import DedupeParams, dedupe
from store.dedupe import DedupeStore
from store.store import Store

BATCH = 10_000  # articles inserted per transaction while building the store
TRANSFER_LOG = 10_000_000  # transfers a worker keeps in its log (dask keeps 1,000)
STAGES = ("sign", "match", "close", "write", "cluster")  # the engine's stages, as logged


@dataclass(frozen=True)
class Timing:
    engine: str
    workers: int
    startup: float  # seconds to start the cluster
    seconds: float  # the dedupe run, cluster up
    pairs: int
    sent: dict[str, int]  # rows each stage sends to the workers, or back
    stages: dict[str, float]  # seconds of each stage (STAGES)
    between_workers: int = 0  # bytes the workers fetched from one another


def unsigned_store(size: int) -> Path:
    """A store of `size` synthetic articles, none signed yet (built once, then reused)."""
    path = OUT / f"unsigned-{size}.db"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    with Store.open(building) as store:
        run_id = store.start_run("bench-build", "synthetic")
        for first in range(0, size, BATCH):
            insert_articles(store, list(corpus(first, min(size, first + BATCH))), run_id, "s")
        store.finish_run(run_id, "done", {})
    copy_store(building, path)
    for leftover in OUT.glob(building.name + "*"):
        leftover.unlink()
    return path


def _results(db: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with Store.open(db) as store:
        ds = DedupeStore(store)
        pairs = [
            (p.a, p.b, p.kind, p.duplicate_score, p.story_score, p.via) for p in ds.iter_pairs()
        ]
        clusters = [(c.kind, c.id, c.canonical, tuple(c.members)) for c in ds.iter_clusters()]
    return pairs, clusters


class _Counts(logging.Handler):
    """Collects the engine's row counts (logged at INFO as 'rows NAME: N')."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.rows: dict[str, int] = {}
        self.stages: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg not in ("rows %s: %d", "stage %s: %.1f s"):
            return
        name, value = cast(tuple[str, Any], record.args)
        if record.msg == "rows %s: %d":
            self.rows[name] = self.rows.get(name, 0) + int(value)
        else:
            self.stages[name] = float(value)


def time_dask(base: Path, work: Path, workers: int) -> Timing:
    db = work / f"dask-{workers}.db"
    copy_store(base, db)
    counts = _Counts()
    engine_log = logging.getLogger("dedupe.dask_engine")
    level = engine_log.level
    engine_log.setLevel(logging.INFO)
    engine_log.addHandler(counts)
    began = time.perf_counter()
    try:
        # Workers log every transfer they receive; keep all of them to add them up.
        with (
            dask.config.set({"distributed.admin.low-level-log-length": TRANSFER_LOG}),
            dask_client(workers=workers) as client,
            Store.open(db) as store,
        ):
            up = time.perf_counter()
            run_id = store.start_run("bench-dask", None)
            summary = dedupe_dask(store, run_id, DedupeParams(), client)
            done = time.perf_counter()
            moved = sum(client.run(_bytes_received).values())
    finally:
        engine_log.removeHandler(counts)
        engine_log.setLevel(level)
    pairs = sum(summary.pairs.values())
    return Timing("dask", workers, up - began, done - up, pairs, counts.rows, counts.stages, moved)


def _bytes_received(dask_worker: Any) -> int:
    """Bytes a worker fetched from other workers (run on each worker)."""
    return sum(int(entry["total"]) for entry in dask_worker.transfer_incoming_log)


def time_local(base: Path, work: Path) -> Timing:
    db = work / "local.db"
    copy_store(base, db)
    with Store.open(db) as store:
        began = time.perf_counter()
        summary = dedupe(store, store.start_run("bench-local", None), DedupeParams())
        seconds = time.perf_counter() - began
    return Timing("local", 1, 0.0, seconds, sum(summary.pairs.values()), {}, {})


def table(size: int, timings: Sequence[Timing]) -> list[str]:
    one = next((t.seconds for t in timings if t.engine == "dask" and t.workers == 1), None)
    lines = [
        f"Dask engine, {size:,} synthetic ~3 KB articles, one dedupe from unsigned "
        f"({os.cpu_count()} cores; load average at the end "
        f"{os.getloadavg()[0]:.1f})",
        "",
        "| engine | workers | cluster start s | dedupe s | sign s | match s | close s "
        "| write s | cluster s | articles/s | speed-up vs 1 worker | pairs "
        "| KB between workers per article |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in timings:
        speedup = f"{one / t.seconds:.2f}" if one and t.engine == "dask" else ""
        stages = " | ".join(f"{t.stages[s]:.1f}" if s in t.stages else "" for s in STAGES)
        lines.append(
            f"| {t.engine} | {t.workers} | {t.startup:.1f} | {t.seconds:.1f} | {stages} | "
            f"{size / t.seconds:,.0f} | {speedup} | {t.pairs:,} "
            f"| {t.between_workers / size / 1000:.1f} |"
        )
    sent = next((t.sent for t in timings if t.sent), {})
    if sent:
        lines += ["", "Rows sent per article:", ""]
        lines += [f"- {name}: {count / size:.1f}" for name, count in sorted(sent.items())]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--local", action="store_true", help="time the local engine too")
    args = parser.parse_args(argv)
    base = unsigned_store(args.size)
    work = OUT / "dask-work"
    work.mkdir(parents=True, exist_ok=True)
    timings = [time_dask(base, work, w) for w in args.workers]
    if args.local:
        timings.append(time_local(base, work))
        same = {
            _results(work / f"dask-{w}.db") == _results(work / "local.db") for w in args.workers
        }
        print(f"dask and local results identical: {same == {True}}", file=sys.stderr)
    print("\n".join(table(args.size, timings)))
    print(f"median dedupe s: {statistics.median(t.seconds for t in timings):.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
