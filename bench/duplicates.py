"""Duplicate benchmark: planted copies of real articles, through the real pipeline.

Every ECB+ dev article and scrapinghub body is an original; some long ones get perturbed
copies (`bench.planted`: boilerplate, rewrap, drop-last, reorder, typos, truncate,
mixed). The corpus is written to a temporary folder as JSON files, ingested and deduped
with the defaults (`ingest.run` + `dedupe.run`, as `newsdedup run` does), and the
flagged duplicate pairs are scored against the planted groups.

Run from the repository root::

    .venv/bin/python -m bench.duplicates [--seed 7] [--seeds 7 8 9] [--sweep] [--limit N]

Scoring. The gold pairs are the planted ones: two documents from one original (the
original and a copy, or two copies). Pairs of documents from two different originals are
negatives, those between reports of one ECB+ event the hard negatives, with two
exceptions left unscored: ECB+ holds wire copies, reports of one event that are one
agency text edited or cut (pairs of originals labelled by word alignment in
`bench.planted.natural_labels`; flagging them is right, and they are counted apart), and
texts that share 50-90% of the shorter one or a short lede inside a long article.

Printed, as markdown: precision and recall of the flagged pairs (the `pairs` table) and
of the pairs the duplicate clusters imply; per perturbation; the originals' pairs by
label; the false positives and the misses with their scores; with ``--seeds``, the same
over other seeds; with ``--sweep``, across the duplicate threshold (dedupe run again on
the same store).
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np

from bench.planted import (
    PERTURBATIONS,
    PlantedDoc,
    Source,
    load_sources,
    natural_labels,
    plant,
    write_corpus,
)
from dedupe.cluster import pair_key
from dedupe.run import DedupeParams, dedupe
from dedupe.signature import (
    DuplicateParams,
    Shingled,
    containment,
    coverage,
    jaccard,
    shingled,
)
from ingest.discover import discover
from ingest.run import IngestOptions, ingest_pass
from store.dedupe import DedupeStore, Pair
from store.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
DEFAULT_SEED = 7
# A short text inside a longer one is a quote or a related headline, not a copy: the bench
# found a headline-only article inside another site's "related stories" block.
CONTAINMENT_MIN_SHINGLES = 50
TOLERANCE = DuplicateParams().containment_tolerance  # the pipeline's default
LISTED = 10  # false positives and misses printed

Names = tuple[str, str]


# --- the pipeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the pipeline flagged, by document name."""

    pairs: dict[Names, Pair]  # every verified pair (duplicate or story)
    clusters: list[list[str]]  # duplicate clusters
    texts: dict[str, str]  # stored (clean) text of each document
    seconds: float
    _shingled: dict[int, dict[str, Shingled]] = field(default_factory=dict, repr=False)

    @functools.cached_property
    def shingle_sets(self) -> dict[str, Shingled]:
        """Each text's shingles as the pipeline's defaults make them."""
        return self.shingled(TOLERANCE)

    def shingled(self, tolerance: int) -> dict[str, Shingled]:
        """Each text's shingles, with variants for a containment tolerance."""
        if tolerance not in self._shingled:
            params = DuplicateParams(containment_tolerance=tolerance)
            self._shingled[tolerance] = {n: shingled(t, params) for n, t in self.texts.items()}
        return self._shingled[tolerance]

    def containment(self, a: str, b: str, tolerance: int | None) -> float:
        """Containment of the pair's texts: the share of the shorter one's distinct
        shingles in the longer (tolerance None, the rule before `coverage`), or the
        share of its words held with that tolerance (`coverage`, as the pipeline)."""
        if tolerance is None:
            x, y = self.shingle_sets[a], self.shingle_sets[b]
            return containment(x.hashes, y.hashes)
        sets = self.shingled(tolerance)
        return coverage(sets[a], sets[b])


@dataclass(frozen=True)
class Rule:
    """When a verified pair counts as duplicates: the pipeline's Jaccard threshold, and
    optionally containment, which a truncated copy keeps high, for texts of at least
    `min_shingles`: the share of the shorter text's distinct shingles found in the
    longer one (`tolerance` None), or of its words held by shingles of the longer one
    matching in all but `tolerance` other words (`coverage`, the pipeline's measure)."""

    threshold: float
    containment: float | None = None
    min_shingles: int = CONTAINMENT_MIN_SHINGLES
    min_length_ratio: float = 0.0  # shorter / longer shingle count for containment to count
    tolerance: int | None = None  # None: containment of shingles; else coverage of words

    def __str__(self) -> str:
        text = f"Jaccard >= {self.threshold:.2f}"
        if self.containment is not None:
            measure = "containment" if self.tolerance is None else "words held"
            text += f" or {measure} >= {self.containment:.2f} ({self.min_shingles}+ shingles"
            if self.min_length_ratio:
                text += f", length ratio >= {self.min_length_ratio:.2f}"
            if self.tolerance is not None:
                text += f", {self.tolerance} other word(s) of a shingle may differ"
            text += ")"
        return text

    def flags(self, outcome: Outcome, pair: Names, verified: Pair) -> bool:
        if verified.duplicate_score >= self.threshold:
            return True
        if self.containment is None:
            return False
        a, b = (outcome.shingle_sets[name] for name in pair)
        smaller, larger = sorted((a.size, b.size))
        return (
            smaller >= self.min_shingles
            and smaller >= self.min_length_ratio * larger
            and outcome.containment(*pair, self.tolerance) >= self.containment
        )


SWEEP = (
    *(Rule(t) for t in (0.5, 0.55, 0.6, 0.65, 0.7)),
    *(Rule(0.6, c) for c in (0.7, 0.8, 0.9)),
    Rule(0.6, 0.8, 20),
    Rule(0.6, 0.9, 1, 0.5),
    Rule(0.5, 0.8),
    *(Rule(0.6, c, 1, 0.5, 0) for c in (0.85, 0.9)),
    *(Rule(0.6, c, 1, 0.5, 1) for c in (0.8, 0.85, 0.9, 0.95)),
    Rule(0.6, 0.9, 1, 0.4, 1),
)
# The rules the seeds table compares with the defaults: containment of shingles (the
# rule before `coverage`), words held with exact shingles only, and other bars.
PROPOSALS = (
    Rule(0.6, 0.9, 1, 0.5),
    Rule(0.6, 0.9, 1, 0.5, 0),
    Rule(0.6, 0.85, 1, 0.5, 1),
    Rule(0.6, 0.95, 1, 0.5, 1),
)


def run_pipeline(folder: Path, db: Path, params: DedupeParams | None = None) -> Outcome:
    """Ingest `folder` into a new store at `db`, dedupe it, and read the results back."""
    params = params or DedupeParams()
    start = time.perf_counter()
    options = IngestOptions()
    with Store.open(db) as store:
        run_id = store.start_run("bench", str(folder))
        files = list(discover(folder))
        ingest_pass(store, folder, files, run_id, options)
        dedupe(store, run_id, params)
        seconds = time.perf_counter() - start
        return _read(store, seconds)


def _read(store: Store, seconds: float) -> Outcome:
    names, texts = {}, {}
    for article in store.iter_articles():
        name = article["source"].removesuffix(".json")
        names[article["id"]] = name
        texts[name] = article["text"] or article["title"]
    ds = DedupeStore(store)
    pairs = {pair_key(names[p.a], names[p.b]): p for p in ds.iter_pairs()}
    clusters = [
        sorted(names[m] for m in c.members) for c in ds.iter_clusters() if c.kind == "duplicate"
    ]
    return Outcome(pairs, clusters, texts, seconds)


# --- truth ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    docs: dict[str, PlantedDoc]
    natural: dict[Names, str]  # pairs of originals: "copy" or "partial"
    event: dict[str, str | None]  # original -> ECB+ event

    def label(self, x: str, y: str) -> str:
        """"duplicate" (planted), "wire" or "partial" (not scored), or "different"."""
        a, b = self.docs[x].group, self.docs[y].group
        if a == b:
            return "duplicate"
        natural = self.natural.get(pair_key(a, b))
        return {"copy": "wire", "partial": "partial"}.get(natural or "", "different")

    def positives(self) -> set[Names]:
        """The planted pairs: two documents of one group."""
        members: dict[str, list[str]] = {}
        for doc in self.docs.values():
            members.setdefault(doc.group, []).append(doc.name)
        return {pair_key(x, y) for group in members.values() for x, y in combinations(group, 2)}

    def kinds(self, pair: Names) -> set[str]:
        return {self.docs[n].kind for n in pair} - {"original"}


def truth_of(sources: Sequence[Source], docs: Sequence[PlantedDoc]) -> Truth:
    return Truth(
        {d.name: d for d in docs},
        natural_labels(sources),
        {s.name: s.event for s in sources},
    )


# --- scores -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    gold: int
    flagged: int  # scored flags (wire copies and partial overlaps left out)
    correct: int
    unscored: int  # flagged pairs between wire copies or partial overlaps

    @property
    def precision(self) -> float:
        return self.correct / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0


def score(flagged: Iterable[Names], gold: set[Names], truth: Truth) -> Score:
    labels = [truth.label(*pair) for pair in flagged]
    scored = [label for label in labels if label in ("duplicate", "different")]
    return Score(
        len(gold),
        len(scored),
        sum(label == "duplicate" for label in scored),
        len(labels) - len(scored),
    )


def duplicate_pairs(outcome: Outcome, rule: Rule | None = None) -> set[Names]:
    """The pairs flagged duplicate: by the pipeline, or by `rule` over its verified pairs.

    Every verified pair has its exact Jaccard; a rule's other pairs (Jaccard below the
    pipeline's threshold) are story pairs the pipeline kept, so the rule sees them.
    """
    if rule is None:
        return {key for key, pair in outcome.pairs.items() if pair.kind == "duplicate"}
    return {key for key, pair in outcome.pairs.items() if rule.flags(outcome, key, pair)}


def cluster_pairs(outcome: Outcome) -> set[Names]:
    return {pair_key(x, y) for members in outcome.clusters for x, y in combinations(members, 2)}


def _pr(s: Score) -> str:
    return f"{s.precision:.3f} | {s.recall:.3f}"


def overall_table(outcome: Outcome, truth: Truth, found: set[Names]) -> list[str]:
    gold = truth.positives()
    rows = [
        "| flagged as | planted pairs | flagged (scored) | correct | unscored (wire, partial) "
        "| precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, flagged in (("duplicate pair", found),
                          ("same duplicate cluster", cluster_pairs(outcome))):
        s = score(flagged, gold, truth)
        rows.append(f"| {name} | {s.gold} | {s.flagged} | {s.correct} | {s.unscored} | {_pr(s)} |")
    return rows


def kind_table(outcome: Outcome, truth: Truth, found: set[Names]) -> list[str]:
    """Recall of original-copy pairs per perturbation; precision of flags touching a copy."""
    rows = [
        "| copy | copies | recall (original-copy) | median Jaccard | 5% lowest "
        "| flagged with such a copy | false | precision |",
        "|---|---|---|---|---|---|---|---|",
    ]
    stored = outcome.shingle_sets
    for kind in (*PERTURBATIONS, "copy-copy"):
        if kind == "copy-copy":
            planted = [
                pair_key(x.name, y.name)
                for x, y in combinations(truth.docs.values(), 2)
                if x.group == y.group and "original" not in (x.kind, y.kind)
            ]
            touching = [p for p in found if len(truth.kinds(p)) == 2]
        else:
            planted = [pair_key(d.group, d.name) for d in truth.docs.values() if d.kind == kind]
            touching = [p for p in found if kind in truth.kinds(p)]
        if not planted:
            continue
        hits = sum(p in found for p in planted)
        values = np.array([jaccard(stored[a].hashes, stored[b].hashes) for a, b in planted])
        false = sum(truth.label(*p) == "different" for p in touching)
        scored = sum(truth.label(*p) in ("duplicate", "different") for p in touching)
        precision = (scored - false) / scored if scored else 1.0
        rows.append(
            f"| {kind} | {len(planted)} | {hits / len(planted):.3f} ({hits}) "
            f"| {np.median(values):.2f} | {np.quantile(values, 0.05):.2f} "
            f"| {len(touching)} | {false} | {precision:.3f} |"
        )
    return rows


def originals_table(truth: Truth, found: set[Names]) -> list[str]:
    """Pairs of two originals, by label: wire copies, partial overlaps, hard negatives."""
    originals = sorted(n for n, d in truth.docs.items() if d.kind == "original")
    events: dict[str, list[str]] = {}
    for name in originals:
        if truth.event.get(name):
            events.setdefault(str(truth.event[name]), []).append(name)
    same_event = {pair_key(x, y) for group in events.values() for x, y in combinations(group, 2)}
    natural = {k: v for k, v in truth.natural.items() if k[0] in truth.docs and k[1] in truth.docs}
    copies = {k for k, v in natural.items() if v == "copy"}
    partial = {k for k, v in natural.items() if v == "partial"}
    hard = same_event - copies - partial
    among = {p for p in found if truth.docs[p[0]].kind == truth.docs[p[1]].kind == "original"}
    other = among - copies - partial - hard
    all_pairs = len(originals) * (len(originals) - 1) // 2
    rows = [
        "| pairs of two originals | pairs | flagged duplicate |",
        "|---|---|---|",
        f"| wire copies (>= 90% aligned, half the length or more): not scored "
        f"| {len(copies)} | {len(among & copies)} |",
        f"| partial overlap or a lede inside a longer text: not scored "
        f"| {len(partial)} | {len(among & partial)} |",
        f"| other reports of the same ECB+ event: hard negatives "
        f"| {len(hard)} | {len(among & hard)} |",
        f"| different events or sites | {all_pairs - len(natural) - len(hard)} "
        f"| {len(other)} |",
    ]
    return rows


def mistakes(outcome: Outcome, truth: Truth, found: set[Names]) -> list[str]:
    """The false positives and the misses, worst first, with their scores."""
    stored = outcome.shingle_sets
    lines = []
    false = sorted(
        (p for p in found if truth.label(*p) == "different"),
        key=lambda p: -outcome.pairs[p].duplicate_score,
    )
    lines.append(f"False positives: {len(false)}")
    for a, b in false[:LISTED]:
        pair = outcome.pairs[(a, b)]
        lines.append(
            f"- {a} ~ {b}: Jaccard {pair.duplicate_score:.3f}, {_containments(outcome, a, b)}, "
            f"words {_words(outcome, a)}/{_words(outcome, b)}, "
            f"story cosine {pair.story_score:.3f}"
        )
    missed = sorted(
        (p for p in truth.positives() if p not in found),
        key=lambda p: -jaccard(stored[p[0]].hashes, stored[p[1]].hashes),
    )
    lines.append(f"Misses: {len(missed)}")
    for a, b in missed[:LISTED]:
        kinds = ", ".join(sorted(truth.kinds((a, b))))
        known = outcome.pairs.get((a, b))
        verdict = f"verified as {known.kind}" if known else "never a candidate"
        lines.append(
            f"- {a} ~ {b} ({kinds}): Jaccard "
            f"{jaccard(stored[a].hashes, stored[b].hashes):.3f}, {_containments(outcome, a, b)}, "
            f"words {_words(outcome, a)}/{_words(outcome, b)}; {verdict}"
        )
    return lines


def _containments(outcome: Outcome, a: str, b: str) -> str:
    shingle_share, held = (outcome.containment(a, b, t) for t in (None, TOLERANCE))
    return f"containment {shingle_share:.3f}, words held {held:.3f}"


def _words(outcome: Outcome, name: str) -> int:
    return len(outcome.texts[name].split())


# --- runs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    score: Score  # the pipeline's duplicate pairs
    rules: dict[str, Score]  # the sweep's rules
    lines: tuple[str, ...]


def evaluate(
    shared: Path,
    seed: int = DEFAULT_SEED,
    limit: int | None = None,
    rules: Sequence[Rule] = (),
    work: Path | None = None,
) -> Report:
    sources = load_sources(shared, limit)
    docs = plant(sources, seed=seed)
    truth = truth_of(sources, docs)
    params = DedupeParams()
    with tempfile.TemporaryDirectory(prefix="bench-duplicates-") as tmp:
        folder = (work or Path(tmp)) / "corpus"
        db = (work or Path(tmp)) / "store.db"
        write_corpus(docs, folder)
        outcome = run_pipeline(folder, db, params)
    found = duplicate_pairs(outcome)
    copies = sum(d.kind != "original" for d in docs)
    lines = [
        f"Planted duplicates (seed {seed}): {len(sources)} originals "
        f"({sum(s.copyable for s in sources)} long enough to copy), {copies} copies, "
        f"{len(docs)} files; ingest + dedupe {outcome.seconds:.1f} s; defaults "
        f"(duplicate: {_default_rule(params)})",
        "",
        *overall_table(outcome, truth, found),
        "",
        *kind_table(outcome, truth, found),
        "",
        *originals_table(truth, found),
        "",
        *mistakes(outcome, truth, found),
    ]
    scores = {str(rule): score(duplicate_pairs(outcome, rule), truth.positives(), truth)
              for rule in rules}
    if rules:
        lines += ["", *rules_table(outcome, truth, rules)]
    return Report(score(found, truth.positives(), truth), scores, tuple(lines))


def _default_rule(params: DedupeParams) -> str:
    """The pipeline's own duplicate rule, as `Rule` prints one."""
    duplicate = params.duplicate
    containment = getattr(duplicate, "containment", None)
    return str(Rule(duplicate.threshold, containment, 1,
                    getattr(duplicate, "min_length_ratio", 0.0),
                    getattr(duplicate, "containment_tolerance", None)))


def rules_table(outcome: Outcome, truth: Truth, rules: Sequence[Rule]) -> list[str]:
    """Other duplicate rules, applied to the pairs the pipeline verified."""
    rows = [
        "Other rules over the same verified pairs (what the pipeline would flag with them):",
        "",
        "| rule | precision | recall | false positives | hard negatives flagged | misses "
        "| recall truncate | recall mixed | recall copy-copy |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    gold = truth.positives()
    for rule in rules:
        found = duplicate_pairs(outcome, rule)
        s = score(found, gold, truth)
        hard = sum(
            truth.label(*p) == "different"
            and truth.event.get(truth.docs[p[0]].group) is not None
            and truth.event.get(truth.docs[p[0]].group) == truth.event.get(truth.docs[p[1]].group)
            for p in found
        )
        recalls = []
        for kind in ("truncate", "mixed", "copy-copy"):
            planted = [p for p in gold if _pair_kind(truth, p) == kind]
            recalls.append(sum(p in found for p in planted) / len(planted) if planted else 1.0)
        rows.append(
            f"| {rule} | {s.precision:.3f} | {s.recall:.3f} | {s.flagged - s.correct} | {hard} "
            f"| {s.gold - s.correct} | " + " | ".join(f"{r:.3f}" for r in recalls) + " |"
        )
    return rows


def _pair_kind(truth: Truth, pair: Names) -> str:
    kinds = truth.kinds(pair)
    return "copy-copy" if len(kinds) > 1 or (
        kinds and "original" not in {truth.docs[n].kind for n in pair}
    ) else next(iter(kinds), "original")


def seeds_table(
    shared: Path, seeds: Sequence[int], limit: int | None, rules: Sequence[Rule]
) -> list[str]:
    names = ["defaults", *(str(rule) for rule in rules)]
    rows = [
        "| seed | " + " | ".join(f"{n}: P / R" for n in names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for seed in seeds:
        report = evaluate(shared, seed, limit, rules)
        cells = [report.score, *(report.rules[str(rule)] for rule in rules)]
        rows.append(
            f"| {seed} | " + " | ".join(f"{c.precision:.3f} / {c.recall:.3f}" for c in cells) + " |"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.duplicates",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="planting seed")
    parser.add_argument("--seeds", type=int, nargs="*", default=(),
                        help="also score these seeds (one line each)")
    parser.add_argument("--limit", type=int, help="use only the first N articles")
    parser.add_argument("--sweep", action="store_true",
                        help="also score other duplicate rules (thresholds, containment)")
    parser.add_argument("--keep", type=Path, help="write corpus and store here, and keep them")
    args = parser.parse_args(argv)
    if not (args.shared / "data" / "ecbplus-dev").exists():
        print(f"{args.shared}/data/ecbplus-dev does not exist: pass --shared", file=sys.stderr)
        return 2
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    rules = SWEEP if args.sweep else ()
    report = evaluate(args.shared, args.seed, args.limit, rules, work=args.keep)
    print("\n".join(report.lines))
    if args.seeds:
        print()
        print("\n".join(seeds_table(args.shared, args.seeds, args.limit, PROPOSALS)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
