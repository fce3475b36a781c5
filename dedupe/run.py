"""Flag duplicates and stories in the store, incrementally.

A run reads like its stages:
  1. forget   articles that are gone or whose text changed since they were signed;
  2. sign     the articles without signatures, a batch at a time, and file their
              LSH bands (never the whole corpus in memory);
  3. match    look each new article's bands up, verify the candidates with exact
              scores, then close triangles (verify pairs that share a neighbour);
  4. cluster  the connected components that changed: duplicates by union-find,
              stories by locally scaled average link over duplicate groups.

Pairs depend only on the two articles, and clusters only on their component, so
a store built over many runs holds the same pairs and clusters as one batch run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any

from dedupe.cluster import (
    STORY_LINKAGE,
    StoryLinkage,
    UnionFind,
    canonical,
    pair_key,
    story_clusters,
)
from dedupe.index import band_keys
from dedupe.signature import (
    DUPLICATE_PARAMS,
    STORY_PARAMS,
    DuplicateParams,
    StoryParams,
    cosine,
    jaccard,
    shingles,
    signatures,
)
from store.dedupe import ArticleText, Cluster, DedupeStore, Pair, Signature
from store.store import Store

log = logging.getLogger(__name__)

BATCH = 1000  # articles signed and matched per transaction


class DedupeError(Exception):
    """A run-level problem; the message says what to try."""


@dataclass(frozen=True)
class DedupeParams:
    duplicate: DuplicateParams = DUPLICATE_PARAMS
    story: StoryParams = STORY_PARAMS
    linkage: StoryLinkage = STORY_LINKAGE

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DedupeSummary:
    forgotten: int = 0
    signed: int = 0
    pairs: dict[str, int] = field(default_factory=lambda: {"duplicate": 0, "story": 0})
    clusters_changed: dict[str, int] = field(default_factory=lambda: {"duplicate": 0, "story": 0})
    interrupted: bool = False


Progress = Callable[[int], None]


def dedupe(
    store: Store,
    run_id: int,
    params: DedupeParams = DedupeParams(),
    *,
    rebuild: bool = False,
    progress: Callable[[int], Progress] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> DedupeSummary:
    """Bring pairs and clusters up to date with the articles in the store.

    Each batch commits on its own; `should_stop` is asked between batches, and a
    stopped run leaves the rest (and the clustering) to the next one.
    """
    ds = DedupeStore(store)
    _check_params(ds, params, rebuild)
    summary = DedupeSummary()
    summary.forgotten = forget(ds, ds.stale())
    todo = ds.unsigned()
    advance = progress(len(todo)) if progress else None
    for start in range(0, len(todo), BATCH):
        if should_stop():
            summary.interrupted = True
            return summary
        batch = ds.articles(todo[start : start + BATCH])
        sign(ds, batch, params)
        for pair in match(ds, [a.id for a in batch], params, run_id):
            summary.pairs[pair.kind] += 1
        summary.signed += len(batch)
        if advance:
            advance(len(batch))
    for cluster in recluster(ds, params, run_id):
        summary.clusters_changed[cluster.kind] += 1
    return summary


def _check_params(ds: DedupeStore, params: DedupeParams, rebuild: bool) -> None:
    wanted = json.loads(json.dumps(params.as_dict()))
    stored = ds.params()
    if stored is None or rebuild:
        ds.reset(wanted)
    elif stored != wanted:
        changed = sorted(
            f"{group}.{key}"
            for group in wanted
            for key in wanted[group]
            if stored.get(group, {}).get(key) != wanted[group][key]
        )
        raise DedupeError(
            f"the store's signatures and pairs were made with other settings ({', '.join(changed)}); "
            "run `newsdedup dedupe --rebuild` to redo them all with these settings, "
            "or use the settings the store was made with"
        )


def forget(ds: DedupeStore, stale: Sequence[str]) -> int:
    """Forget stale articles, and the triangle pairs that only they closed."""
    neighbours = {article: ds.lsh_neighbours(article) for article in stale}
    ds.forget(stale)
    orphans = []
    for around in neighbours.values():
        for b, c in combinations(sorted(around), 2):
            pair = ds.pair(b, c)
            if pair and pair.via == "triangle" and not ds.lsh_neighbours(b) & ds.lsh_neighbours(c):
                orphans.append(pair)
    ds.drop_pairs(orphans)
    return len(stale)


def sign(ds: DedupeStore, batch: Sequence[ArticleText], params: DedupeParams) -> None:
    """Compute and store both signatures of each article, with their LSH bands."""
    signed, bands = [], []
    for article in batch:
        sig = signatures(article.title, article.text, params.duplicate, params.story)
        signed.append(
            Signature(article.id, article.text_hash or "", sig.duplicate, sig.story, dict(sig.terms))
        )
        for kind, minhash in (("duplicate", sig.duplicate), ("story", sig.story)):
            shape = _shape(kind, params)
            for band, key in enumerate(band_keys(minhash, *shape)[0].tolist()):
                bands.append((kind, band, key, article.id))
    ds.add(signed, bands)


def match(ds: DedupeStore, new: Sequence[str], params: DedupeParams, run_id: int) -> list[Pair]:
    """Verified pairs of the new articles: LSH candidates, then closed triangles."""
    signed = ds.signatures(new)
    candidates: set[tuple[str, str]] = set()
    for kind in ("duplicate", "story"):
        shape = _shape(kind, params)
        keys = {
            article: [(band, key) for band, key in enumerate(band_keys(
                sig.duplicate_minhash if kind == "duplicate" else sig.story_minhash, *shape
            )[0].tolist())]
            for article, sig in signed.items()
        }
        buckets = ds.candidates(kind, (k for ks in keys.values() for k in ks))
        for article, article_keys in keys.items():
            for bucket in article_keys:
                candidates.update(
                    pair_key(article, other) for other in buckets.get(bucket, ()) if other != article
                )
    found = verify(ds, sorted(candidates - _known(ds, candidates)), params, "lsh")
    ds.add_pairs(found, new, run_id)
    # Each new LSH edge a-b: a against b's LSH neighbours, and b against a's.
    closing: set[tuple[str, str]] = set()
    for pair in found:
        for one, other in ((pair.a, pair.b), (pair.b, pair.a)):
            closing.update(pair_key(one, c) for c in ds.lsh_neighbours(other) if c != one)
    closed = verify(ds, sorted(closing - _known(ds, closing)), params, "triangle")
    ds.add_pairs(closed, (), run_id)
    return found + closed


def _known(ds: DedupeStore, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {pair for pair in pairs if ds.pair(*pair) is not None}


def verify(
    ds: DedupeStore, candidates: Sequence[tuple[str, str]], params: DedupeParams, via: str
) -> list[Pair]:
    """The candidates whose exact scores make them duplicates or one story."""
    ids = sorted({a for pair in candidates for a in pair})
    signed = ds.signatures(ids)
    texts = {a.id: a for a in ds.articles(ids)}
    shingle_sets = {
        a: shingles(texts[a].text or texts[a].title, params.duplicate.shingle_size) for a in ids
    }
    kept = []
    for a, b in candidates:
        duplicate = jaccard(shingle_sets[a], shingle_sets[b])
        story = cosine(signed[a].story_terms, signed[b].story_terms)
        if duplicate >= params.duplicate.threshold:
            kept.append(Pair(a, b, "duplicate", duplicate, story, via))
        elif story >= params.story.verify_threshold:
            kept.append(Pair(a, b, "story", duplicate, story, via))
    return kept


def recluster(ds: DedupeStore, params: DedupeParams, run_id: int) -> list[Cluster]:
    """Cluster again every component holding a dirty article; returns changed clusters."""
    dirty = ds.dirty()
    if not dirty:
        return []
    nodes, pairs = _components_around(ds, dirty)
    info = {a.id: a for a in ds.articles(sorted(nodes))}
    nodes &= info.keys()  # dirty articles may be gone
    clusters = cluster(sorted(nodes), pairs, info, params.linkage)
    previous = {(c.kind, c.id): c for c in ds.clusters_of(sorted(nodes | set(dirty)))}
    changed = []
    stamped = []
    for c in clusters:
        old = previous.get((c.kind, c.id))
        if old is None or not set(c.members) <= set(old.members):
            changed.append(c)
            stamped.append(Cluster(c.kind, c.id, c.canonical, c.members, run_id))
        else:
            stamped.append(Cluster(c.kind, c.id, c.canonical, c.members, old.run_id))
    ds.replace_clusters(sorted(nodes | set(dirty)), stamped)
    return changed


def _components_around(ds: DedupeStore, start: Sequence[str]) -> tuple[set[str], list[Pair]]:
    """Every article connected to `start` by pairs, and those pairs."""
    nodes = set(start)
    frontier = sorted(nodes)
    pairs: dict[tuple[str, str], Pair] = {}
    while frontier:
        reached = set()
        for pair in ds.pairs_of(frontier):
            pairs[(pair.a, pair.b)] = pair
            reached.update((pair.a, pair.b))
        frontier = sorted(reached - nodes)
        nodes |= reached
    return nodes, [pairs[k] for k in sorted(pairs)]


def cluster(
    nodes: Sequence[str],
    pairs: Sequence[Pair],
    info: dict[str, ArticleText],
    linkage: StoryLinkage,
) -> list[Cluster]:
    """Duplicate and story clusters (two or more members) of a set of articles.

    Stories are clustered over duplicate groups, so a duplicate cluster's members
    always share one story cluster.
    """
    groups = UnionFind(nodes)
    for pair in pairs:
        if pair.kind == "duplicate":
            groups.union(pair.a, pair.b)
    head = {member: group[0] for group in groups.groups() for member in group}
    members: dict[str, list[str]] = {}
    for node in nodes:
        members.setdefault(head[node], []).append(node)
    similarity: dict[tuple[str, str], float] = {}
    for pair in pairs:
        a, b = head[pair.a], head[pair.b]
        if a != b:
            key = pair_key(a, b)
            similarity[key] = max(similarity.get(key, 0.0), pair.story_score)
    out = [
        _cluster("duplicate", group, info) for group in members.values() if len(group) > 1
    ]
    for story in story_clusters(sorted(members), similarity, linkage):
        articles = sorted(m for h in story for m in members[h])
        if len(articles) > 1:
            out.append(_cluster("story", articles, info))
    return out


def _cluster(kind: str, members: Sequence[str], info: dict[str, ArticleText]) -> Cluster:
    first = canonical([(m, info[m].date, len(info[m].text), info[m].source) for m in members])
    return Cluster(kind, f"{kind}:{first}", first, sorted(members))


def _shape(kind: str, params: DedupeParams) -> tuple[int, int]:
    return params.duplicate.bands() if kind == "duplicate" else params.story.bands()
