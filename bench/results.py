"""Every benchmark in one run, written up: bench/RESULTS.md and bench/results.png.

Run from the repository root (``make bench`` does, with SIZES and the rest)::

    .venv/bin/python -m bench.results [--sizes 10000 100000] [--peer-sizes 10000]
        [--tools newsdedup,text-dedup,datasketch] [--limit datatrove=10000] [--no-quality]

In order, each stage timed and written up even when another one failed:

1. quality: bench.cleaning (ScrapingHub extraction F1), bench.stories (ECB+ story
   clusters), bench.duplicates (planted copies of real articles), and the seeds check:
   `newsdedup run` on ../shared/seeds gives 3 articles, and the AP and Reuters reports
   of Russian troops near Qusair/Qusayr share a story cluster that the Egypt-NATO
   article is not in;
2. speed (bench.speed) at every size N: signing throughput on one core for ~3 KB
   articles, and an incremental run of `--new` new article files into a store of N
   (ingest + dedupe, peak RSS of the process);
3. peers (bench.peers) at every peer size: newsdedup's whole run beside datatrove,
   text-dedup and plain datasketch on the same synthetic corpus, at the same settings,
   timed from outside, scored against the gold pairs.

Then RESULTS.md (machine, date, package versions, tables, the targets and whether they
are met) and results.png (time and peak memory against corpus size). Stores and corpora
are cached under bench/out/ (git-ignored), so a second run with the same sizes only
measures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shlex
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.peers import PeerResult, Score

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH = REPO_ROOT / "bench"
OUT = BENCH / "out"
SHARED = REPO_ROOT.parent / "shared"
DEFAULT_SIZES = (10_000, 100_000)
PEER_SEED = 7
QUALITY = ("cleaning", "stories", "duplicates")
# Issue 3 and 5 targets.
SIGN_TARGET = 3_000  # articles/s on one core, ~3 KB articles
INCREMENTAL_TARGET_S = 15.0  # 1,000 new articles into a 1,000,000-article store
INCREMENTAL_TARGET_MB = 2_048.0
INCREMENTAL_TARGET_SIZE = 1_000_000
PEER_TARGET_RATIO = 3.0  # ours at least this many times faster than each peer at 100k
PEER_TARGET_SIZE = 100_000
SEED_TITLES = {  # the seeds' three articles, by a part of their titles
    "ap": "Tensions flare",
    "reuters": "Qusayr",
    "egypt": "Egypt-NATO",
}
PACKAGES = ("newsdedup", "datasketch", "numpy", "trafilatura", "wordfreq", "lxml", "click",
            "matplotlib")


# --- a stage of the run -------------------------------------------------------------------


@dataclass
class Stage:
    title: str
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def staged(title: str, work: Callable[[], list[str]]) -> Stage:
    """Run one stage; a failure is written up with its message, not raised."""
    print(f"== {title}", file=sys.stderr)
    started = time.perf_counter()
    stage = Stage(title)
    try:
        stage.lines = work()
    except Exception as error:  # a stage that breaks must not lose the others' results
        stage.error = f"{type(error).__name__}: {error}"
        print(f"   failed: {stage.error}", file=sys.stderr)
    stage.seconds = time.perf_counter() - started
    print(f"   {stage.seconds:,.0f} s", file=sys.stderr)
    return stage


def bench_module(name: str, args: Sequence[str] = ()) -> list[str]:
    """`python -m bench.NAME args`: its stdout (markdown) as lines."""
    cmd = [sys.executable, "-m", f"bench.{name}", *args]
    done = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-10:])
        raise RuntimeError(f"`{shlex.join(cmd[1:])}` exited with {done.returncode}: {tail}")
    return [f"`python {shlex.join(cmd[1:])}`:", "", *done.stdout.rstrip().splitlines()]


# --- the seeds check ----------------------------------------------------------------------


@dataclass(frozen=True)
class SeedsCheck:
    titles: list[str]
    ap_with_reuters: bool
    egypt_apart: bool

    @property
    def ok(self) -> bool:
        return len(self.titles) == 3 and self.ap_with_reuters and self.egypt_apart


def seeds_check(seeds: Path, work: Path) -> SeedsCheck:
    """`newsdedup run` on the seed files; their articles and story clusters."""
    db = work / "seeds.db"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    cli = str(Path(sys.executable).with_name("newsdedup"))

    def run(*args: str) -> str:
        done = subprocess.run([cli, *args, "--db", str(db)], capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise RuntimeError(f"newsdedup {args[0]} exited with {done.returncode}: "
                               f"{done.stderr.strip()[-500:]}")
        return done.stdout

    run("run", str(seeds), "-q")
    articles = [json.loads(line) for line in run("export", "articles").splitlines() if line]
    clusters = [json.loads(line) for line in run("export", "clusters").splitlines() if line]
    by_role = {role: {a["id"] for a in articles if part in (a.get("title") or "")}
               for role, part in SEED_TITLES.items()}
    stories = [set(c["members"]) for c in clusters if c.get("kind") == "story"]
    joined = [s for s in stories if by_role["ap"] and by_role["reuters"]
              and by_role["ap"] | by_role["reuters"] <= s]
    return SeedsCheck(
        [a.get("title") or "" for a in articles],
        bool(joined),
        bool(joined) and not any(by_role["egypt"] & s for s in joined),
    )


def seeds_stage() -> list[str]:
    seeds = SHARED / "seeds"
    if not seeds.exists():
        raise RuntimeError(f"{seeds} is absent: shared data lives beside the repository")
    with tempfile.TemporaryDirectory(prefix="bench-seeds-", dir=OUT) as tmp:
        return seeds_lines(seeds_check(seeds, Path(tmp)))


def seeds_lines(check: SeedsCheck) -> list[str]:
    return [
        "`newsdedup run ../shared/seeds` (two files: the AP and Reuters reports of Russian "
        "troops near Qusair/Qusayr, and an unrelated Egypt-NATO piece):",
        "",
        "| check | result |",
        "|---|---|",
        f"| articles found (want 3) | {len(check.titles)}: "
        + "; ".join(t.replace("|", "/") for t in check.titles) + " |",
        f"| AP and Reuters in one story cluster | {_yes(check.ap_with_reuters)} |",
        f"| Egypt-NATO outside it | {_yes(check.egypt_apart)} |",
    ]


def _yes(value: bool) -> str:
    return "yes" if value else "**no**"


# --- speed --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpeedResults:
    sign: object | None  # bench.speed.SignSpeed
    runs: dict[int, list[object]]  # size -> bench.speed.RunSpeed of each repeat
    build_seconds: dict[int, float | None]


def speed_stage(size: int, new: int, repeats: int, sign_count: int,
                sink: dict[str, object]) -> list[str]:
    """Incremental runs into the store of `size` (and, the first time, the signing speed);
    the results go to `sink["speed"]`, written up by `speed_lines`."""
    from bench import speed

    previous = sink.get("speed")
    results = previous if isinstance(previous, SpeedResults) else SpeedResults(None, {}, {})
    cached = speed._cache_path(size, speed.SEED).exists()
    with tempfile.TemporaryDirectory(prefix="bench-results-", dir=OUT) as tmp:
        work = Path(tmp) / "store.db"
        base = speed.cached_store(size)
        results.build_seconds[size] = speed.build_seconds(size)
        if results.sign is None:
            results = SpeedResults(speed.sign_speed(base, work, count=sign_count,
                                                    repeats=repeats),
                                   results.runs, results.build_seconds)
            sink["speed"] = results
        runs = []
        for _ in range(repeats):
            runs.append(speed.incremental_run(base, size, new, work))
            results.runs[size] = runs
            sink["speed"] = results
    built = results.build_seconds[size]
    return [f"Store of {size:,} articles: {'cached from an earlier run' if cached else 'built now'}"
            f" ({base.stat().st_size / 2**20:,.0f} MB; built in {_maybe(built, ',.0f')} s, "
            "signing, matching and clustering a batch of 1,000 at a time)."]


def speed_lines(results: SpeedResults, new: int, repeats: int) -> list[str]:
    from bench import speed

    lines: list[str] = []
    sign = results.sign
    if sign is not None:
        lines += [
            f"Signing {sign.articles:,} new articles of {speed.SPEED_CHARS[0]:,}-"  # type: ignore[attr-defined]
            f"{speed.SPEED_CHARS[1]:,} characters into a store of {min(results.runs or [0]):,},"
            f" a batch of {speed.BUILD_BATCH:,} at a time, one core (median of {repeats}):",
            "",
            "| step | articles/s (wall) | articles/s (CPU) |",
            "|---|---:|---:|",
            f"| `dedupe.run.sign`: both signatures + SQLite rows and LSH bands "
            f"| {sign.sign_per_s:,.0f} | {sign.sign_cpu_per_s:,.0f} |",  # type: ignore[attr-defined]
            f"| `dedupe.signature.signature_batch` alone | {sign.signatures_per_s:,.0f} | |",  # type: ignore[attr-defined]
            "",
        ]
    lines += [
        f"An incremental run: {new:,} new article files (~3 KB each) into a store of N "
        f"signed, matched and clustered articles; ingest (read, clean, store) then dedupe "
        f"(sign, match, verify, recluster), in a child process (median of {repeats}; peak "
        f"RSS: the largest of the repeats).",
        "",
        "| N | ingest s | dedupe s | dedupe CPU s | total s | peak RSS MB | LSH candidates / "
        "new article | pairs added (dup / story) | articles reclustered | store built in s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sorted(results.runs):
        runs = results.runs[size]
        mid = _median_run(runs)
        ingest = statistics.median(r.ingest_s for r in runs)  # type: ignore[attr-defined]
        lines.append(
            f"| {size:,} | {ingest:.1f} | {mid.dedupe_s:.1f} | {mid.dedupe_cpu_s:.1f} "
            f"| {ingest + mid.dedupe_s:.1f} | {max(r.peak_rss_mb for r in runs):,.0f} "
            f"| {mid.candidates_per_article:,.0f} "
            f"| {mid.pairs['duplicate']:,} / {mid.pairs['story']:,} | {mid.component:,} "
            f"| {_maybe(results.build_seconds.get(size), ',.0f')} |"
        )
    return [*lines, "", *_growth(results.runs)]


def _median_run(runs: Sequence[object]) -> object:
    ordered = sorted(runs, key=lambda r: r.dedupe_s)  # type: ignore[attr-defined]
    return ordered[len(ordered) // 2]


def _growth(runs: Mapping[int, Sequence[object]]) -> list[str]:
    """How the incremental run's cost grows between consecutive sizes."""
    sizes = sorted(runs)
    out = []
    for small, big in itertools.pairwise(sizes):
        a, b = _median_run(runs[small]), _median_run(runs[big])
        time_ratio = (b.ingest_s + b.dedupe_s) / (a.ingest_s + a.dedupe_s)
        rss_ratio = max(r.peak_rss_mb for r in runs[big]) / max(r.peak_rss_mb for r in runs[small])
        out.append(f"From {small:,} to {big:,} articles ({big / small:.0f}x): the run takes "
                   f"{time_ratio:.2f}x as long, peak RSS {rss_ratio:.2f}x.")
    return out


# --- peers --------------------------------------------------------------------------------


def peer_corpus(size: int) -> tuple[Path, Path]:
    from bench import peers

    corpus = OUT / f"peers-{size}-seed{PEER_SEED}.jsonl"
    gold = peers.gold_path_for(corpus)
    if not (corpus.exists() and gold.exists()):
        records, groups = peers.make_corpus(size, PEER_SEED)
        peers.write_corpus(records, groups, corpus)
    return corpus, gold


def peers_note(repeat: int) -> list[str]:
    from bench import peers

    settings = peers.Settings()
    bands, rows = settings.bands()
    return [
        f"Synthetic corpora (`bench.peers.make_corpus`, seed {PEER_SEED}: word-frequency "
        f"English, near-copies and near-misses); every tool at threshold "
        f"{settings.threshold:g}, {settings.ngram}-word shingles, {settings.num_perm} "
        f"permutations, MinHash peers at LSH {bands} x {rows}, {settings.workers} workers where "
        f"a tool has them; newsdedup does its whole job (ingest, clean, sign, verify, "
        f"duplicate and story clusters), newsdedup-duplicates the same with `--no-stories` "
        f"(duplicates alone, as the peers). Fastest of {repeat} run(s). Settings and their "
        f"reasons: bench/peers/README.md.",
    ]


def peers_stage(size: int, tools: Sequence[str], limits: Mapping[str, int], repeat: int,
                sink: dict[str, object]) -> list[str]:
    """Every tool (within its size limit) on the corpus of `size`; a tool that fails is
    written up and the others still run."""
    from bench import peers

    settings = peers.Settings()
    found, scores = sink.setdefault("peers", ({}, {}))  # type: ignore[misc]
    corpus, gold_path = peer_corpus(size)
    chosen = [t for t in tools if size <= limits.get(t, size)]
    runs, failed = [], []
    with tempfile.TemporaryDirectory(prefix="bench-peers-", dir=OUT) as tmp:
        for _ in range(repeat):
            for tool in chosen:
                try:
                    runs.append(peers.run_peer(tool, corpus, Path(tmp), settings))
                except peers.PeerError as error:
                    failed.append(f"{tool}: {error}".splitlines()[0])
    best = peers.fastest(runs)
    gold = {str(k): str(v) for k, v in json.loads(gold_path.read_text()).items()}
    near = peers.reachable_pairs(peers.read_texts(corpus), gold, settings.threshold,
                                 settings.ngram)
    found[size] = best
    scores[size] = {r.tool: peers.pair_score(r.clusters, gold, near) for r in best}
    skipped = [t for t in tools if t not in chosen]
    lines = [f"{size:,} documents ({corpus.stat().st_size / 2**20:.1f} MB)"
             + (f"; not run at this size (PEER_LIMITS): {', '.join(skipped)}" if skipped else "")
             + ":", "", *peers.table(best, scores[size], settings.threshold)]
    if failed:
        lines += ["", *(f"- failed: {f}" for f in failed)]
    return lines


# --- profile ------------------------------------------------------------------------------


def profile_stage(size: int) -> list[str]:
    """py-spy over `newsdedup run` on the peers' corpus of `size` documents."""
    from bench import peers
    from bench.profile import record, tables

    corpus, _ = peer_corpus(size)
    with tempfile.TemporaryDirectory(prefix="bench-profile-", dir=OUT) as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        (folder / corpus.name).write_bytes(corpus.read_bytes())
        extra = ["--duplicate-threshold", str(peers.Settings().threshold), "--max-bytes",
                 str(max(peers.NEWSDEDUP_MAX_BYTES, corpus.stat().st_size + 1)), "-q"]
        profile = record(folder, Path(tmp) / "news.db", extra)
    return [f"`newsdedup run` on the {size:,}-document peer corpus (settings as below), "
            "its own process and the workers that clean, sampled by py-spy at 50 Hz "
            "(`python -m bench.profile`):", "",
            *tables(profile, 12)]


# --- targets ------------------------------------------------------------------------------


def targets(sink: Mapping[str, object]) -> list[str]:
    rows = ["| target | measured | met |", "|---|---|---|"]
    speed = sink.get("speed")
    if isinstance(speed, SpeedResults) and speed.sign is not None:
        rate = speed.sign.sign_per_s  # type: ignore[attr-defined]
        rows.append(f"| signatures + indexing >= {SIGN_TARGET:,} articles/s, one core, ~3 KB "
                    f"(issue 3) | {rate:,.0f}/s | {_yes(rate >= SIGN_TARGET)} |")
    if isinstance(speed, SpeedResults) and speed.runs:
        biggest = max(speed.runs)
        mid = _median_run(speed.runs[biggest])
        # As in the table: the median ingest plus the median dedupe.
        total = statistics.median(r.ingest_s for r in speed.runs[biggest]) + mid.dedupe_s
        peak = max(r.peak_rss_mb for r in speed.runs[biggest])
        met = (biggest >= INCREMENTAL_TARGET_SIZE and total <= INCREMENTAL_TARGET_S
               and peak <= INCREMENTAL_TARGET_MB)
        note = "" if biggest >= INCREMENTAL_TARGET_SIZE else (
            f" (largest store measured: {biggest:,}; {INCREMENTAL_TARGET_SIZE:,} not built)")
        rows.append(
            f"| 1,000 new articles into {INCREMENTAL_TARGET_SIZE:,}: <= "
            f"{INCREMENTAL_TARGET_S:g} s and <= {INCREMENTAL_TARGET_MB / 1024:g} GB peak "
            f"(issue 3) | {total:.1f} s, {peak:,.0f} MB at {biggest:,}{note} "
            f"| {_yes(met) if biggest >= INCREMENTAL_TARGET_SIZE else 'not measured'} |"
        )
    peers_found = sink.get("peers")
    if peers_found:
        found, scores = peers_found  # type: ignore[misc]
        from bench import peers

        for tool in peers.OURS:
            rows += _peer_targets(tool, found, scores)
    return rows


def _peer_targets(
    tool: str, found: Mapping[int, Sequence[PeerResult]],
    scores: Mapping[int, Mapping[str, Score]],
) -> list[str]:
    """Issue 5's rows for one of our tools: at the target size, or the largest it ran at."""
    from bench import peers

    ran = [n for n in found if any(r.tool == tool for r in found[n])]
    size = PEER_TARGET_SIZE if PEER_TARGET_SIZE in ran else max(ran, default=0)
    ours = next((r for r in found.get(size, ()) if r.tool == tool), None)
    if ours is None:
        return []
    mine = scores[size][tool]
    rows = []
    for r in found[size]:
        if r.tool in peers.OURS:
            continue
        theirs = scores[size][r.tool]
        ratio = r.seconds / ours.seconds
        quality = mine.precision >= theirs.precision and mine.recall >= theirs.recall
        note = ("" if size == PEER_TARGET_SIZE
                else f" (at {size:,}; not run at {PEER_TARGET_SIZE:,})")
        rows.append(
            f"| {tool} >= {PEER_TARGET_RATIO:g}x faster than {r.tool} at "
            f"{PEER_TARGET_SIZE:,}, equal or better P/R (issue 5) | {ratio:.2f}x as fast "
            f"(P {mine.precision:.3f} / R {mine.recall:.3f} vs {theirs.precision:.3f} / "
            f"{theirs.recall:.3f}){note} "
            f"| {_yes(ratio >= PEER_TARGET_RATIO and quality and not note)} |"
        )
    return rows


# --- machine and versions -----------------------------------------------------------------


def machine_facts() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [
        f"- machine: {cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
        "- packages: " + ", ".join(f"{p} {v}" for p, v in package_versions().items()),
    ]


def package_versions() -> dict[str, str]:
    import importlib.metadata as metadata

    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _maybe(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


# --- the plot -----------------------------------------------------------------------------


def plot(sink: Mapping[str, object], path: Path) -> None:
    """Wall time and peak memory against corpus size: every tool's whole run on the peer
    corpora, and newsdedup's incremental run of 1,000 new articles into a store of N."""
    import matplotlib

    from bench import peers

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=80)
    peers_found = sink.get("peers")
    if peers_found:
        found, _ = peers_found  # type: ignore[misc]
        tools: dict[str, list[tuple[int, float, float]]] = {}
        for size, results in found.items():
            for r in results:
                memory = r.peak_tree_mb if r.peak_tree_mb is not None else r.peak_rss_mb
                tools.setdefault(r.tool, []).append((size, r.seconds, memory))
        for tool, points in tools.items():
            points.sort()
            xs = [p[0] for p in points]
            style = {"linewidth": 2.5} if tool in peers.OURS else {}
            left.plot(xs, [p[1] for p in points], marker="o", label=f"{tool}, whole run", **style)
            right.plot(xs, [p[2] for p in points], marker="o", label=f"{tool}, whole run",
                       **style)
    speed = sink.get("speed")
    if isinstance(speed, SpeedResults) and speed.runs:
        xs = sorted(speed.runs)
        mids = [_median_run(speed.runs[x]) for x in xs]
        new = mids[0].new
        label = f"newsdedup, {new:,} new into a store of N"
        left.plot(xs, [m.ingest_s + m.dedupe_s for m in mids], "k--", marker="s", label=label)
        right.plot(xs, [max(r.peak_rss_mb for r in speed.runs[x]) for x in xs], "k--",
                   marker="s", label=label)
    for axis, title, unit in ((left, "wall time", "seconds"),
                              (right, "peak memory (all processes)", "MB")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("articles (corpus or store size N)")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    from bench import peers

    parser = argparse.ArgumentParser(
        prog="python -m bench.results", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES,
                        help="store sizes N for the speed runs (built once, cached)")
    parser.add_argument("--peer-sizes", type=int, nargs="*",
                        help="corpus sizes for the peers (default: --sizes); none: no peers")
    parser.add_argument("--tools", default=",".join(peers.TOOLS),
                        help="peer tools, comma-separated (newsdedup alone: no peers)")
    parser.add_argument("--limit", action="append", default=[], metavar="TOOL=N",
                        help="run TOOL only on corpora of at most N documents")
    parser.add_argument("--new", type=int, default=1_000, help="new articles per incremental run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per speed size")
    parser.add_argument("--peer-repeat", type=int, default=1, help="rounds over the peers")
    parser.add_argument("--sign-count", type=int, default=3_000,
                        help="articles for the signing throughput")
    parser.add_argument("--no-quality", action="store_true",
                        help="skip cleaning, stories and duplicates")
    parser.add_argument("--no-seeds", action="store_true", help="skip the seeds check")
    parser.add_argument("--no-plot", action="store_true", help="write no PNG")
    parser.add_argument("--profile-size", type=int, default=0, metavar="N",
                        help="also profile newsdedup's run on the N-document peer corpus")
    parser.add_argument("--output", type=Path, default=BENCH,
                        help="folder for RESULTS.md and results.png (default bench/)")
    args = parser.parse_args(argv)
    peer_sizes = args.sizes if args.peer_sizes is None else args.peer_sizes
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    limits = {}
    for item in args.limit:
        tool, _, size = item.partition("=")
        if not size.isdigit():
            parser.error(f"--limit wants TOOL=N, got {item!r}")
        limits[tool] = int(size)
    OUT.mkdir(parents=True, exist_ok=True)
    started_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_start = _load()
    sink: dict[str, object] = {}
    stages: list[Stage] = []
    speed_sizes = sorted(args.sizes)
    steps: list[tuple[str, Callable[[], list[str]]]] = []
    if not args.no_quality:
        steps += [(f"quality: bench.{name}", lambda n=name: bench_module(n)) for name in QUALITY]
    if not args.no_seeds:
        steps.append(("quality: the seeds", seeds_stage))
    if speed_sizes:
        steps.append((f"speed: a store of {speed_sizes[0]:,}",
                      lambda: speed_stage(speed_sizes[0], args.new, args.repeats,
                                          args.sign_count, sink)))
    if tools:
        steps += [(f"peers: {size:,} documents",
                   lambda n=size: peers_stage(n, tools, limits, args.peer_repeat, sink))
                  for size in sorted(peer_sizes)]
    steps += [(f"speed: a store of {size:,}",
               lambda n=size: speed_stage(n, args.new, args.repeats, args.sign_count, sink))
              for size in speed_sizes[1:]]
    if args.profile_size:
        steps.append((f"profile: newsdedup run on {args.profile_size:,} documents",
                       lambda: profile_stage(args.profile_size)))
    picture = args.output / "results.png"
    args.output.mkdir(parents=True, exist_ok=True)

    def write(running: str | None) -> None:
        """RESULTS.md (and the plot) as far as the run has got: a run cut short keeps
        what it measured."""
        if not args.no_plot and (sink.get("speed") or sink.get("peers")):
            try:
                plot(sink, picture)
            except Exception as error:  # the tables matter more than the picture
                print(f"   no plot: {type(error).__name__}: {error}", file=sys.stderr)
        text = report(stages, sink, args, argv, started_at, load_start, peer_sizes,
                      running, picture if not args.no_plot else None)
        (args.output / "RESULTS.md").write_text(text, encoding="utf-8")

    # SIGTERM (a time limit) stops the run like Ctrl-C: the stage under way is written up
    # as stopped, the ones not begun as not run, and RESULTS.md keeps all that was measured.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    for at, (title, work) in enumerate(steps):
        write(title)
        started = time.perf_counter()
        try:
            stages.append(staged(title, work))
        except KeyboardInterrupt:
            stopped = Stage(title, seconds=time.perf_counter() - started,
                            error="stopped (SIGINT or SIGTERM) before it finished")
            stages.append(stopped)
            stages += [Stage(later, error="not run: the run was stopped")
                       for later, _ in steps[at + 1 :]]
            break
    write(None)
    print(f"wrote {args.output / 'RESULTS.md'}", file=sys.stderr)
    return 1 if any(s.error for s in stages) else 0


def report(stages: Sequence[Stage], sink: Mapping[str, object], args: argparse.Namespace,
           argv: Sequence[str] | None, started_at: str, load_start: str,
           peer_sizes: Sequence[int], running: str | None, picture: Path | None) -> str:
    command = shlex.join(["python", "-m", "bench.results",
                          *(sys.argv[1:] if argv is None else argv)])
    took = sum(s.seconds for s in stages) / 60
    stopped = any(s.error and s.error.startswith("stopped") for s in stages)
    state = (f"**Still running** (now: {running})." if running
             else f"**Stopped** before the end, after {took:,.0f} min." if stopped
             else f"Every stage took {took:,.0f} min in all.")
    lines = [
        "# Benchmark results",
        "",
        f"Written by `{command}` (what `make bench` runs), started {started_at}. {state} "
        "Regenerate rather than edit.",
        "",
        *machine_facts(),
        f"- load average (1, 5, 15 min) at the start: {load_start}; when written: {_load()} "
        "(the machine is shared: wall times carry other people's load, CPU times less so)",
        f"- speed sizes: {', '.join(f'{n:,}' for n in args.sizes)}; peer sizes: "
        f"{', '.join(f'{n:,}' for n in peer_sizes) or 'none'}",
        "",
        "## Targets",
        "",
        *targets(sink),
        "",
    ]
    speed = sink.get("speed")
    if isinstance(speed, SpeedResults):
        lines += ["## Speed: signing and incremental runs", "",
                  *speed_lines(speed, args.new, args.repeats), ""]
    if sink.get("peers"):
        lines += ["## Speed: newsdedup beside its peers", "", *peers_note(args.peer_repeat), ""]
    if picture is not None and picture.exists():
        lines += [f"![wall time and peak memory against corpus size]({picture.name})", ""]
    for stage in stages:
        lines += [f"## {stage.title[0].upper()}{stage.title[1:]}", "",
                  f"_{stage.seconds:,.0f} s._", ""]
        if stage.error:
            lines += [f"**Failed**: {stage.error}", ""]
        lines += [*stage.lines, ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
