"""The dedupe stage on a Dask cluster, with exactly the local engine's results.

The client (this process) reads the store and writes the results back into it; the
workers do the computing, a block of articles at a time:
  1. sign     each block of unsigned articles: both signatures, the LSH band rows, and
              what verification compares (word hashes and packed term weights);
  2. match    each pair of blocks, one of them new, is joined on its band rows (no
              shuffle: a pair's shared bands all lie in its two blocks); the candidates
              of two new blocks are judged beside those blocks by the local engine's own
              `judge`; those of a stored block, once the client has sent the stored
              articles' texts;
  3. close    the client, which writes every pair anyway, finds the 2-paths of LSH pairs
              through a new one that are not yet pairs; the workers judge them, grouped
              by the blocks of their two ends;
  4. write    signatures, bands and pairs go into the store in one transaction (a killed
              run leaves the store as it was; the next run does the work again);
  5. cluster  connected components of the pair graph by min-label propagation; each
              component with a dirty article is clustered on one worker by the local
              engine's `cluster`, and stored a partition at a time.

The pair set is the local engine's: every verified pair of a new article with an
article sharing enough LSH bands, and every closed 2-path of such pairs; clusters depend
only on their component. Workers need nothing shared but the newsdedup package: the
client ships every block they work on.
"""

from __future__ import annotations

import logging
import operator
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from itertools import pairwise
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import numpy.typing as npt
import pandas as pd
from dask.distributed import Client, Future, LocalCluster, wait
from scipy import sparse

from dedupe.cluster import StoryLinkage
from dedupe.run import (
    DedupeParams,
    DedupeSummary,
    Progress,
    band_rows,
    check_params,
    cluster,
    forget,
    judged,
    min_shared_bands,
    replace_clusters,
    signed_batch,
    verify_inputs,
)
from dedupe.signature import Shingled, distinct
from store.dedupe import (
    SIGNATURE_DTYPE,
    ArticleFacts,
    ArticleText,
    Cluster,
    DedupeStore,
    Pair,
    Signature,
    pack_terms,
    unpack_terms,
)
from store.store import Store

log = logging.getLogger(__name__)

BLOCK = 5000  # articles in a block: signed, or compared with another block, as one task
WINDOW = 20  # stored blocks whose candidates the client holds at once
PATHS = 20_000_000  # 2-paths of LSH pairs the client holds at once
ROWS = 250_000  # rows (pairs, ids) a partition read from the store holds

# Column types of the frames that pass between stages.
SIGNED = {
    "article": "str",
    "text_hash": "str",
    "duplicate": "object",  # bytes: the MinHash, as the store keeps it
    "story": "object",
    "terms": "object",  # bytes: pack_terms
}
BANDS = {"kind": "str", "band": "int64", "key": "int64", "article": "str"}
EDGES = {"a": "str", "b": "str"}
PAIRS = {
    "a": "str",
    "b": "str",
    "kind": "str",
    "duplicate_score": "float64",
    "story_score": "float64",
    "via": "str",
}
FACTS = {"id": "str", "date": "object", "text_chars": "int64", "source": "str"}  # date: None
# One row per article of a component ("node"), and one per cluster member.
CLUSTERED = {"member": "str", "kind": "str", "cluster": "str", "canonical": "str"}
NODE = "node"

# What verification compares of an article, by id: its word hashes (`Shingled`'s) and
# its packed term weights. Smaller than the text, and made once per run.
Features = dict[str, tuple[npt.NDArray[np.uint64], bytes]]


def frame(rows: Iterable[tuple[Any, ...]], schema: dict[str, str]) -> pd.DataFrame:
    """Rows as a frame with the stage's column types (also when there are none)."""
    return pd.DataFrame.from_records(list(rows), columns=list(schema)).astype(schema)


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A client of the cluster at `scheduler`, or of a LocalCluster sized to the machine:
    one single-threaded worker process per core (the work is pure Python)."""
    logging.getLogger("distributed").setLevel(logging.ERROR)  # shuffles log as warnings
    # Arrow's join warns on stderr of buffers that pickling left unaligned: harmless.
    os.environ.setdefault("ACERO_ALIGNMENT_HANDLING", "ignore")
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: the default one may be taken
            silence_logs=logging.ERROR,
        ) as local,
        Client(local) as client,
    ):
        yield client


def dedupe_dask(
    store: Store,
    run_id: int,
    params: DedupeParams,
    client: Client,
    *,
    rebuild: bool = False,
    progress: Callable[[int], Progress] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    block: int = BLOCK,
) -> DedupeSummary:
    """`dedupe.run.dedupe`, computed on the cluster behind `client`."""
    # The clustering's frames keep the column types `frame` gives them (dask must not
    # turn object columns into Arrow strings), and shuffles move pandas partitions (the
    # tasks method), not Arrow tables (P2P's, which failed on such frames before).
    settings = {"dataframe.convert-string": False, "dataframe.shuffle.method": "tasks"}
    with dask.config.set(settings):
        return _dedupe(store, run_id, params, client, rebuild, progress, should_stop, block)


def _dedupe(
    store: Store,
    run_id: int,
    params: DedupeParams,
    client: Client,
    rebuild: bool,
    progress: Callable[[int], Progress] | None,
    should_stop: Callable[[], bool],
    block: int,
) -> DedupeSummary:
    ds = DedupeStore(store)
    check_params(ds, params, rebuild)
    summary = DedupeSummary()
    summary.forgotten = forget(ds, ds.stale(), params)
    todo = ds.unsigned()
    if todo:
        advance = progress(len(todo)) if progress else None
        _Matching(ds, client, params, block).run(todo, run_id, summary, advance, should_stop)
    if should_stop():
        summary.interrupted = True
        return summary
    with _stage("cluster"):
        for changed in recluster(ds, client, params, run_id):
            summary.clusters_changed[changed.kind] += 1
    return summary


@contextmanager
def _stage(name: str) -> Iterator[None]:
    began = time.perf_counter()
    yield
    log.info("stage %s: %.1f s", name, time.perf_counter() - began)


@dataclass(frozen=True)
class _Block:
    """A block of new articles on the cluster: futures of their SIGNED rows, BANDS rows
    and Features."""

    signed: Future[Any]
    bands: Future[Any]
    features: Future[Any]


class _Matching:
    """Sign, match, close and write one run's new articles; holds the client, and where
    each article's Features are on the cluster (freed with the object)."""

    def __init__(self, ds: DedupeStore, client: Client, params: DedupeParams, block: int) -> None:
        self.ds = ds
        self.client = client
        self.params = params
        self.block = block
        self.least = {kind: min_shared_bands(kind, params) for kind in params.kinds}
        self.features: list[Future[Any]] = []  # blocks of Features on the cluster
        self.block_of: dict[str, int] = {}  # article: its block in `features`

    def run(
        self,
        todo: Sequence[str],
        run_id: int,
        summary: DedupeSummary,
        advance: Progress | None,
        should_stop: Callable[[], bool],
    ) -> None:
        with _stage("sign"):
            signed = self.sign(todo)
        if should_stop():
            summary.interrupted = True
            return
        with _stage("match"):
            lsh = self.match(signed)
        if should_stop():
            summary.interrupted = True
            return
        with _stage("close"):
            closing = self.close(lsh)
        with _stage("write"), self.ds.store.transaction():  # a signed article is matched
            summary.signed = self.write_signatures(signed, advance)
            for pairs, dirty in (([lsh], todo), ((f.result() for f in closing), [])):
                for kind, count in self.write_pairs(pairs, dirty, run_id).items():
                    summary.pairs[kind] += count

    # 1. sign

    def sign(self, todo: Sequence[str]) -> list[_Block]:
        """The new articles as blocks on the cluster, signed."""
        blocks = []
        for start in range(0, len(todo), self.block):
            articles = self.ds.articles(todo[start : start + self.block])
            done = self.client.submit(sign_block, self._ship(articles), self.params)
            blocks.append(_Block(*(self._part(done, i) for i in range(3))))
            self._hold([a.id for a in articles], blocks[-1].features)
        sizes = [self.client.submit(len, b.bands) for b in blocks]
        _count("band rows", sum(self.client.gather(sizes)))
        return blocks

    # 2. match

    def match(self, new: Sequence[_Block]) -> pd.DataFrame:
        """PAIRS of the verified LSH pairs: each new block against itself, the new blocks
        after it, and every stored block (each pair is found once)."""
        found, counts = [], []
        for i, mine in enumerate(new):
            for other in new[i:]:
                edges = self.client.submit(band_candidates, mine.bands, other.bands, self.least)
                counts.append(self.client.submit(len, edges))
                features = [mine.features, other.features]
                found.append(self.client.submit(judge_pairs, edges, features, self.params, "lsh"))
        window: list[Future[Any]] = []
        for sketches in self.ds.iter_sketches(self.block):
            bands = self.client.submit(sketch_bands, self._ship(sketches), self.params)
            window += [self.client.submit(band_candidates, b.bands, bands, self.least) for b in new]
            if len(window) >= WINDOW * len(new):
                found += self._judge_stored(window)
                window = []
        found += self._judge_stored(window)
        _count("candidate pairs", sum(self.client.gather(counts)))
        return _concat(self.client.gather(found), PAIRS)

    def _judge_stored(self, candidates: Sequence[Future[Any]]) -> list[Future[Any]]:
        """`_judge` the candidate EDGES of new and stored blocks."""
        edges = _concat(self.client.gather(list(candidates)), EDGES)
        _count("candidate pairs", len(edges))
        return self._judge(edges, "lsh")

    # 3. close

    def close(self, lsh: pd.DataFrame) -> list[Future[Any]]:
        """PAIRS frames of the verified pairs that close a triangle of LSH pairs."""
        new = lsh[list(EDGES)]
        ends = sorted(set(new["a"]) | set(new["b"]))
        stored = self.ds.lsh_neighbours_of(ends)
        every = pd.concat(
            [new, frame(((e, n) for e, around in stored.items() for n in around), EDGES)]
        )
        known = pd.concat([new, frame(sorted(self.ds.pair_keys_of(ends)), EDGES)])
        closing = two_paths(new, every, known)
        _count("triangle candidates", len(closing))
        found = self._judge(closing, "triangle")
        wait(found)  # so that the stage's time is its own
        return found

    def _judge(self, candidates: pd.DataFrame, via: str) -> list[Future[Any]]:
        """PAIRS frames of the candidates `judge` flags, a task per pair of blocks of
        their ends (stored articles not in a block yet get blocks of their own)."""
        ids = set(candidates["a"]) | set(candidates["b"])
        self._add_stored(sorted(ids - self.block_of.keys()))
        blocks = pd.DataFrame({end: candidates[end].map(self.block_of) for end in ("a", "b")})
        groups = list(candidates.groupby([blocks["a"], blocks["b"]], sort=True))
        if not groups:
            return []
        shipped = self.client.scatter(
            [rows.reset_index(drop=True) for _, rows in groups], hash=False
        )
        return [
            self.client.submit(
                judge_pairs, rows, [self.features[x], self.features[y]], self.params, via
            )
            for ((x, y), _), rows in zip(groups, shipped, strict=True)
        ]

    def _add_stored(self, ids: Sequence[str]) -> None:
        """Blocks of Features of stored articles, made on the workers from their texts."""
        for start in range(0, len(ids), self.block):
            chunk = ids[start : start + self.block]
            terms = {a: pack_terms(s.story_terms) for a, s in self.ds.signatures(chunk).items()}
            articles = self.ds.articles(chunk)
            shipped = self._ship((articles, terms))
            self._hold(chunk, self.client.submit(stored_features, shipped, self.params))
        if ids:
            _count("stored articles sent", len(ids))

    def _hold(self, ids: Sequence[str], features: Future[Any]) -> None:
        for article in ids:
            self.block_of[article] = len(self.features)
        self.features.append(features)

    # 4. write

    def write_signatures(self, signed: Sequence[_Block], advance: Progress | None) -> int:
        count = 0
        for block in signed:
            sigs, bands = self.client.gather([block.signed, block.bands])
            self.ds.add(_signatures(sigs), list(bands.itertuples(index=False, name=None)))
            count += len(sigs)
            if advance:
                advance(len(sigs))
        return count

    def write_pairs(
        self, frames: Iterable[pd.DataFrame], dirty: Sequence[str], run_id: int
    ) -> dict[str, int]:
        counts = {"duplicate": 0, "story": 0}
        for rows in frames:
            found = [Pair(*row) for row in rows.itertuples(index=False, name=None)]
            self.ds.add_pairs(found, (), run_id)
            for pair in found:
                counts[pair.kind] += 1
        self.ds.add_pairs([], dirty, run_id)
        return counts

    def _ship(self, data: Any) -> Future[Any]:
        return _ship(self.client, data)

    def _part(self, future: Future[Any], index: int) -> Future[Any]:
        return self.client.submit(operator.getitem, future, index)


# --- 5. cluster -----------------------------------------------------------------------


def recluster(ds: DedupeStore, client: Client, params: DedupeParams, run_id: int) -> list[Cluster]:
    """Cluster again every component holding a dirty article, as the local `recluster`
    does; returns the changed clusters."""
    dirty = ds.dirty()
    if not dirty:
        return []
    pairs = _from_store(client, ds.iter_pair_rows(ROWS), PAIRS)
    labels = components(pairs[["a", "b"]])
    dirty_frame = _scatter_frame(client, [(a,) for a in dirty], {"a": "str"})
    labels = labels.rename(columns={"node": "a", "label": "component"})
    wanted = labels.merge(dirty_frame, on="a")[["component"]].drop_duplicates()
    pairs = pairs.merge(labels, on="a").merge(wanted, on="component").persist()
    _count("pairs clustered", len(pairs))
    nodes = sorted(_ids(pairs))
    facts = [(f.id, f.date, f.text_chars, f.source) for f in ds.article_facts(nodes).values()]
    by_article = _scatter_frame(client, facts, FACTS).rename(columns={"id": "article"})
    for end in ("a", "b"):
        pairs = pairs.merge(_prefixed(by_article, end), on=end)
    clustered = pairs.shuffle("component").map_partitions(
        cluster_partition, params.story_linkage, meta=frame([], CLUSTERED)
    )
    changed: list[Cluster] = []
    seen: set[str] = set()
    for part in clustered.to_delayed():
        rows = client.compute(part).result()
        members, found = _clusters(rows)
        changed.extend(replace_clusters(ds, members, found, run_id))
        seen.update(members)
    with ds.store.transaction():
        replace_clusters(ds, sorted(set(dirty) - seen), [], run_id)
        ds.clear_dirty()
    return changed


# --- plumbing ------------------------------------------------------------------------


def _ship(client: Client, data: Any) -> Future[Any]:
    """Data sent to the cluster once, for tasks to take as an argument (under a key of
    its own: keys hashed from small frames' content were seen to collide)."""
    [future] = client.scatter([data], hash=False)
    return future


def _frame(parts: Sequence[Future[Any]], schema: dict[str, str]) -> dd.DataFrame:
    if not parts:
        return dd.from_pandas(frame([], schema), npartitions=1)
    return dd.from_delayed(list(parts), meta=frame([], schema), verify_meta=False)


def _scatter_frame(
    client: Client, rows: Sequence[tuple[Any, ...]], schema: dict[str, str]
) -> dd.DataFrame:
    parts = [_ship(client, frame(rows[i : i + ROWS], schema)) for i in range(0, len(rows), ROWS)]
    return _frame(parts, schema)


def _from_store(
    client: Client, chunks: Iterable[list[tuple[Any, ...]]], schema: dict[str, str]
) -> dd.DataFrame:
    return _frame([_ship(client, frame(rows, schema)) for rows in chunks], schema)


# --- what the workers run: pure functions of a block ---------------------------------


def sign_block(
    articles: Sequence[ArticleText], params: DedupeParams
) -> tuple[pd.DataFrame, pd.DataFrame, Features]:
    """SIGNED rows, BANDS rows and Features of the articles."""
    signed, bands = signed_batch(articles, params)
    sigs = frame(
        (
            (
                s.article,
                s.text_hash,
                s.duplicate_minhash.astype(SIGNATURE_DTYPE).tobytes(),
                s.story_minhash.astype(SIGNATURE_DTYPE).tobytes(),
                pack_terms(s.story_terms),
            )
            for s in signed
        ),
        SIGNED,
    )
    terms = dict(zip(sigs["article"], sigs["terms"], strict=True))
    return sigs, frame(bands, BANDS), _features(articles, terms, params)


def stored_features(
    data: tuple[Sequence[ArticleText], Mapping[str, bytes]], params: DedupeParams
) -> Features:
    """Features of signed articles (their packed terms come from the store)."""
    articles, terms = data
    return _features(articles, terms, params)


def _features(
    articles: Sequence[ArticleText], terms: Mapping[str, bytes], params: DedupeParams
) -> Features:
    shingles = verify_inputs(articles, params)
    return {a.id: (s.word_hashes, terms[a.id]) for a, s in zip(articles, shingles, strict=True)}


def sketch_bands(
    sketches: Sequence[tuple[str, bytes, bytes]], params: DedupeParams
) -> pd.DataFrame:
    """BANDS rows of stored signatures."""
    signed = [
        Signature(article, "", _sketch(duplicate), _sketch(story), {})
        for article, duplicate, story in sketches
    ]
    return frame(band_rows(signed, params), BANDS)


def band_candidates(
    mine: pd.DataFrame, other: pd.DataFrame, least: Mapping[str, int]
) -> pd.DataFrame:
    """EDGES (a < b, each once) of the articles of two blocks' BANDS rows that share at
    least `least[kind]` bands of a kind. Every band of both ends is in the two blocks."""
    shared = mine.merge(other, on=["kind", "band", "key"], suffixes=("", "_other"))
    shared = shared[shared["article"] != shared["article_other"]]
    counts = shared.groupby(["kind", "article", "article_other"]).size().reset_index(name="bands")
    enough = counts[counts["bands"] >= counts["kind"].map(least)]
    one, two = enough["article"], enough["article_other"]
    swap = one > two
    edges = pd.DataFrame({"a": one.where(~swap, two), "b": two.where(~swap, one)})
    return edges.drop_duplicates().reset_index(drop=True).astype(EDGES)


def judge_pairs(
    candidates: pd.DataFrame, blocks: Sequence[Features], params: DedupeParams, via: str
) -> pd.DataFrame:
    """PAIRS rows of the candidates that `judge` flags; both ends' Features are in
    `blocks`."""
    shingles: dict[str, Shingled] = {}  # made here, so that their caches die with the task
    terms: dict[str, dict[str, float]] = {}
    for article in sorted(set(candidates["a"]) | set(candidates["b"])):
        word_hashes, packed = next(b[article] for b in blocks if article in b)
        shingles[article] = Shingled.of(word_hashes, params.duplicate)
        terms[article] = unpack_terms(packed)
    pairs = list(zip(candidates["a"], candidates["b"], strict=True))
    return frame(map(astuple, judged(pairs, shingles, terms, params, via)), PAIRS)


def two_paths(
    new: pd.DataFrame, every: pd.DataFrame, known: pd.DataFrame, paths: int = PATHS
) -> pd.DataFrame:
    """EDGES (a < b, each once, none of `known`) of the paths a–m–b of an edge of `new`
    and an edge of `every`.

    A sparse product of the new adjacency with the whole one, a slice of rows at a time,
    each slice holding about `paths` paths: dense stories make the paths many (the sum
    of their articles' squared degrees), and most of them join pairs already known.
    """
    ids = np.unique(np.concatenate([every["a"], every["b"], new["a"], new["b"]]).astype(object))
    n = len(ids)

    def code(column: pd.Series) -> npt.NDArray[np.int64]:
        return np.searchsorted(ids, column.to_numpy(dtype=object)).astype(np.int64)

    def adjacency(edges: pd.DataFrame) -> sparse.csr_matrix:
        a, b = code(edges["a"]), code(edges["b"])
        ones = np.ones(2 * len(a), dtype=np.float32)  # exact counts, unlike small ints
        rows, cols = np.concatenate([a, b]), np.concatenate([b, a])
        return sparse.csr_matrix((ones, (rows, cols)), shape=(n, n))

    fresh, whole = adjacency(new), adjacency(every)
    cost = fresh @ np.asarray(whole.sum(axis=1)).ravel()  # paths from each row
    cuts = np.searchsorted(np.cumsum(cost), np.arange(paths, cost.sum(), paths), side="right")
    bounds = np.unique(np.r_[0, cuts, n])
    found = [np.empty(0, dtype=np.int64)]
    for start, stop in pairwise(bounds):
        reached = (fresh[start:stop] @ whole).tocoo()
        x, y = reached.row.astype(np.int64) + start, reached.col.astype(np.int64)
        apart = x != y
        found.append(distinct(np.minimum(x, y)[apart] * n + np.maximum(x, y)[apart]))
    keys = distinct(np.concatenate(found))
    inside = known["a"].isin(ids) & known["b"].isin(ids)
    known_keys = code(known["a"][inside]) * n + code(known["b"][inside])
    keys = keys[~np.isin(keys, known_keys)]
    return frame(zip(ids[keys // n], ids[keys % n], strict=True), EDGES)


def cluster_partition(rows: pd.DataFrame, linkage: StoryLinkage | None) -> pd.DataFrame:
    """CLUSTERED rows of each whole component in the partition."""
    out: list[tuple[str, str, str, str]] = []
    for _, component in rows.groupby("component", sort=True):
        info: dict[str, ArticleFacts] = {}
        for article, date, chars, source in _ends(component, ("date", "text_chars", "source")):
            info[article] = ArticleFacts(article, _optional(date), int(chars), source)
        pairs = sorted(
            (Pair(*row) for row in component[list(PAIRS)].itertuples(index=False, name=None)),
            key=lambda p: (p.a, p.b),
        )
        nodes = sorted(info)
        out.extend((node, NODE, "", "") for node in nodes)
        for c in cluster(nodes, pairs, info, linkage):
            out.extend((member, c.kind, c.id, c.canonical) for member in c.members)
    return frame(out, CLUSTERED)


def components(edges: dd.DataFrame) -> dd.DataFrame:
    """LABELS: each node of the edge list with its component's smallest node.

    Min-label propagation: every round, each node takes the smallest label among its
    own and its neighbours'; it ends when a round changes nothing (rounds: about the
    component's diameter).
    """
    both = _directed(edges, "node", "other").persist()
    labels = both.groupby("node")["other"].min().reset_index()
    labels["label"] = labels["other"].where(labels["other"] < labels["node"], labels["node"])
    labels = labels[["node", "label"]].persist()
    while True:
        offered = both.merge(labels.rename(columns={"node": "other", "label": "offer"}), on="other")
        best = offered.groupby("node")["offer"].min().reset_index()
        merged = labels.merge(best, on="node").persist()
        smaller = merged["offer"] < merged["label"]
        if not int(smaller.sum().compute()):
            return labels
        merged["label"] = merged["label"].where(~smaller, merged["offer"])
        labels = merged[["node", "label"]].persist()


def _count(what: str, rows: int) -> None:
    """How many rows a stage makes, for a user or a benchmark reading the log."""
    log.info("rows %s: %d", what, rows)


# --- helpers over frames -------------------------------------------------------------


def _concat(parts: Sequence[pd.DataFrame], schema: dict[str, str]) -> pd.DataFrame:
    return pd.concat([frame([], schema), *parts], ignore_index=True)


def _sketch(value: bytes) -> npt.NDArray[np.uint32]:
    return np.frombuffer(value, dtype=SIGNATURE_DTYPE).astype(np.uint32)


def _ends(rows: pd.DataFrame, fields: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """(article, its fields...) of each pair row's two ends: the a ends, then the b ends."""
    for end in ("a", "b"):
        yield from zip(rows[end], *(rows[f"{end}_{f}"] for f in fields), strict=True)


def _directed(edges: dd.DataFrame, one: str, other: str) -> dd.DataFrame:
    forward = edges[["a", "b"]].rename(columns={"a": one, "b": other})
    backward = edges[["a", "b"]].rename(columns={"a": other, "b": one})
    return dd.concat([forward, backward[[one, other]]])


def _prefixed(columns: dd.DataFrame, end: str) -> dd.DataFrame:
    """The columns named for one end of a pair: article as `end`, the rest `end_NAME`."""
    return columns.rename(
        columns={c: end if c == "article" else f"{end}_{c}" for c in columns.columns}
    )


def _ids(edges: dd.DataFrame) -> set[str]:
    return set(dd.concat([edges["a"], edges["b"]]).unique().compute())


def _signatures(sigs: pd.DataFrame) -> list[Signature]:
    return [
        Signature(
            article,
            text_hash,
            _sketch(duplicate),
            _sketch(story),
            unpack_terms(terms),
        )
        for article, text_hash, duplicate, story, terms in zip(
            sigs["article"],
            sigs["text_hash"],
            sigs["duplicate"],
            sigs["story"],
            sigs["terms"],
            strict=True,
        )
    ]


def _clusters(rows: pd.DataFrame) -> tuple[list[str], list[Cluster]]:
    """The articles of a partition's components, and their clusters."""
    members = sorted(rows.loc[rows["kind"] == NODE, "member"])
    found: dict[tuple[str, str], Cluster] = {}
    for member, kind, cluster_id, first in rows[rows["kind"] != NODE].itertuples(
        index=False, name=None
    ):
        found.setdefault((kind, cluster_id), Cluster(kind, cluster_id, first, []))
        found[(kind, cluster_id)].members.append(member)
    for c in found.values():
        c.members.sort()
    return members, [found[k] for k in sorted(found)]


def _optional(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)
