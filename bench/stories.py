"""Story benchmark: do our signatures, LSH, verification and clustering find the events?

Data: ECB+ (topics 1-35, 772 English news articles in 66 event clusters; each topic holds
two *different* events of one kind, e.g. two earthquakes), read from
``../shared/data/ecbplus-dev``, and the user's two seed files from ``../shared/seeds``.
Nothing from them is copied into the repository.

Run from the repository root::

    .venv/bin/python -m bench.stories [--data ../shared/data/ecbplus-dev] [--sweep]

It prints, as markdown:

- B3 precision / recall / F1 and the adjusted Rand index of our pipeline with the
  defaults (`dedupe.signature.STORY_PARAMS`, `dedupe.cluster.STORY_LINKAGE`):
  story terms -> weighted MinHash -> LSH bands -> candidates verified by exact term
  cosine -> average link on locally scaled cosines;
- baselines with their threshold tuned on this very data (so optimistic): TF-IDF cosine
  (corpus IDF) single and average link, and our story-term cosine with plain average
  link (no local scaling);
- LSH figures (bands, rows, candidates, recall of the verified pairs);
- the seeds check: the AP report on Russian troops near Qusair and the Reuters-based
  Qusayr report must be one story, the Egypt-NATO article alone;
- chunked = batch: indexing the articles in 5 shuffled chunks gives the same clusters;
- signature speed on ~3 KB articles (both kinds of signature, one core);
- with ``--sweep``, F1 across the clustering threshold and the verification threshold.

Only ``title`` and ``text`` of an ECB+ article are read: ``date_publish`` exists for the
ECB+ half of each topic only, so it would give the answer away.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from dedupe.cluster import (
    STORY_LINKAGE,
    StoryLinkage,
    average_link,
    cluster_labels,
    connected_components,
    pair_key,
    story_clusters,
    two_hop_pairs,
)
from dedupe.signature import (
    DUPLICATE_PARAMS,
    STORY_PARAMS,
    DuplicateParams,
    Hashes,
    Signatures,
    StoryParams,
    cosine,
    jaccard,
    minhash,
    shingles,
    signatures,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "ecbplus-dev"
DEFAULT_SEEDS = SHARED / "seeds"
SEED_SPLIT_LINE = "What Closer Egypt-NATO Ties Could Mean"
CHUNKS = 5
SPEED_CHARS = (2500, 3500)  # "3 KB articles"

Pair = tuple[str, str]
Item = TypeVar("Item", bound=Hashable)


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str
    gold: str  # event cluster


# --- data ---------------------------------------------------------------------------------


def load_ecbplus(root: Path) -> list[Doc]:
    """ECB+ articles (title + text only), sorted by path."""
    with (root / "index.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    docs = []
    for row in sorted(rows, key=lambda r: r["path"]):
        record = json.loads((root / row["path"]).read_text(encoding="utf-8"))
        title, text = record.get("title") or "", record.get("text") or ""
        docs.append(Doc(row["path"], title, text, row["subtopic_event_cluster"]))
    return docs


def _title_and_body(lines: Sequence[str]) -> tuple[str, str]:
    """First non-empty line as title, the rest as body, lines repeating earlier ones out."""
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped in seen:
            continue
        seen.add(stripped)
        kept.append(stripped)
    if not kept:
        return "", ""
    return kept[0], "\n\n".join(kept[1:])


def load_seeds(root: Path) -> list[Doc]:
    """The three seed articles: AP (000_*), and the two articles of 004_* split at
    `SEED_SPLIT_LINE`. Gold: the first two are one story."""
    ap_path = next(iter(sorted(root.glob("000_*.txt"))))
    pair_path = next(iter(sorted(root.glob("004_*.txt"))))
    lines = pair_path.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if line.strip() == SEED_SPLIT_LINE)
    texts = {
        "seed:ap-qusair": _title_and_body(ap_path.read_text(encoding="utf-8").splitlines()),
        "seed:reuters-qusayr": _title_and_body(lines[:cut]),
        "seed:egypt-nato": _title_and_body(lines[cut:]),
    }
    golds = {"seed:ap-qusair": "qusair", "seed:reuters-qusayr": "qusair"}
    return [Doc(key, t, x, golds.get(key, "egypt-nato")) for key, (t, x) in texts.items()]


# --- scoring ------------------------------------------------------------------------------


def b_cubed(
    predicted: Mapping[Item, Hashable], gold: Mapping[Item, Hashable]
) -> tuple[float, float, float]:
    """B3 precision, recall and F1 over the items of `gold` (unlabelled items: singletons).

    Per item: precision = |own predicted cluster & own gold cluster| / |predicted
    cluster|, recall the same over |gold cluster|; both averaged over items.
    """
    if not gold:
        raise ValueError("b_cubed() needs at least one item")
    predicted = {item: predicted.get(item, ("alone", item)) for item in gold}
    predicted_sizes = Counter(predicted.values())
    gold_sizes = Counter(gold.values())
    overlaps = Counter((predicted[item], gold[item]) for item in gold)
    precision = recall = 0.0
    for item in gold:
        shared = overlaps[(predicted[item], gold[item])]
        precision += shared / predicted_sizes[predicted[item]]
        recall += shared / gold_sizes[gold[item]]
    precision, recall = precision / len(gold), recall / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def adjusted_rand_index(predicted: Mapping[Item, Hashable], gold: Mapping[Item, Hashable]) -> float:
    """Hubert and Arabie's adjusted Rand index (unlabelled items: singletons)."""
    predicted = {item: predicted.get(item, ("alone", item)) for item in gold}
    n = len(gold)

    def pairs(count: int) -> float:
        return count * (count - 1) / 2

    together = sum(pairs(c) for c in Counter((predicted[i], gold[i]) for i in gold).values())
    predicted_pairs = sum(pairs(c) for c in Counter(predicted.values()).values())
    gold_pairs = sum(pairs(c) for c in Counter(gold.values()).values())
    expected = predicted_pairs * gold_pairs / pairs(n) if n > 1 else 0.0
    best = (predicted_pairs + gold_pairs) / 2
    if best == expected:
        return 1.0
    return (together - expected) / (best - expected)


# --- pipeline -----------------------------------------------------------------------------


class BandIndex:
    """LSH buckets in memory: one dict per band; `add` returns the new candidate pairs,
    those sharing at least `least` bands."""

    def __init__(self, bands: int, rows: int, least: int = 1) -> None:
        self.bands, self.rows, self.least = bands, rows, least
        self.buckets: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]

    def add(self, key: str, signature: Hashes) -> set[Pair]:
        shared: Counter[str] = Counter()
        rows = self.rows
        keys = [signature[i * rows : (i + 1) * rows].tobytes() for i in range(self.bands)]
        for band, bucket_key in zip(self.buckets, keys, strict=True):
            members = band.setdefault(bucket_key, [])
            shared.update(members)
            members.append(key)
        return {pair_key(key, other) for other, count in shared.items() if count >= self.least}


def story_index(params: StoryParams) -> BandIndex:
    return BandIndex(*params.bands(), params.min_shared_bands)


def candidate_pairs(
    signed: Mapping[str, Signatures], params: StoryParams = STORY_PARAMS
) -> set[Pair]:
    """Pairs sharing an LSH bucket of their story sketches."""
    index = story_index(params)
    found: set[Pair] = set()
    for key in sorted(signed):
        found |= index.add(key, signed[key].story)
    return found


def verified_pairs(
    signed: Mapping[str, Signatures], pairs: Iterable[Pair], threshold: float
) -> dict[Pair, float]:
    """The pairs whose exact term cosine reaches `threshold`, with that cosine."""
    kept: dict[Pair, float] = {}
    for a, b in pairs:
        score = cosine(signed[a].terms, signed[b].terms)
        if score >= threshold:
            kept[pair_key(a, b)] = score
    return kept


def run_pipeline(
    docs: Sequence[Doc],
    params: StoryParams = STORY_PARAMS,
    linkage: StoryLinkage = STORY_LINKAGE,
    signed: Mapping[str, Signatures] | None = None,
) -> tuple[list[list[str]], dict[str, float]]:
    """Clusters of the docs, and a few counts about how they were found."""
    if signed is None:
        signed = {doc.id: signatures(doc.title, doc.text, story=params) for doc in docs}
    candidates = candidate_pairs(signed, params)
    verified = verified_pairs(signed, candidates, params.verify_threshold)
    closing = two_hop_pairs(verified) - candidates
    completed = verified_pairs(signed, closing, params.verify_threshold)
    clusters = story_clusters([doc.id for doc in docs], verified | completed, linkage)
    stats = {
        "candidates": float(len(candidates)),
        "verified": float(len(verified)),
        "two_hop": float(len(closing)),
        "completed": float(len(completed)),
    }
    return clusters, stats


def chunked_clusters(
    docs: Sequence[Doc],
    signed: Mapping[str, Signatures],
    params: StoryParams = STORY_PARAMS,
    linkage: StoryLinkage = STORY_LINKAGE,
    chunks: int = CHUNKS,
    seed: int = 7,
) -> list[list[str]]:
    """What an incremental store holds after indexing the docs in shuffled chunks.

    Each chunk's new LSH candidates are verified; each new verified edge a-b brings the
    pairs a-c for c next to b (and b-c for c next to a) to verify, which over all chunks
    is the same set of triangles to close as in one batch.
    """
    order = [doc.id for doc in docs]
    random.Random(seed).shuffle(order)
    index = story_index(params)
    neighbours: dict[str, set[str]] = defaultdict(set)
    verified: dict[Pair, float] = {}
    closing: set[Pair] = set()
    size = math.ceil(len(order) / chunks)
    for start in range(0, len(order), size):
        new: set[Pair] = set()
        for key in order[start : start + size]:
            new |= index.add(key, signed[key].story)
        for a, b in sorted(verified_pairs(signed, new, params.verify_threshold)):
            closing |= {pair_key(a, c) for c in neighbours[b] if c != a}
            closing |= {pair_key(b, c) for c in neighbours[a] if c != b}
            neighbours[a].add(b)
            neighbours[b].add(a)
            verified[pair_key(a, b)] = cosine(signed[a].terms, signed[b].terms)
    completed = verified_pairs(signed, closing - verified.keys(), params.verify_threshold)
    return story_clusters(list(reversed(order)), verified | completed, linkage)


def gold_of(docs: Sequence[Doc]) -> dict[str, str]:
    return {doc.id: doc.gold for doc in docs}


def score(clusters: Sequence[Sequence[str]], docs: Sequence[Doc]) -> tuple[float, ...]:
    predicted = cluster_labels(clusters)
    gold = gold_of(docs)
    return (*b_cubed(predicted, gold), adjusted_rand_index(predicted, gold))


# --- baselines (threshold tuned on the data itself) ---------------------------------------


def tfidf_vectors(docs: Sequence[Doc]) -> dict[str, dict[str, float]]:
    """Sublinear TF times corpus IDF over lower-cased words of title and text."""
    from dedupe.signature import words

    counts = {
        doc.id: Counter(w for w in words(f"{doc.title}\n{doc.text}") if len(w) > 1) for doc in docs
    }
    document_frequency = Counter(word for c in counts.values() for word in c)
    total = len(docs)
    return {
        key: {
            word: (1 + math.log(n)) * math.log(total / document_frequency[word])
            for word, n in c.items()
        }
        for key, c in counts.items()
    }


def all_pair_cosines(vectors: Mapping[str, Mapping[str, float]], floor: float) -> dict[Pair, float]:
    """Cosine of every pair above `floor`, through a sparse matrix product."""
    keys = sorted(vectors)
    vocabulary: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for row, key in enumerate(keys):
        weights = vectors[key]
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for term, weight in weights.items():
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            vals.append(weight / norm)
    matrix = np.zeros((len(keys), max(len(vocabulary), 1)))
    matrix[rows, cols] = vals
    sims = matrix @ matrix.T
    upper = np.argwhere(np.triu(sims > floor, 1))
    return {(keys[i], keys[j]): float(sims[i, j]) for i, j in upper}


def single_link(
    ids: Iterable[str], sims: Mapping[Pair, float], threshold: float
) -> list[list[str]]:
    return connected_components(sorted(ids), [p for p, s in sims.items() if s >= threshold])


def tuned(
    docs: Sequence[Doc],
    sims: Mapping[Pair, float],
    method: Callable[[Iterable[str], Mapping[Pair, float], float], list[list[str]]],
    thresholds: Iterable[float],
) -> tuple[float, tuple[float, ...]]:
    """The threshold with the best B3 F1, and its scores."""
    ids = [doc.id for doc in docs]
    results = [(t, score(method(ids, sims, t), docs)) for t in thresholds]
    return max(results, key=lambda item: item[1][2])


# --- duplicates: robustness of the shingle signature -------------------------------------

BOILERPLATE = (
    "Share this article on Facebook, Twitter or by email",
    "Copyright 2013 The Associated Press. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed.",
    "Advertisement",
    "Related: more news from our newsroom",
    "Sign up for our daily newsletter to get the latest headlines in your inbox",
    "Follow us on Twitter and like us on Facebook",
)


def rewrapped(text: str, width: int = 60) -> str:
    """The text's words in lines of about `width` characters."""
    lines: list[str] = []
    line: list[str] = []
    for word in text.split():
        line.append(word)
        if sum(map(len, line)) + len(line) > width:
            lines.append(" ".join(line))
            line = []
    return "\n".join([*lines, " ".join(line)])


def with_boilerplate(text: str, rng: random.Random) -> str:
    return "\n".join([*rng.sample(BOILERPLATE, 3), text, *rng.sample(BOILERPLATE, 3)])


def truncated(text: str, share: float) -> str:
    words = text.split()
    return " ".join(words[: int(len(words) * share)])


def with_typos(text: str, rate: float, rng: random.Random) -> str:
    """Swap two neighbouring letters in about `rate` of the words longer than 3."""
    words = text.split()
    for i, word in enumerate(words):
        if len(word) > 3 and rng.random() < rate:
            j = rng.randrange(len(word) - 1)
            words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def edited(text: str, rng: random.Random) -> str:
    """One sentence dropped and one added."""
    sentences = text.replace("? ", "?\n").replace("! ", "!\n").replace(". ", ".\n").split("\n")
    if len(sentences) > 3:
        del sentences[rng.randrange(len(sentences))]
    sentences.insert(rng.randrange(len(sentences) + 1), "The report was updated on Tuesday.")
    return " ".join(sentences)


PERTURBATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "lines re-wrapped": lambda t, r: rewrapped(t),
    "boilerplate added": with_boilerplate,
    "last 20% cut": lambda t, r: truncated(t, 0.8),
    "last 40% cut": lambda t, r: truncated(t, 0.6),
    "1% typos": lambda t, r: with_typos(t, 0.01, r),
    "3% typos": lambda t, r: with_typos(t, 0.03, r),
    "sentence swapped": edited,
    "swap + boilerplate + 1% typos": lambda t, r: with_boilerplate(
        edited(with_typos(t, 0.01, r), r), r
    ),
}


def duplicate_robustness(docs: Sequence[Doc], params: DuplicateParams = DUPLICATE_PARAMS) -> str:
    """Jaccard of each article (>= 1,500 chars) with a perturbed copy, and the share of
    copies flagged (an LSH band in common and Jaccard >= threshold); then the same for
    different reports of one event, which should not be flagged."""
    rng = random.Random(11)
    long_docs = [doc for doc in docs if len(doc.text) >= 1500]
    bands, rows = params.bands()

    def flagged(a: str, b: str) -> tuple[float, bool]:
        sa, sb = shingles(a, params.shingle_size), shingles(b, params.shingle_size)
        exact = jaccard(sa, sb)
        ma = minhash(sa, params.num_perm, params.seed)
        mb = minhash(sb, params.num_perm, params.seed)
        shared = any(
            np.array_equal(ma[i * rows : (i + 1) * rows], mb[i * rows : (i + 1) * rows])
            for i in range(bands)
        )
        return exact, shared and exact >= params.threshold

    lines = [
        f"Duplicates: {params.shingle_size}-word shingles, Jaccard >= {params.threshold}, "
        f"LSH {bands} bands x {rows} rows; {len(long_docs)} ECB+ articles of >= 1,500 chars",
        "",
        "| copy | median Jaccard | 5% worst | flagged |",
        "|---|---|---|---|",
    ]
    for name, perturb in PERTURBATIONS.items():
        results = [flagged(doc.text, perturb(doc.text, rng)) for doc in long_docs]
        values = np.array([value for value, _ in results])
        share = sum(hit for _, hit in results) / len(results)
        lines.append(
            f"| {name} | {np.median(values):.2f} | {np.quantile(values, 0.05):.2f} | {share:.1%} |"
        )
    by_event: dict[str, list[Doc]] = defaultdict(list)
    for doc in long_docs:
        by_event[doc.gold].append(doc)
    others = [
        flagged(a.text, b.text)
        for group in by_event.values()
        for i, a in enumerate(group)
        for b in group[i + 1 :]
    ]
    values = np.array([value for value, _ in others])
    share = sum(hit for _, hit in others) / len(others)
    lines.append(
        f"| other reports of the same event ({len(others)} pairs; some are wire copies) | "
        f"{np.median(values):.2f} | 99%: {np.quantile(values, 0.99):.2f} | {share:.1%} |"
    )
    return "\n".join(lines)


# --- speed --------------------------------------------------------------------------------


def signature_speed(docs: Sequence[Doc], repeats: int = 5) -> tuple[int, float, float]:
    """(articles, cold articles/s, warm articles/s) for `signatures` on ~3 KB articles.

    Cold: the first pass (the background table already loaded); warm: best of
    `repeats` further passes, once the per-word memo has seen the vocabulary.
    """
    sample = [d for d in docs if SPEED_CHARS[0] <= len(d.text) <= SPEED_CHARS[1]]
    signatures("warm up", "the background model loads once")
    start = time.perf_counter()
    for doc in sample:
        signatures(doc.title, doc.text)
    cold = len(sample) / (time.perf_counter() - start)
    warm = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for doc in sample:
            signatures(doc.title, doc.text)
        warm = max(warm, len(sample) / (time.perf_counter() - start))
    return len(sample), cold, warm


# --- report -------------------------------------------------------------------------------


def _row(name: str, scores: Sequence[float], note: str = "") -> str:
    p, r, f, ari = scores
    return f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {ari:.3f} | {note} |"


def seeds_check(seeds: Sequence[Doc]) -> tuple[bool, bool]:
    """(AP and Reuters reports joined, Egypt-NATO alone), seeds clustered on their own."""
    clusters, _ = run_pipeline(seeds)
    labels = cluster_labels(clusters)
    joined = labels["seed:ap-qusair"] == labels["seed:reuters-qusayr"]
    alone = sum(1 for label in labels.values() if label == labels["seed:egypt-nato"]) == 1
    return joined, alone


@dataclass(frozen=True)
class Report:
    scores: tuple[float, ...]
    seeds_joined: bool
    egypt_alone: bool
    seeds_joined_in_corpus: bool
    egypt_alone_in_corpus: bool
    chunked_equals_batch: bool
    lines: tuple[str, ...]


def evaluate(
    data: Path,
    seeds_dir: Path,
    baselines: bool = True,
    sweep: bool = False,
    speed: bool = True,
    duplicates: bool = True,
) -> Report:
    docs = load_ecbplus(data)
    seeds = load_seeds(seeds_dir)
    lines: list[str] = []
    out = lines.append
    signed = {doc.id: signatures(doc.title, doc.text) for doc in docs}
    clusters, stats = run_pipeline(docs, signed=signed)
    scores = score(clusters, docs)
    bands, rows = STORY_PARAMS.bands()
    gold = gold_of(docs)
    out(f"ECB+ dev: {len(docs)} articles, {len(set(gold.values()))} event clusters ({data})")
    out("")
    out("| system | B3 P | B3 R | B3 F1 | ARI | note |")
    out("|---|---|---|---|---|---|")
    out(
        _row(
            "ours: terms -> LSH -> verify -> local-scaled average link",
            scores,
            f"defaults, {len(clusters)} clusters",
        )
    )
    if baselines:
        ours = all_pair_cosines({k: s.terms for k, s in signed.items()}, 0.02)
        t, s = tuned(docs, ours, average_link, np.arange(0.15, 0.41, 0.025))
        out(_row("story-term cosine, plain average link", s, f"threshold {t:.3f} tuned here"))
        tfidf = all_pair_cosines(tfidf_vectors(docs), 0.02)
        t, s = tuned(docs, tfidf, average_link, np.arange(0.05, 0.31, 0.025))
        out(_row("TF-IDF cosine, average link", s, f"threshold {t:.3f} tuned here"))
        t, s = tuned(docs, tfidf, single_link, np.arange(0.15, 0.51, 0.025))
        out(_row("TF-IDF cosine, single link", s, f"threshold {t:.3f} tuned here"))
        within = sum(1 for v in ours.values() if v >= STORY_PARAMS.verify_threshold)
        found = stats["verified"] + stats["completed"]
        out("")
        out(
            f"LSH: {bands} bands x {rows} rows over the {STORY_PARAMS.sketch_terms} heaviest "
            f"terms, {STORY_PARAMS.min_shared_bands} bands shared: "
            f"{int(stats['candidates'])} candidate pairs of "
            f"{len(docs) * (len(docs) - 1) // 2}, {int(stats['verified'])} verified "
            f"(term cosine >= {STORY_PARAMS.verify_threshold}); closing triangles: "
            f"{int(stats['two_hop'])} more candidates, {int(stats['completed'])} verified. "
            f"Recall of all {within} pairs above the threshold: LSH "
            f"{stats['verified'] / max(within, 1):.3f}, with triangles "
            f"{found / max(within, 1):.3f}"
        )
    joined, alone = seeds_check(seeds)
    mixed = list(docs) + list(seeds)
    mixed_labels = cluster_labels(run_pipeline(mixed)[0])
    joined_in = mixed_labels["seed:ap-qusair"] == mixed_labels["seed:reuters-qusayr"]
    egypt = mixed_labels["seed:egypt-nato"]
    alone_in = sum(1 for v in mixed_labels.values() if v == egypt) == 1
    out("")
    out(f"seeds on their own: AP+Qusayr joined: {joined}; Egypt-NATO alone: {alone}")
    out(f"seeds among ECB+: AP+Qusayr joined: {joined_in}; Egypt-NATO alone: {alone_in}")
    seed_signed = {doc.id: signatures(doc.title, doc.text) for doc in seeds}
    names = [doc.id for doc in seeds]
    pair_cosines = ", ".join(
        f"{a.removeprefix('seed:')} / {b.removeprefix('seed:')} "
        f"{cosine(seed_signed[a].terms, seed_signed[b].terms):.3f}"
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    )
    out(f"seed term cosines: {pair_cosines}")
    chunked = chunked_clusters(docs, signed)
    same = sorted(chunked) == sorted(clusters)
    out(f"indexed in {CHUNKS} shuffled chunks = one batch: {same}")
    if speed:
        count, cold, warm = signature_speed(docs)
        low, high = SPEED_CHARS
        out(
            f"signature speed (duplicate + story, one core, {count} articles of {low}-{high} "
            f"chars): {cold:,.0f}/s cold, {warm:,.0f}/s warm"
        )
    if duplicates:
        out("")
        out(duplicate_robustness(docs))
    if sweep:
        out("")
        out(sensitivity(docs, signed))
    return Report(scores, joined, alone, joined_in, alone_in, same, tuple(lines))


def sensitivity(docs: Sequence[Doc], signed: Mapping[str, Signatures]) -> str:
    """F1 across the clustering threshold, the verification threshold and the density."""
    rows = ["| parameter | value | B3 F1 | ARI |", "|---|---|---|---|"]
    for value in (0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70):
        s = score(
            run_pipeline(docs, linkage=replace(STORY_LINKAGE, threshold=value), signed=signed)[0],
            docs,
        )
        rows.append(f"| linkage threshold | {value:.2f} | {s[2]:.3f} | {s[3]:.3f} |")
    for value in (0.10, 0.15, 0.20, 0.25):
        params = replace(STORY_PARAMS, verify_threshold=value)
        s = score(run_pipeline(docs, params=params, signed=signed)[0], docs)
        rows.append(f"| verify threshold | {value:.2f} | {s[2]:.3f} | {s[3]:.3f} |")
    for value in (2, 3, 4, 5):
        s = score(
            run_pipeline(docs, linkage=replace(STORY_LINKAGE, neighbours=value), signed=signed)[0],
            docs,
        )
        rows.append(f"| density neighbour k | {value} | {s[2]:.3f} | {s[3]:.3f} |")
    for value in (0.15, 0.2, 0.25, 0.3):
        s = score(
            run_pipeline(docs, linkage=replace(STORY_LINKAGE, density_floor=value), signed=signed)[
                0
            ],
            docs,
        )
        rows.append(f"| density floor | {value:.2f} | {s[2]:.3f} | {s[3]:.3f} |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stories",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="ECB+ dev folder")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="seed files folder")
    parser.add_argument("--sweep", action="store_true", help="print threshold sensitivity")
    parser.add_argument("--no-baselines", action="store_true", help="skip the baselines")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    parser.add_argument("--no-duplicates", action="store_true", help="skip duplicate checks")
    args = parser.parse_args(argv)
    for path in (args.data, args.seeds):
        if not path.exists():
            print(f"{path} does not exist: pass --data / --seeds", file=sys.stderr)
            return 2
    report = evaluate(
        args.data,
        args.seeds,
        baselines=not args.no_baselines,
        sweep=args.sweep,
        speed=not args.no_speed,
        duplicates=not args.no_duplicates,
    )
    print("\n".join(report.lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
