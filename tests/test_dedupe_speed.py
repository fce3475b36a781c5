"""The speed-ups of dedupe keep its results: each fast path against the plain one."""

import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from dedupe.cluster import _average_link_component, average_link, connected_components
from dedupe.signature import (
    DuplicateParams,
    StoryParams,
    TermVector,
    cosine,
    term_cosines,
    vector_cosine,
)
from store.dedupe import Cluster, DedupeStore, pack_terms, unpack_terms
from store.store import Store
from tests.conftest import Cli

T = TypeVar("T")


def _dense_average_link(component: list, scores: dict, threshold: float) -> list[list]:
    """The dense average link newsdedup had before (a matrix of the component squared)."""
    size = len(component)
    if size == 1:
        return [component]
    index = {item: i for i, item in enumerate(component)}
    sums = np.zeros((size, size), dtype=np.float64)
    for (a, b), score in scores.items():
        if a in index and b in index:
            sums[index[a], index[b]] = sums[index[b], index[a]] = score
    counts = np.ones(size, dtype=np.float64)
    alive = np.ones(size, dtype=bool)
    members: list[list[int]] = [[i] for i in range(size)]
    means = sums.copy()
    np.fill_diagonal(means, -np.inf)
    best = means.max(axis=1)
    partner = means.argmax(axis=1)
    while True:
        i = int(np.argmax(np.where(alive, best, -np.inf)))
        if best[i] < threshold or not alive[i]:
            break
        i, j = sorted((i, int(partner[i])))
        sums[i, :] += sums[j, :]
        sums[:, i] = sums[i, :]
        counts[i] += counts[j]
        alive[j] = False
        members[i].extend(members[j])
        members[j] = []
        row = np.where(alive, sums[i, :] / (counts[i] * counts), -np.inf)
        row[i] = -np.inf
        means[i, :] = row
        means[:, i] = row
        means[:, j] = -np.inf
        means[j, :] = -np.inf
        best[j] = -np.inf
        stale = alive & ((partner == i) | (partner == j))
        stale[i] = True
        for k in np.flatnonzero(stale):
            best[k] = means[k].max()
            partner[k] = int(means[k].argmax())
        better = alive & (row > best)
        better |= alive & (row == best) & (i < partner)
        best[better] = row[better]
        partner[better] = i
    return [sorted(component[k] for k in group) for group in members if group]


@pytest.mark.parametrize("seed", range(40))
def test_sparse_average_link_merges_as_the_dense_one(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"n{i:03d}" for i in range(rng.randint(2, 60))]
    levels = [0.2, 0.4, 0.55, 0.6, 0.8, 1.0]  # few values: many ties
    scores = {
        (a, b): rng.choice(levels) if rng.random() < 0.5 else rng.random()
        for i, a in enumerate(nodes)
        for b in nodes[i + 1 :]
        if rng.random() < 0.15
    }
    threshold = rng.choice([0.3, 0.55, 0.7])
    dense = []
    for component in connected_components(nodes, scores):
        dense.extend(_dense_average_link(component, scores, threshold))
    assert average_link(nodes, scores, threshold) == sorted(dense)
    assert sorted(_average_link_component(nodes, scores, threshold)) == sorted(
        _dense_average_link(nodes, scores, threshold)
    )


def _weights(rng: random.Random) -> dict[str, float]:
    keys = rng.sample([f"t{i}" for i in range(60)], rng.randint(0, 25))
    return {k: rng.choice([0.5, 1.0, 2.25, rng.random() * 6]) for k in keys}


def test_vector_cosine_is_cosine_to_the_last_bit() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        a, b = _weights(rng), _weights(rng)
        assert vector_cosine(TermVector(a), TermVector(b)) == cosine(a, b)


def test_term_cosines_are_vector_cosines_to_the_last_bit() -> None:
    rng = random.Random(5)
    vocabulary = [f"t{i}" for i in range(400)]
    weightings: list[dict[str, float]] = [{}]  # sums of up to 300 products: pairwise or not
    for _ in range(300):
        keys = sorted(rng.sample(vocabulary, rng.choice([1, 5, 40, 300])))
        weightings.append({k: rng.choice([0.5, 1.0, 2.25, rng.random() * 6]) for k in keys})
    pairs = [(rng.randrange(301), rng.randrange(301)) for _ in range(5000)] + [(7, 7), (0, 3)]
    vectors = [TermVector(w) for w in weightings]
    want = [vector_cosine(vectors[i], vectors[j]) for i, j in pairs]
    assert term_cosines(weightings, pairs) == want
    assert term_cosines([{}, {}], [(0, 1)]) == [0.0]
    with pytest.raises(ValueError, match="sorted order"):
        term_cosines([{"b": 1.0, "a": 2.0}], [(0, 0)])


def test_packed_terms_come_back_exactly_and_in_key_order() -> None:
    rng = random.Random(4)
    for _ in range(200):
        terms = {**_weights(rng), "~ksr": 1 / 3, "#5.6": 0.1, "é": 2.0}
        back = unpack_terms(pack_terms(terms))
        assert back == terms and list(back) == sorted(terms)
    assert unpack_terms(pack_terms({})) == {}


def test_forgetting_an_article_takes_its_lsh_rows(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    news.mkdir()
    body = " ".join(f"Sentence {i} about the harbour ferry strike in Skarholm." for i in range(30))
    (news / "a.txt").write_text(f"Ferry strike\n\n{body}\n")
    (news / "b.txt").write_text(f"Ferry strike again\n\n{body} And one more line.\n")
    cli("run", str(news), "-q")
    (news / "b.txt").write_text("Something else\n\nA council vote on the new library budget.\n")
    cli("run", str(news), "-q")
    (news / "a.txt").unlink()
    cli("run", str(news), "-q")
    with sqlite3.connect(tmp_path / "store.db") as conn:
        signed = {a for (a,) in conn.execute("SELECT article FROM signatures")}
        filed = {a for (a,) in conn.execute("SELECT DISTINCT article FROM lsh")}
        per_article = conn.execute(
            "SELECT COUNT(*) FROM lsh GROUP BY article"
        ).fetchall()
    assert filed == signed and len(signed) == 1
    bands = DuplicateParams().bands()[0] + StoryParams().bands()[0]
    assert per_article == [(bands,)]


def _lookup_steps(db: Path, rows: int) -> int:
    """SQLite VM steps (in hundreds) of one band look-up in an index of `rows` rows."""
    store = Store.open(db)
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO lsh VALUES (1, ?, ?, ?)",  # 1: story
            ((i % 27, i // 27, f"a{i // 27:06d}") for i in range(rows)),
        )
    steps, found = _counting_steps(
        store, lambda: DedupeStore(store).candidates("story", [(0, 3), (5, 3), (26, 4)])
    )
    store.close()
    assert found == {(0, 3): ["a000003"], (5, 3): ["a000003"], (26, 4): ["a000004"]}
    return steps


def _counting_steps(store: Store, work: Callable[[], T]) -> tuple[int, T]:
    """SQLite VM steps (in hundreds) that `work` takes on the store's connection, and
    what it returns."""
    steps = 0

    def tick() -> int:
        nonlocal steps
        steps += 1
        return 0

    store.conn.set_progress_handler(tick, 100)
    try:
        result = work()
    finally:
        store.conn.set_progress_handler(None, 0)
    return steps, result


def test_band_look_ups_read_the_probed_keys_not_the_whole_index(tmp_path: Path) -> None:
    small = _lookup_steps(tmp_path / "small.db", 270)
    large = _lookup_steps(tmp_path / "large.db", 270_000)
    assert large <= small + 5  # a scan of the kind's rows would take thousands more


def _cluster_steps(db: Path, clusters: int) -> int:
    """SQLite VM steps (in hundreds) to replace and to read one article's clusters in a
    store of `clusters` two-article clusters of each kind."""
    store = Store.open(db)
    ds = DedupeStore(store)
    ds.replace_clusters(
        [],
        [
            Cluster(kind, f"{kind}:a{i:06d}", f"a{i:06d}", [f"a{i:06d}", f"b{i:06d}"], 1)
            for kind in ("duplicate", "story")
            for i in range(clusters)
        ],
    )
    moved = Cluster("story", "story:x", "a000003", ["a000003", "b000003"], 2)

    def replace_and_read() -> list[Cluster]:
        ds.replace_clusters(["a000003", "b000003"], [moved])
        return ds.clusters_of(["a000003"])

    steps, found = _counting_steps(store, replace_and_read)
    store.close()
    assert [(c.kind, c.members) for c in found] == [("story", ["a000003", "b000003"])]
    return steps


def test_cluster_writes_and_reads_do_not_scan_the_clusters(tmp_path: Path) -> None:
    small = _cluster_steps(tmp_path / "small.db", 100)
    large = _cluster_steps(tmp_path / "large.db", 100_000)
    assert large <= small + 5  # a scan of the table would take thousands more
