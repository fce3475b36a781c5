"""Dedupe speed: signing throughput, and an incremental run against a big store.

Run from the repository root::

    .venv/bin/python -m bench.speed [--sizes 10000 100000 1000000] [--new 1000] [--repeats 3]
                                    [--no-stories]

Two measurements, on one core (numpy and SQLite are single-threaded here):

(a) signing: `dedupe.run.sign` over batches of stored ~3 KB articles, i.e. both
    signatures plus writing signatures and LSH bands to SQLite, and the signatures alone;
    articles per second (median of the repeats).
(b) an incremental run: a store of N signed, matched and clustered articles gets 1,000
    new article files; timed are their ingest (`ingest.run`, as `newsdedup run` does it)
    and then `dedupe.run.dedupe`, in a subprocess whose peak RSS is read from
    ``getrusage(RUSAGE_CHILDREN)``.

The corpus is synthetic and fixed by a seed. Words are drawn from wordfreq's English
frequencies (a Zipf vocabulary whose story-term weights are what real text gets); each
article has a topic (topic popularity is Zipf too, so some topics run through thousands
of articles, as big news does) whose words it uses more often; a share of the articles
report an event together with others (they share the event's made-up names and
numbers, in other words), and a share are near copies of an earlier article (typos, a
dropped paragraph, a footer). Article lengths are log-normal around 3 KB.

The N-article store is built once and cached under bench/out/ (git-ignored): articles
are inserted in bulk, cleaned again of corpus boilerplate by the real
`ingest.run.refresh_boilerplate`, signed with the real `dedupe.run.sign`, and matched and
clustered by the real `dedupe.run.dedupe`, in batches (the bulk build differs from a store
grown by ingest only in skipping the cleaner's line rules and the per-file transactions).
Each timed run works on a copy.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import wordfreq

from dedupe.run import DedupeParams, dedupe, lsh_candidates, sign
from dedupe.signature import STORY_PARAMS, signature_batch, signatures
from ingest.boilerplate import line_keys
from ingest.discover import discover
from ingest.records import Article
from ingest.run import IngestOptions, ingest_pass, refresh_boilerplate
from store.dedupe import DedupeStore
from store.store import Store, text_hash

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT = REPO_ROOT / "bench" / "out"
SEED = 20240601
VOCABULARY_SIZE = 60_000  # wordfreq's most frequent English words (letters only)
TOPICS = 50_000  # topic popularity is Zipf over these
TOPIC_ZIPF = 0.8
TOPIC_WORDS = 20  # words of a topic, drawn from vocabulary ranks TOPIC_RANKS
TOPIC_RANKS = (2_000, 40_000)
TOPIC_SHARE = 0.025  # share of an article's words that are its topic's words
STORY_SHARE = 0.3  # articles reporting an event with others
EVENT_WINDOW = 200  # events are local in time: each window of articles has its own
EVENTS_PER_WINDOW = 30
EVENT_NAMES = 5  # made-up names (and numbers) an event's reports share
EVENT_SHARE = 0.02  # share of a report's words that are its event's names
COPY_SHARE = 0.05  # near copies of an earlier article
COPY_LOOKBACK = 500
MEDIAN_WORDS = 520  # about 3 KB of text
LENGTH_SIGMA = 0.5
MIN_WORDS, MAX_WORDS = 60, 3_000
SPEED_CHARS = (2_500, 3_500)  # "3 KB articles" for the signing throughput
DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_NEW = 1_000
BUILD_BATCH = 1_000
CORPUS_VERSION = 5  # bump when the corpus or the store layout changes: cached stores go
DEFAULTS = DedupeParams()

_SYLLABLES = ("ka", "ro", "vel", "dun", "mir", "tas", "lo", "bre", "quin", "zor", "hal", "ped",
              "sku", "vor", "nel", "trab", "ost", "gri", "fen", "jas", "ul", "mok", "dre", "sil")


# --- the synthetic corpus ---------------------------------------------------------------


@dataclass(frozen=True)
class Synthetic:
    name: str
    title: str
    text: str
    kind: str  # "plain", "story" (reports an event with others) or "copy"


class Vocabulary:
    """wordfreq's English words with their frequencies, and the topics built from them."""

    def __init__(self, seed: int = SEED) -> None:
        words = [w for w in wordfreq.top_n_list("en", VOCABULARY_SIZE + 5_000)
                 if re.fullmatch("[a-z]+", w)][:VOCABULARY_SIZE]
        self.words = np.array(words, dtype=object)
        frequencies = np.array([wordfreq.word_frequency(w, "en") for w in words])
        self.cumulative = np.cumsum(frequencies / frequencies.sum())
        rng = np.random.default_rng([seed, 1])
        low, high = TOPIC_RANKS
        self.topics = rng.integers(low, high, size=(TOPICS, TOPIC_WORDS))
        popularity = 1.0 / np.arange(1, TOPICS + 1) ** TOPIC_ZIPF
        self.topic_cumulative = np.cumsum(popularity / popularity.sum())

    def background(self, rng: np.random.Generator, count: int) -> npt.NDArray[np.int64]:
        found: npt.NDArray[np.int64] = np.searchsorted(self.cumulative, rng.random(count))
        return np.minimum(found, len(self.words) - 1)

    def topic(self, rng: np.random.Generator) -> int:
        return int(np.searchsorted(self.topic_cumulative, rng.random()))


@functools.cache
def vocabulary(seed: int = SEED) -> Vocabulary:
    return Vocabulary(seed)


def _made_up_name(rng: np.random.Generator) -> str:
    return "".join(rng.choice(_SYLLABLES, size=int(rng.integers(2, 4)))).capitalize()


@dataclass(frozen=True)
class _Event:
    topic: int
    names: tuple[str, ...]


def _event(seed: int, event: int) -> _Event:
    rng = np.random.default_rng([seed, 2, event])
    names = [_made_up_name(rng) for _ in range(EVENT_NAMES)]
    names += [f"{int(rng.integers(2, 5000)):,}" for _ in range(2)]
    return _Event(vocabulary(seed).topic(rng), tuple(names))


def _render(rng: np.random.Generator, tokens: Sequence[str]) -> str:
    """Sentences of 12-25 words, paragraphs of 2-5 sentences."""
    paragraphs, sentences, at = [], [], 0
    while at < len(tokens):
        size = int(rng.integers(12, 26))
        sentence = list(tokens[at : at + size])
        at += size
        sentence[0] = sentence[0].capitalize()
        sentences.append(" ".join(sentence) + ".")
        if len(sentences) >= int(rng.integers(2, 6)) or at >= len(tokens):
            paragraphs.append(" ".join(sentences))
            sentences = []
    return "\n\n".join(paragraphs)


def _original(seed: int, index: int) -> Synthetic:
    vocab = vocabulary(seed)
    rng = np.random.default_rng([seed, 3, index])
    length = int(np.clip(rng.lognormal(math.log(MEDIAN_WORDS), LENGTH_SIGMA), MIN_WORDS, MAX_WORDS))
    event = None
    if rng.random() < STORY_SHARE:
        window = index // EVENT_WINDOW
        event = _event(seed, window * EVENTS_PER_WINDOW + int(rng.integers(EVENTS_PER_WINDOW)))
    topic = event.topic if event else vocab.topic(rng)
    tokens = list(vocab.words[vocab.background(rng, length)])
    topic_words = vocab.words[vocab.topics[topic]]
    places = rng.choice(length, size=max(1, int(length * TOPIC_SHARE)), replace=False)
    for place in places:
        tokens[place] = topic_words[min(int(rng.zipf(1.5)) - 1, TOPIC_WORDS - 1)]
    title_words = list(vocab.words[vocab.background(rng, int(rng.integers(5, 10)))])
    title_words.insert(int(rng.integers(len(title_words))), topic_words[0])
    if event:
        for place in rng.choice(length, size=max(2, int(length * EVENT_SHARE)), replace=False):
            tokens[place] = event.names[int(rng.integers(len(event.names)))]
        title_words[1:1] = list(event.names[:2])
    title = " ".join(title_words).capitalize()
    return Synthetic(f"a{index:07d}", title, _render(rng, tokens), "story" if event else "plain")


def article(index: int, seed: int = SEED) -> Synthetic:
    """Article `index` of the corpus: the same whatever the corpus size."""
    rng = np.random.default_rng([seed, 4, index])
    if index == 0 or rng.random() >= COPY_SHARE:
        return _original(seed, index)
    source = article(int(rng.integers(max(0, index - COPY_LOOKBACK), index)), seed)
    paragraphs = source.text.split("\n\n")
    if len(paragraphs) > 2 and rng.random() < 0.5:
        del paragraphs[int(rng.integers(1, len(paragraphs)))]
    text = "\n\n".join(paragraphs)
    chars = list(text)
    for place in rng.choice(len(chars), size=min(len(chars), int(rng.integers(0, 6))),
                            replace=False):
        if chars[place].isalpha():
            chars[place] = "x"
    footer = "\n\nCopyright Metro Wire. All rights reserved." if rng.random() < 0.5 else ""
    return Synthetic(f"a{index:07d}", source.title, "".join(chars) + footer, "copy")


def corpus(start: int, stop: int, seed: int = SEED) -> Iterator[Synthetic]:
    for index in range(start, stop):
        yield article(index, seed)


def write_files(articles: Sequence[Synthetic], folder: Path) -> None:
    """One plain-text file per article: title, blank line, body (as scrapes are saved)."""
    folder.mkdir(parents=True, exist_ok=True)
    for a in articles:
        (folder / f"{a.name}.txt").write_text(f"{a.title}\n\n{a.text}\n", encoding="utf-8")


# --- the big store ----------------------------------------------------------------------


def insert_articles(store: Store, articles: Sequence[Synthetic], run_id: int, root: str) -> None:
    """Articles as ingest stores them (source, article, corpus line counts), in one
    transaction: the title and body go in as they are, without the cleaner; corpus
    boilerplate is left for `refresh_boilerplate`."""
    with store.transaction() as db:
        for a in articles:
            path = f"{a.name}.txt"
            raw = f"{a.title}\n\n{a.text}\n"
            source_id = db.execute(
                "INSERT INTO sources (root, path, kind, size, mtime_ns, sha256, status, "
                "problems, first_run, last_run) VALUES (?, ?, 'text', ?, 0, ?, 'ingested', "
                "'[]', ?, ?)",
                (root, path, len(raw), hashlib.sha256(raw.encode()).hexdigest(), run_id, run_id),
            ).lastrowid
            article_id = Article(source=path, position=0, title=a.title, text=a.text, raw=raw).id
            rowid = db.execute(
                "INSERT INTO articles (id, source_id, position, title, text, authors, date, "
                "site, url, captions, removed, raw, metadata, text_hash, run_id) "
                "VALUES (?, ?, 0, ?, ?, '[]', NULL, NULL, NULL, '[]', '[]', ?, '{}', ?, ?)",
                (article_id, source_id, a.title, a.text, raw, text_hash(a.title, a.text), run_id),
            ).lastrowid
            keys = line_keys(raw)
            db.executemany(
                "INSERT OR IGNORE INTO line_seen (line_key, anchor, article) VALUES (?, ?, ?)",
                [(key, anchor, rowid) for key, anchor in keys],
            )
        db.execute("INSERT OR REPLACE INTO meta VALUES ('boilerplate_dirty', '1')")


def build_store(path: Path, size: int, seed: int = SEED, log: bool = True,
                start: int = 0, params: DedupeParams = DEFAULTS) -> float:
    """A store of `size` synthetic articles, signed, matched and clustered; returns seconds.

    The store at `path` may hold the first `start` articles already (a smaller store).
    """
    began = time.perf_counter()
    with Store.open(path) as store:
        run_id = store.start_run("bench-build", "synthetic")
        for first in range(start, size, BUILD_BATCH):
            batch = list(corpus(first, min(size, first + BUILD_BATCH), seed))
            insert_articles(store, batch, run_id, "synthetic")
            refresh_boilerplate(store, run_id, IngestOptions())
            dedupe(store, run_id, params)
            if log and (first // BUILD_BATCH) % 10 == 9:
                print(f"  built {first + len(batch):,} articles in "
                      f"{time.perf_counter() - began:,.0f} s", file=sys.stderr)
        store.finish_run(run_id, "done", {})
    return time.perf_counter() - began


def _cache_path(size: int, seed: int, params: DedupeParams = DEFAULTS) -> Path:
    # The settings are in the name: a store signed with other ones is not reused.
    settings = hashlib.sha256(json.dumps(params.as_dict(), sort_keys=True).encode())
    return OUT / f"speed-{size}-{seed}-v{CORPUS_VERSION}-{settings.hexdigest()[:8]}.db"


def cached_store(size: int, seed: int = SEED, params: DedupeParams = DEFAULTS) -> Path:
    """The store of `size` articles under bench/out/, built the first time it is asked for
    (from the biggest smaller one cached, since the corpus is the same up to there)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = _cache_path(size, seed, params)
    if not path.exists():
        building = path.with_suffix(".building")
        for stale in OUT.glob(building.name + "*"):
            stale.unlink()
        smaller = [n for n in range(BUILD_BATCH, size, BUILD_BATCH)
                   if _cache_path(n, seed, params).exists()]
        start = max(smaller, default=0)
        if start:
            copy_store(_cache_path(start, seed, params), building)
        print(f"building a store of {size:,} articles in {path} (once, from {start:,})",
              file=sys.stderr)
        seconds = build_store(building, size, seed, start=start, params=params)
        conn = sqlite3.connect(building)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        building.rename(path)
        for leftover in OUT.glob(building.name + "-*"):
            leftover.unlink()
        _build_record(size, seed, params).write_text(
            json.dumps({"seconds": seconds, "from": start}), encoding="utf-8"
        )
        print(f"  built in {seconds:,.0f} s", file=sys.stderr)
    return path


def _build_record(size: int, seed: int, params: DedupeParams = DEFAULTS) -> Path:
    return _cache_path(size, seed, params).with_suffix(".built.json")


def build_seconds(size: int, seed: int = SEED, params: DedupeParams = DEFAULTS) -> float | None:
    """Seconds the cached store of `size` took to build from nothing (summed over the
    smaller stores it was grown from); None when not recorded."""
    total = 0.0
    while size:
        record = _build_record(size, seed, params)
        if not record.exists():
            return None
        built = json.loads(record.read_text(encoding="utf-8"))
        total += float(built["seconds"])
        size = int(built["from"])
    return total


def copy_store(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


# --- (a) signing throughput ---------------------------------------------------------------


@dataclass(frozen=True)
class SignSpeed:
    articles: int
    sign_per_s: float  # dedupe.run.sign: signatures + their rows and LSH bands in SQLite
    signatures_per_s: float  # dedupe.signature.signature_batch alone, a batch at a time
    sign_cpu_per_s: float


def sign_speed(base: Path, work: Path, count: int = 3_000, repeats: int = 3,
               seed: int = SEED, params: DedupeParams = DEFAULTS) -> SignSpeed:
    """Sign `count` new ~3 KB articles in a copy of `base`, a batch at a time, as a run does."""
    low, high = SPEED_CHARS
    sample, index = [], 10_000_000  # far past any corpus size: articles no store holds
    while len(sample) < count:
        candidate = article(index, seed)
        if low <= len(candidate.text) <= high and candidate.kind != "copy":
            sample.append(candidate)
        index += 1
    signatures("warm up", "the background model loads once")
    sign_rates, cpu_rates, alone = [], [], []
    for _ in range(repeats):
        copy_store(base, work)
        with Store.open(work) as store:
            run_id = store.start_run("bench-sign", None)
            insert_articles(store, sample, run_id, "sign")
            ds = DedupeStore(store)
            ids = [a.id for a in ds.articles(ds.unsigned())]
            wall = cpu = 0.0
            for start in range(0, len(ids), BUILD_BATCH):
                batch = ds.articles(ids[start : start + BUILD_BATCH])
                wall_0, cpu_0 = time.perf_counter(), time.process_time()
                with store.transaction():
                    sign(ds, batch, params)
                wall += time.perf_counter() - wall_0
                cpu += time.process_time() - cpu_0
            sign_rates.append(len(ids) / wall)
            cpu_rates.append(len(ids) / cpu)
            texts = ds.articles(ids)
        start_time = time.perf_counter()
        for start in range(0, len(texts), BUILD_BATCH):
            signature_batch([(a.title, a.text) for a in texts[start : start + BUILD_BATCH]],
                            params.duplicate, params.story)
        alone.append(len(texts) / (time.perf_counter() - start_time))
    return SignSpeed(len(sample), statistics.median(sign_rates), statistics.median(alone),
                     statistics.median(cpu_rates))


# --- (b) an incremental run -----------------------------------------------------------------


@dataclass(frozen=True)
class RunSpeed:
    size: int
    new: int
    ingest_s: float
    dedupe_s: float
    dedupe_cpu_s: float
    peak_rss_mb: float
    pairs: dict[str, int]
    clusters_changed: dict[str, int]
    candidates_per_article: float  # LSH candidates of a new article (both kinds)
    component: int  # articles reclustered


def incremental_run(base: Path, size: int, new: int, work: Path, seed: int = SEED,
                    params: DedupeParams = DEFAULTS) -> RunSpeed:
    """Copy `base`, write `new` article files, and time their ingest and dedupe in a child."""
    copy_store(base, work)
    folder = work.parent / "new"
    shutil.rmtree(folder, ignore_errors=True)
    write_files(list(corpus(size, size + new, seed)), folder)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(
        [sys.executable, "-m", "bench.speed", "--child", str(work), str(folder),
         *([] if params.story.enabled else ["--no-stories"])],
        cwd=REPO_ROOT, capture_output=True, text=True,
    )
    if done.returncode:
        raise RuntimeError(f"the timed run failed:\n{done.stderr}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if peak_kb <= before:  # an earlier child was bigger: trust the child's own count
        peak_kb = result["self_rss_kb"]
    return RunSpeed(size=size, new=new, peak_rss_mb=peak_kb / 1024, **result["run"])


def _child(db: Path, folder: Path, params: DedupeParams) -> None:
    """The timed part: ingest the new files, then dedupe (what `newsdedup run` does)."""
    options = IngestOptions()
    with Store.open(db) as store:
        run_id = store.start_run("bench-run", str(folder))
        start = time.perf_counter()
        files = list(discover(folder))
        ingest_pass(store, folder, files, run_id, options)
        ingest_s = time.perf_counter() - start
        ds = DedupeStore(store)
        new_ids = ds.unsigned()
        start, cpu = time.perf_counter(), time.process_time()
        summary = dedupe(store, run_id, params)
        dedupe_s, dedupe_cpu = time.perf_counter() - start, time.process_time() - cpu
        candidates, component = _diagnose(store, new_ids, params)
    print(json.dumps({
        "self_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "run": {
            "ingest_s": ingest_s, "dedupe_s": dedupe_s, "dedupe_cpu_s": dedupe_cpu,
            "pairs": summary.pairs, "clusters_changed": summary.clusters_changed,
            "candidates_per_article": candidates, "component": component,
        },
    }))


def _diagnose(store: Store, new_ids: Sequence[str], params: DedupeParams) -> tuple[float, int]:
    """LSH candidates per new article, and the articles connected to the new ones."""
    if not new_ids:
        return 0.0, 0
    ds = DedupeStore(store)
    near = lsh_candidates(ds, ds.signatures(new_ids).values(), params)
    candidates = sum(len(others) for others in near.values())
    return candidates / len(new_ids), len(ds.component_of(new_ids)[0])


# --- report -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.speed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES,
                        help="store sizes N (built once, cached in bench/out/)")
    parser.add_argument("--new", type=int, default=DEFAULT_NEW, help="new articles per run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per size")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-sign", action="store_true", help="skip the signing throughput")
    parser.add_argument("--no-stories", action="store_true",
                        help="duplicates alone, as `newsdedup run --no-stories` (own stores)")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    params = DEFAULTS
    if args.no_stories:
        params = DedupeParams(story=replace(STORY_PARAMS, enabled=False))
    if args.child:
        _child(args.child[0], args.child[1], params)
        return 0
    lines = [
        f"Synthetic corpus (seed {args.seed}): median {MEDIAN_WORDS} words (~3 KB), "
        f"{TOPICS:,} topics (Zipf {TOPIC_ZIPF}), {STORY_SHARE:.0%} event reports, "
        f"{COPY_SHARE:.0%} near copies. Load average at start: {_load()}",
        *([] if params.story.enabled else ["", "Duplicates alone (`--no-stories`)."]),
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        work = Path(tmp) / "store.db"
        if not args.no_sign:
            base = cached_store(min(args.sizes), args.seed, params)
            speed = sign_speed(base, work, repeats=args.repeats, seed=args.seed, params=params)
            lines += [
                f"(a) signing {speed.articles:,} new articles of {SPEED_CHARS[0]:,}-"
                f"{SPEED_CHARS[1]:,} chars into a store of {min(args.sizes):,} (one core, "
                f"median of {args.repeats}):",
                "",
                "| step | articles/s (wall) | articles/s (CPU) |",
                "|---|---|---|",
                f"| dedupe.run.sign (signatures + SQLite rows and LSH bands) "
                f"| {speed.sign_per_s:,.0f} | {speed.sign_cpu_per_s:,.0f} |",
                f"| dedupe.signature.signature_batch alone | {speed.signatures_per_s:,.0f} | |",
                "",
            ]
        lines += [
            f"(b) an incremental run: {args.new:,} new article files into a store of N "
            f"(median of {args.repeats}; peak RSS of the child process)",
            "",
            "| N | ingest s | dedupe s | dedupe CPU s | peak RSS MB | LSH candidates / new "
            "article | pairs added (dup / story) | articles reclustered |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for size in args.sizes:
            base = cached_store(size, args.seed, params)
            runs = [incremental_run(base, size, args.new, work, args.seed, params)
                    for _ in range(args.repeats)]
            mid = sorted(runs, key=lambda r: r.dedupe_s)[len(runs) // 2]
            lines.append(
                f"| {size:,} | {statistics.median(r.ingest_s for r in runs):.1f} "
                f"| {mid.dedupe_s:.1f} | {mid.dedupe_cpu_s:.1f} "
                f"| {max(r.peak_rss_mb for r in runs):,.0f} | {mid.candidates_per_article:,.0f} "
                f"| {mid.pairs['duplicate']:,} / {mid.pairs['story']:,} | {mid.component:,} |"
            )
            print(lines[-1], file=sys.stderr)
    lines.append("")
    lines.append(f"Load average at the end: {_load()}")
    print("\n".join(lines))
    return 0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    raise SystemExit(main())
