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
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt

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
    Shingled,
    StoryParams,
    distinct,
    shingled_batch,
    signature_batch,
    term_cosines,
)
from dedupe.verify import flagged
from store.dedupe import (
    ArticleFacts,
    ArticleText,
    Band,
    Cluster,
    DedupeStore,
    Pair,
    Signature,
)
from store.store import Store

log = logging.getLogger(__name__)

BATCH = 1000  # articles signed and matched per transaction
VERIFY_ARTICLES = 5000  # articles whose term weightings verification holds at once
TRIANGLE_EDGES = 1000  # new edges whose triangles are worked out at once


class DedupeError(Exception):
    """A run-level problem; the message says what to try."""


@dataclass(frozen=True)
class DedupeParams:
    duplicate: DuplicateParams = DUPLICATE_PARAMS
    story: StoryParams = STORY_PARAMS
    linkage: StoryLinkage = STORY_LINKAGE

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of pair flagged: duplicates, and stories unless they are off."""
        return ("duplicate", "story") if self.story.enabled else ("duplicate",)

    @property
    def story_linkage(self) -> StoryLinkage | None:
        """How stories are clustered; None when they are off."""
        return self.linkage if self.story.enabled else None


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
    check_params(ds, params, rebuild)
    summary = DedupeSummary()
    summary.forgotten = forget(ds, ds.stale(), params)
    todo = ds.unsigned()
    advance = progress(len(todo)) if progress else None
    for start in range(0, len(todo), BATCH):
        if should_stop():
            summary.interrupted = True
            return summary
        batch = ds.articles(todo[start : start + BATCH])
        # One transaction: an article signed is an article matched, even if the run dies.
        with store.transaction():
            sign(ds, batch, params)
            found = match(ds, [a.id for a in batch], params, run_id)
        for pair in found:
            summary.pairs[pair.kind] += 1
        summary.signed += len(batch)
        if advance:
            advance(len(batch))
    for cluster in recluster(ds, params, run_id):
        summary.clusters_changed[cluster.kind] += 1
    return summary


def _stored(ds: DedupeStore) -> dict[str, dict[str, Any]] | None:
    """The store's settings as JSON (None: not deduped yet), a setting added since the
    store was made at its default: new settings default to what newsdedup did before it
    had them."""
    stored = ds.params()
    if stored is None:
        return None
    defaults = json.loads(json.dumps(DedupeParams().as_dict()))
    return {group: {**defaults[group], **stored.get(group, {})} for group in defaults}


def stored_params(ds: DedupeStore) -> DedupeParams | None:
    """The settings the store's signatures and pairs were made with (None: not deduped
    yet); a `DedupeError` for settings this newsdedup does not know."""
    stored = _stored(ds)
    if stored is None:
        return None
    try:
        return DedupeParams(
            DuplicateParams(**stored["duplicate"]),
            StoryParams(**stored["story"]),
            StoryLinkage(**stored["linkage"]),
        )
    except (TypeError, ValueError) as error:
        raise DedupeError(
            f"the store was deduped with settings this newsdedup does not know ({error}): "
            "upgrade newsdedup, or `newsdedup dedupe --rebuild`"
        ) from error


def check_params(ds: DedupeStore, params: DedupeParams, rebuild: bool) -> None:
    """Start the store's dedupe afresh with `params` if it has none or on `rebuild`; else
    they must be the ones its signatures and pairs were made with."""
    if ds.params() is None or rebuild:
        ds.reset(json.loads(json.dumps(params.as_dict())))
        return
    check_compatible(ds, params)


def check_compatible(ds: DedupeStore, params: DedupeParams) -> None:
    """A `DedupeError` naming each setting that differs from the store's (none: no error,
    as for a store not deduped yet)."""
    wanted = json.loads(json.dumps(params.as_dict()))
    stored = _stored(ds)
    if stored is not None and stored != wanted:
        changed = sorted(
            f"{group}.{key} (store {json.dumps(was)}, now {json.dumps(now)})"
            for group in wanted
            for key in stored[group].keys() | wanted[group].keys()
            if (was := stored[group].get(key)) != (now := wanted[group].get(key))
        )
        raise DedupeError(
            "the store's signatures and pairs were made with other settings: "
            f"{', '.join(changed)}; "
            "run `newsdedup dedupe --rebuild` to redo them all with these settings, "
            "or use the settings the store was made with (flags or the config file)"
        )


def forget(ds: DedupeStore, stale: Sequence[str], params: DedupeParams) -> int:
    """Forget stale articles, and the triangle pairs that only they closed."""
    # Which stale articles each article was an LSH neighbour of.
    next_to: dict[str, set[str]] = {}
    for article, around in ds.lsh_neighbours_of(stale).items():
        for other in around:
            next_to.setdefault(other, set()).add(article)
    for article in stale:
        next_to.pop(article, None)
    bands = band_rows(list(ds.signatures(stale).values()), params)
    with ds.store.transaction():  # the orphans go with what made them orphans
        ds.forget(stale, bands)
        # A triangle pair that a stale article closed, whose ends share no LSH neighbour
        # now: read at once, one query each, not a query per pair of neighbours.
        closed = [p for p in ds.triangle_pairs_among(next_to) if next_to[p.a] & next_to[p.b]]
        lsh = ds.lsh_neighbours_of({end for p in closed for end in (p.a, p.b)})
        ds.drop_pairs([p for p in closed if not lsh[p.a] & lsh[p.b]])
    return len(stale)


def sign(ds: DedupeStore, batch: Sequence[ArticleText], params: DedupeParams) -> None:
    """Compute and store both signatures of each article, with their LSH bands."""
    ds.add(*signed_batch(batch, params))


def signed_batch(
    batch: Sequence[ArticleText], params: DedupeParams
) -> tuple[list[Signature], list[Band]]:
    """Both signatures of each article, and their LSH band rows."""
    found = signature_batch([(a.title, a.text) for a in batch], params.duplicate, params.story)
    signed = [
        Signature(article.id, article.text_hash or "", sig.duplicate, sig.story, dict(sig.terms))
        for article, sig in zip(batch, found, strict=True)
    ]
    return signed, band_rows(signed, params)


def band_rows(signed: Sequence[Signature], params: DedupeParams) -> list[Band]:
    """The LSH rows (kind, band, key, article) of signed articles, sorted: the order in
    which the store's B-tree takes them fastest."""
    by_id = {s.article: s for s in signed}
    ids = sorted(by_id)
    rows: list[Band] = []
    for kind in params.kinds:  # in key order too
        keys = _band_keys([by_id[a] for a in ids], kind, params)
        if not keys.size:
            continue
        bands = keys.shape[1]
        # Stable: articles with one key in one band stay in id order.
        order = np.lexsort((keys.ravel(), np.tile(np.arange(bands), len(ids))))
        articles = [ids[i] for i in (order // bands).tolist()]
        rows += zip(repeat(kind), (order % bands).tolist(), keys.ravel()[order].tolist(), articles)
    return rows


def _band_keys(
    signed: Sequence[Signature], kind: str, params: DedupeParams
) -> npt.NDArray[np.int64]:
    """The LSH band keys of one kind of each signed article: shape (articles, bands)."""
    if not signed:
        return np.empty((0, 0), dtype=np.int64)
    sketches = np.stack(
        [s.duplicate_minhash if kind == "duplicate" else s.story_minhash for s in signed]
    )
    return band_keys(sketches, *_shape(kind, params))


def match(ds: DedupeStore, new: Sequence[str], params: DedupeParams, run_id: int) -> list[Pair]:
    """Verified pairs of the new articles: LSH candidates, then closed triangles."""
    near = lsh_candidates(ds, ds.signatures(new).values(), params)
    # Ids are strings, so the smaller first is `pair_key`'s order.
    candidates = {
        (article, other) if article < other else (other, article)
        for article, others in near.items()
        for other in others
    }
    # Every candidate holds a new article, so the known ones are among the new ones' pairs.
    known = ds.pair_keys_of(new)
    shingle_sets: dict[str, Shingled] = {}  # shared by both verifications
    found = verify(ds, sorted(candidates - known), params, "lsh", shingle_sets)
    ds.add_pairs(found, new, run_id)
    ends = {a for pair in found for a in (pair.a, pair.b)}
    # Every closing pair holds an end of a new edge: the known ones are among theirs. The
    # LSH candidates were judged just now: those not kept would be turned down again.
    known = ds.pair_keys_of(ends) | candidates
    closing = triangle_candidates(found, ds.lsh_neighbours_of(ends), known)
    closed = verify(ds, closing, params, "triangle", shingle_sets)
    ds.add_pairs(closed, (), run_id)
    return found + closed


def triangle_candidates(
    edges: Sequence[Pair], neighbours: Mapping[str, set[str]], known: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The pairs that close a triangle over a new edge a-b: a with each of b's
    neighbours and b with each of a's, but for the `known` pairs, as sorted (smaller,
    larger) pairs. Worked out on integer ids in numpy, since an article of a popular
    topic has thousands of neighbours and ends many new edges."""
    names = sorted(set(neighbours).union(*neighbours.values()))
    index = {name: i for i, name in enumerate(names)}
    near = {
        node: np.fromiter((index[x] for x in around), dtype=np.int64, count=len(around))
        for node, around in neighbours.items()
    }
    size = len(names)
    found: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
    for start in range(0, len(edges), TRIANGLE_EDGES):  # memory for that many edges' pairs
        ones: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
        others: list[npt.NDArray[np.int64]] = [np.empty(0, dtype=np.int64)]
        for edge in edges[start : start + TRIANGLE_EDGES]:
            for one, other in ((edge.a, edge.b), (edge.b, edge.a)):
                ones.append(np.full(near[other].size, index[one], dtype=np.int64))
                others.append(near[other])
        first, second = np.concatenate(ones), np.concatenate(others)
        apart = first != second
        low, high = np.minimum(first, second)[apart], np.maximum(first, second)[apart]
        found.append(distinct(low * size + high))
        if len(found) % 16 == 0:  # a hub ends edges in every slice: its keys repeat
            found = [distinct(np.concatenate(found))]
    keys = distinct(np.concatenate(found))
    known_keys = [index[a] * size + index[b] for a, b in known if a in index and b in index]
    keys = keys[~np.isin(keys, np.array(known_keys, dtype=np.int64), assume_unique=True)]
    return [(names[k // size], names[k % size]) for k in keys.tolist()]


def lsh_candidates(
    ds: DedupeStore, signed: Iterable[Signature], params: DedupeParams
) -> dict[str, set[str]]:
    """Each signed article's LSH candidates in the store: the other articles that share
    one of its duplicate bands, or `min_shared_bands` of its story bands."""
    signed = list(signed)
    near: dict[str, set[str]] = {s.article: set() for s in signed}
    for kind in params.kinds:
        keys = {
            s.article: list(enumerate(row))
            for s, row in zip(signed, _band_keys(signed, kind, params).tolist(), strict=True)
        }
        buckets = ds.candidates(kind, (k for ks in keys.values() for k in ks))
        least = min_shared_bands(kind, params)
        for article, article_keys in keys.items():
            shared = Counter(other for bucket in article_keys for other in buckets.get(bucket, ()))
            near[article].update(o for o, count in shared.items() if count >= least)
    for article, others in near.items():
        others.discard(article)
    return near


def verify(
    ds: DedupeStore,
    candidates: Sequence[tuple[str, str]],
    params: DedupeParams,
    via: str,
    shingle_sets: dict[str, Shingled] | None = None,
) -> list[Pair]:
    """The candidates whose exact scores make them duplicates or one story.

    Works through the candidates in chunks of at most VERIFY_ARTICLES articles, so that
    memory holds that many term weightings, not one per candidate. `shingle_sets` holds
    articles' shingles already made, and gets the ones made here; once it holds more
    than VERIFY_ARTICLES, a chunk's go back bare, without the arrays comparing made of
    them (ten times as large).
    """
    shingle_sets = {} if shingle_sets is None else shingle_sets
    kept: list[Pair] = []
    chunk: list[tuple[str, str]] = []
    ids: set[str] = set()
    for pair in candidates:
        if len(ids) + sum(a not in ids for a in pair) > VERIFY_ARTICLES and chunk:
            kept.extend(_verify_chunk(ds, chunk, params, via, shingle_sets))
            chunk, ids = [], set()
        chunk.append(pair)
        ids.update(pair)
    if chunk:
        kept.extend(_verify_chunk(ds, chunk, params, via, shingle_sets))
    return kept


def _verify_chunk(
    ds: DedupeStore,
    candidates: Sequence[tuple[str, str]],
    params: DedupeParams,
    via: str,
    shingle_sets: dict[str, Shingled],
) -> list[Pair]:
    ids = sorted({a for pair in candidates for a in pair})
    terms = ds.story_terms(ids)
    missing = ds.articles([a for a in ids if a not in shingle_sets])
    shingle_sets.update(zip((a.id for a in missing), verify_inputs(missing, params), strict=True))
    kept = judged(candidates, shingle_sets, terms, params, via)
    if len(shingle_sets) > VERIFY_ARTICLES:  # many kept: keep their words alone
        for article in ids:
            shingle_sets[article] = shingle_sets[article].bare()
    return kept


def judged(
    candidates: Sequence[tuple[str, str]],
    shingles: Mapping[str, Shingled],
    terms: Mapping[str, Mapping[str, float]],
    params: DedupeParams,
    via: str,
) -> list[Pair]:
    """The candidates `flagged` as duplicates or one story, their term cosines worked out
    together (`term_cosines`); `shingles` and `terms` hold both ends of each."""
    place = {a: i for i, a in enumerate(terms)}
    weightings = list(terms.values())
    scores = term_cosines(weightings, [(place[a], place[b]) for a, b in candidates])
    kept = []
    for (a, b), score in zip(candidates, scores, strict=True):
        v = flagged(shingles[a], shingles[b], score, params.duplicate, params.story)
        if v and v.kind:
            kept.append(Pair(a, b, v.kind, v.duplicate_score, v.story_score, via))
    return kept


def verify_inputs(articles: Sequence[ArticleText], params: DedupeParams) -> list[Shingled]:
    """What verification compares of each article's text: the body's shingles (the
    title's when the body is empty)."""
    return shingled_batch([a.text or a.title for a in articles], params.duplicate)


def recluster(ds: DedupeStore, params: DedupeParams, run_id: int) -> list[Cluster]:
    """Cluster again every component holding a dirty article; returns changed clusters."""
    dirty = ds.dirty()
    if not dirty:
        return []
    nodes, pairs = ds.component_of(dirty)
    info = ds.article_facts(sorted(nodes))
    nodes &= info.keys()  # dirty articles may be gone
    clusters = cluster(sorted(nodes), pairs, info, params.story_linkage)
    with ds.store.transaction():
        changed = replace_clusters(ds, sorted(nodes | set(dirty)), clusters, run_id)
        ds.clear_dirty()
    return changed


def replace_clusters(
    ds: DedupeStore, articles: Sequence[str], clusters: Sequence[Cluster], run_id: int
) -> list[Cluster]:
    """Store `clusters` as the clusters of `articles`; returns those whose members changed.

    A cluster keeps the run that last added a member to it.
    """
    previous = {(c.kind, c.id): c for c in ds.clusters_of(articles)}
    changed = []
    stamped = []
    for c in clusters:
        old = previous.get((c.kind, c.id))
        if old is None or not set(c.members) <= set(old.members):
            changed.append(c)
            stamped.append(Cluster(c.kind, c.id, c.canonical, c.members, run_id))
        else:
            stamped.append(Cluster(c.kind, c.id, c.canonical, c.members, old.run_id))
    ds.replace_clusters(articles, stamped)
    return changed


def cluster(
    nodes: Sequence[str],
    pairs: Sequence[Pair],
    info: Mapping[str, ArticleFacts],
    linkage: StoryLinkage | None,
) -> list[Cluster]:
    """Duplicate and story clusters (two or more members) of a set of articles; no
    story clusters when `linkage` is None.

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
    out = [_cluster("duplicate", group, info) for group in members.values() if len(group) > 1]
    if linkage is None:
        return out
    similarity: dict[tuple[str, str], float] = {}
    for pair in pairs:
        a, b = head[pair.a], head[pair.b]
        if a != b:
            key = pair_key(a, b)
            similarity[key] = max(similarity.get(key, 0.0), pair.story_score)
    for story in story_clusters(sorted(members), similarity, linkage):
        articles = sorted(m for h in story for m in members[h])
        if len(articles) > 1:
            out.append(_cluster("story", articles, info))
    return out


def _cluster(kind: str, members: Sequence[str], info: Mapping[str, ArticleFacts]) -> Cluster:
    first = canonical([(m, info[m].date, info[m].text_chars, info[m].source) for m in members])
    return Cluster(kind, f"{kind}:{first}", first, sorted(members))


def _shape(kind: str, params: DedupeParams) -> tuple[int, int]:
    return params.duplicate.bands() if kind == "duplicate" else params.story.bands()


def min_shared_bands(kind: str, params: DedupeParams) -> int:
    """How many bands of one kind two articles share to be candidates."""
    return 1 if kind == "duplicate" else params.story.min_shared_bands
