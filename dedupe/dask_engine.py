"""The dedupe stage on a Dask cluster, with exactly the local engine's results.

The client (this process) reads the store and writes the results back into it; the
workers do the computing, a partition at a time:
  1. sign     each partition of unsigned articles: both signatures, the LSH band rows,
              and the shingles and term weights that verification reads;
  2. match    a shuffle join of the new band rows with every band row gives the
              candidates; each is scored beside its two articles' shingles and terms
              (joined in by id) by the local engine's own `judge`;
  3. close    the 2-paths of LSH pairs through a new one, not yet pairs, scored the same;
  4. write    signatures, bands and pairs go into the store in one transaction (a killed
              run leaves the store as it was; the next run does the work again);
  5. cluster  connected components of the pair graph by min-label propagation; each
              component with a dirty article is clustered on one worker by the local
              engine's `cluster`, and stored a partition at a time.

The pair set is the local engine's: every verified pair of a new article with an
article sharing an LSH bucket, and every closed 2-path of such pairs; clusters depend
only on their component. Workers need nothing shared but the newsdedup package: the
client ships every partition they work on.
"""

from __future__ import annotations

import logging
import operator
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.distributed import Client, Future, LocalCluster, wait

from dedupe.cluster import StoryLinkage
from dedupe.run import (
    DedupeParams,
    DedupeSummary,
    Progress,
    check_params,
    cluster,
    forget,
    min_shared_bands,
    replace_clusters,
    signed_batch,
    verify_input,
)
from dedupe.signature import TermVector
from dedupe.verify import judge
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

PARTITION = 5000  # articles a task signs or scores the shingles of
ROWS = 250_000  # rows (bands, pairs, ids) a partition read from the store holds
ROUND = 5_000  # new articles matched at once: bounds the candidates the workers hold

# Column types of the frames that pass between stages.
SIGNED = {
    "article": "str",
    "text_hash": "str",
    "duplicate": "object",  # bytes: the MinHash, as the store keeps it
    "story": "object",
    "terms": "object",  # bytes: pack_terms
    "title": "str",
    "text": "str",
}
# What verification reads of an article: its text (shipped, not its shingles: the text
# is the smaller) and its term weights.
FEATURES = {"article": "str", "title": "str", "text": "str", "terms": "object"}
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
    partition: int = PARTITION,
) -> DedupeSummary:
    """`dedupe.run.dedupe`, computed on the cluster behind `client`."""
    # Frames carry bytes: dask must not turn object columns into strings, and shuffles
    # move pandas partitions (the tasks method), not Arrow tables (P2P's, which failed on
    # these frames at 100,000 articles).
    settings = {"dataframe.convert-string": False, "dataframe.shuffle.method": "tasks"}
    with dask.config.set(settings):
        return _dedupe(store, run_id, params, client, rebuild, progress, should_stop, partition)


def _dedupe(
    store: Store,
    run_id: int,
    params: DedupeParams,
    client: Client,
    rebuild: bool,
    progress: Callable[[int], Progress] | None,
    should_stop: Callable[[], bool],
    partition: int,
) -> DedupeSummary:
    ds = DedupeStore(store)
    check_params(ds, params, rebuild)
    engine = _Engine(ds, client, params, partition)
    summary = DedupeSummary()
    summary.forgotten = forget(ds, ds.stale(), params)
    todo = ds.unsigned()
    if todo:
        with _stage("sign"):
            signed = engine.sign(todo)
        if should_stop():
            summary.interrupted = True
            return summary
        with _stage("match"):
            found = engine.match(signed, set(todo))
        if should_stop():
            summary.interrupted = True
            return summary
        advance = progress(len(todo)) if progress else None
        with _stage("write"), store.transaction():  # an article signed is an article matched
            summary.signed = engine.write_signatures(signed, advance)
            for pairs, dirty in ((found[0], todo), (found[1], [])):
                for kind, count in engine.write_pairs(pairs, dirty, run_id).items():
                    summary.pairs[kind] += count
    if should_stop():
        summary.interrupted = True
        return summary
    with _stage("cluster"):
        for changed in engine.recluster(run_id):
            summary.clusters_changed[changed.kind] += 1
    return summary


@contextmanager
def _stage(name: str) -> Iterator[None]:
    began = time.perf_counter()
    yield
    log.info("stage %s: %.1f s", name, time.perf_counter() - began)


class _Engine:
    """One run's stages; holds the client and what the stages share."""

    def __init__(
        self, ds: DedupeStore, client: Client, params: DedupeParams, partition: int
    ) -> None:
        self.ds = ds
        self.client = client
        self.params = params
        self.partition = partition

    # 1. sign

    def sign(self, todo: Sequence[str]) -> list[Future[Any]]:
        """One future per partition of `todo`: (SIGNED frame, BANDS frame)."""
        out = []
        for start in range(0, len(todo), self.partition):
            articles = self.ds.articles(todo[start : start + self.partition])
            out.append(self.client.submit(sign_partition, self._ship(articles), self.params))
        wait(out)
        return out

    # 2. and 3. match and close

    def match(
        self, signed: Sequence[Future[Any]], new: set[str]
    ) -> tuple[dd.DataFrame, dd.DataFrame]:
        """The verified pairs found through LSH, and those closing a triangle.

        New articles are matched ROUND at a time, against the stored articles and the new
        ones of their round or a later one: each pair is found once, and the workers hold
        one round's candidates (each with both texts) at a time.
        """
        bands = [self._part(f, 1) for f in signed]
        old_bands = self._from_store(self.ds.iter_bands(ROWS), BANDS).persist()
        _count("band rows", dd.concat([self._frame(bands, BANDS), old_bands]))
        features = self._frame([self._part(f, 0) for f in signed], SIGNED)[list(FEATURES)]
        have = set(new)
        per_round = max(1, ROUND // self.partition)
        found = []
        for start in range(0, len(bands), per_round):
            mine = self._frame(bands[start : start + per_round], BANDS)
            every_band = dd.concat([self._frame(bands[start:], BANDS), old_bands])
            shared = mine.merge(every_band, on=["kind", "band", "key"], suffixes=("", "_other"))
            shared = shared[shared["article"] != shared["article_other"]]
            least = {kind: min_shared_bands(kind, self.params) for kind in ("duplicate", "story")}
            enough = _sharing_enough(shared, least)
            candidates = _pairs_of(enough, "article", "article_other").persist()
            _count("candidate pairs", candidates)
            ids = _ids(candidates)
            features = dd.concat([features, self._features(ids - have)]).persist()
            have |= ids
            found.append(self._score(candidates, features, "lsh").persist())
        _count("article texts", features)
        lsh = dd.concat(found)

        edges = lsh[["a", "b"]]
        old_edges = self._from_store(self.ds.iter_edges(ROWS, via="lsh"), EDGES)
        ends = _directed(edges, "x", "m")
        every_edge = _directed(dd.concat([edges, old_edges]), "m", "y")
        paths = ends.merge(every_edge, on="m")
        paths = _pairs_of(paths[paths["x"] != paths["y"]], "x", "y")
        known = dd.concat([edges, self._from_store(self.ds.iter_edges(ROWS), EDGES)])
        closing = _without(paths, known).persist()
        _count("triangle candidates", closing)
        features = dd.concat([features, self._features(_ids(closing) - have)])
        return lsh, self._score(closing, features, "triangle").persist()

    def _features(self, ids: set[str]) -> dd.DataFrame:
        """FEATURES of stored articles, computed on the workers."""
        ordered = sorted(ids)
        parts = []
        for start in range(0, len(ordered), self.partition):
            chunk = ordered[start : start + self.partition]
            terms = {a: pack_terms(s.story_terms) for a, s in self.ds.signatures(chunk).items()}
            articles = self.ds.articles(chunk)
            parts.append(self.client.submit(features_partition, self._ship((articles, terms))))
        return self._frame(parts, FEATURES)

    def _score(self, candidates: dd.DataFrame, features: dd.DataFrame, via: str) -> dd.DataFrame:
        with_a = candidates.merge(_prefixed(features, "a"), on="a")
        both = with_a.merge(_prefixed(features, "b"), on="b")
        return both.map_partitions(judge_partition, self.params, via, meta=frame([], PAIRS))

    # 4. write

    def write_signatures(self, signed: Sequence[Future[Any]], advance: Progress | None) -> int:
        count = 0
        for future in signed:
            sigs, bands = future.result()
            self.ds.add(_signatures(sigs), list(bands.itertuples(index=False, name=None)))
            count += len(sigs)
            if advance:
                advance(len(sigs))
        return count

    def write_pairs(self, pairs: dd.DataFrame, dirty: Sequence[str], run_id: int) -> dict[str, int]:
        counts = {"duplicate": 0, "story": 0}
        for part in pairs.to_delayed():
            rows = self.client.compute(part).result()
            found = [Pair(*row) for row in rows.itertuples(index=False, name=None)]
            self.ds.add_pairs(found, (), run_id)
            for pair in found:
                counts[pair.kind] += 1
        self.ds.add_pairs([], dirty, run_id)
        return counts

    # 5. cluster

    def recluster(self, run_id: int) -> list[Cluster]:
        """Cluster again every component holding a dirty article, as `recluster` does."""
        dirty = self.ds.dirty()
        if not dirty:
            return []
        pairs = self._from_store(self.ds.iter_pair_rows(ROWS), PAIRS)
        labels = components(pairs[["a", "b"]])
        dirty_frame = self._scatter_frame([(a,) for a in dirty], {"a": "str"})
        labels = labels.rename(columns={"node": "a", "label": "component"})
        wanted = labels.merge(dirty_frame, on="a")[["component"]].drop_duplicates()
        pairs = pairs.merge(labels, on="a").merge(wanted, on="component").persist()
        _count("pairs clustered", pairs)
        nodes = sorted(_ids(pairs))
        facts = self._scatter_frame(self._facts(nodes), FACTS)
        for end in ("a", "b"):
            pairs = pairs.merge(_prefixed(facts.rename(columns={"id": "article"}), end), on=end)
        clustered = pairs.shuffle("component").map_partitions(
            cluster_partition, self.params.linkage, meta=frame([], CLUSTERED)
        )
        changed: list[Cluster] = []
        seen: set[str] = set()
        for part in clustered.to_delayed():
            rows = self.client.compute(part).result()
            members, found = _clusters(rows)
            changed.extend(replace_clusters(self.ds, members, found, run_id))
            seen.update(members)
        with self.ds.store.transaction():
            replace_clusters(self.ds, sorted(set(dirty) - seen), [], run_id)
            self.ds.clear_dirty()
        return changed

    def _facts(self, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        return [(f.id, f.date, f.text_chars, f.source) for f in self.ds.article_facts(ids).values()]

    # plumbing

    def _ship(self, data: Any) -> Future[Any]:
        """Data sent to the cluster once, for tasks to take as an argument."""
        [future] = self.client.scatter([data])
        return future

    def _part(self, future: Future[Any], index: int) -> Future[Any]:
        return self.client.submit(operator.getitem, future, index)

    def _frame(self, parts: Sequence[Future[Any]], schema: dict[str, str]) -> dd.DataFrame:
        if not parts:
            return dd.from_pandas(frame([], schema), npartitions=1)
        return dd.from_delayed(list(parts), meta=frame([], schema), verify_meta=False)

    def _scatter_frame(
        self, rows: Sequence[tuple[Any, ...]], schema: dict[str, str]
    ) -> dd.DataFrame:
        parts = [self._ship(frame(rows[i : i + ROWS], schema)) for i in range(0, len(rows), ROWS)]
        return self._frame(parts, schema)

    def _from_store(
        self, chunks: Iterable[list[tuple[Any, ...]]], schema: dict[str, str]
    ) -> dd.DataFrame:
        return self._frame([self._ship(frame(rows, schema)) for rows in chunks], schema)


# --- what the workers run: pure functions of a partition ------------------------------


def sign_partition(
    articles: Sequence[ArticleText], params: DedupeParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SIGNED and BANDS rows of the articles."""
    signed, bands = signed_batch(articles, params)
    by_id = {a.id: a for a in articles}
    sigs = frame(
        (
            (
                s.article,
                s.text_hash,
                s.duplicate_minhash.astype(SIGNATURE_DTYPE).tobytes(),
                s.story_minhash.astype(SIGNATURE_DTYPE).tobytes(),
                pack_terms(s.story_terms),
                by_id[s.article].title,
                by_id[s.article].text,
            )
            for s in signed
        ),
        SIGNED,
    )
    return sigs, frame(bands, BANDS)


def features_partition(data: tuple[Sequence[ArticleText], dict[str, bytes]]) -> pd.DataFrame:
    """FEATURES rows of signed articles (their packed terms come from the store)."""
    articles, terms = data
    return frame(((a.id, a.title, a.text, terms[a.id]) for a in articles), FEATURES)


def judge_partition(rows: pd.DataFrame, params: DedupeParams, via: str) -> pd.DataFrame:
    """PAIRS rows of the candidates that `judge` flags."""
    hashes: dict[str, Any] = {}  # each article is shingled once per partition
    vectors: dict[str, TermVector] = {}
    for article, title, text, terms in _ends(rows, ("title", "text", "terms")):
        if article not in hashes:
            hashes[article] = verify_input(
                ArticleText(article, title, text, None, "", None), params
            )
            vectors[article] = TermVector(unpack_terms(terms))
    kept = []
    for a, b in zip(rows["a"], rows["b"], strict=True):
        v = judge(hashes[a], hashes[b], vectors[a], vectors[b], params.duplicate, params.story)
        if v.kind:
            kept.append((a, b, v.kind, v.duplicate_score, v.story_score, via))
    return frame(kept, PAIRS)


def cluster_partition(rows: pd.DataFrame, linkage: StoryLinkage) -> pd.DataFrame:
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


def _count(what: str, rows: dd.DataFrame) -> None:
    """How many rows a stage shuffles, for a user or a benchmark reading the log."""
    if log.isEnabledFor(logging.INFO):
        log.info("rows %s: %d", what, len(rows))


# --- helpers over frames -------------------------------------------------------------


def _pairs_of(df: dd.DataFrame, x: str, y: str) -> dd.DataFrame:
    """EDGES (a < b) of the two id columns, each pair once."""

    def ordered(part: pd.DataFrame) -> pd.DataFrame:
        swap = part[x] > part[y]
        return pd.DataFrame(
            {"a": part[x].where(~swap, part[y]), "b": part[y].where(~swap, part[x])}
        ).astype(EDGES)

    return df.map_partitions(ordered, meta=frame([], EDGES)).drop_duplicates()


def _sharing_enough(shared: dd.DataFrame, least: dict[str, int]) -> dd.DataFrame:
    """The (article, article_other) rows of pairs sharing at least `least[kind]` bands
    of some kind."""
    counts = (
        shared.assign(bands=1)
        .groupby(["kind", "article", "article_other"])["bands"]
        .sum(split_out=shared.npartitions)
        .reset_index()
    )

    def enough(part: pd.DataFrame) -> pd.DataFrame:
        return part[part["bands"] >= part["kind"].map(least)][["article", "article_other"]]

    meta = frame([], {"article": "str", "article_other": "str"})
    return counts.map_partitions(enough, meta=meta)


def _ends(rows: pd.DataFrame, fields: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """(article, its fields...) of each pair row's two ends: the a ends, then the b ends."""
    for end in ("a", "b"):
        yield from zip(rows[end], *(rows[f"{end}_{f}"] for f in fields), strict=True)


def _directed(edges: dd.DataFrame, one: str, other: str) -> dd.DataFrame:
    forward = edges[["a", "b"]].rename(columns={"a": one, "b": other})
    backward = edges[["a", "b"]].rename(columns={"a": other, "b": one})
    return dd.concat([forward, backward[[one, other]]])


def _without(edges: dd.DataFrame, known: dd.DataFrame) -> dd.DataFrame:
    """The edges that are not among `known`."""
    marked = edges.merge(known.assign(known=1), on=["a", "b"], how="left")
    return marked[marked["known"].isna()][["a", "b"]].drop_duplicates()


def _prefixed(features: dd.DataFrame, end: str) -> dd.DataFrame:
    return features.rename(
        columns={c: end if c == "article" else f"{end}_{c}" for c in features.columns}
    )


def _ids(edges: dd.DataFrame) -> set[str]:
    return set(dd.concat([edges["a"], edges["b"]]).unique().compute())


def _signatures(sigs: pd.DataFrame) -> list[Signature]:
    return [
        Signature(
            article,
            text_hash,
            np.frombuffer(duplicate, dtype=SIGNATURE_DTYPE).astype(np.uint32),
            np.frombuffer(story, dtype=SIGNATURE_DTYPE).astype(np.uint32),
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
