"""The Dask engine's pure functions of blocks, against brute force: the candidates two
blocks' band rows give, and the 2-paths that close triangles."""

from __future__ import annotations

import random
from itertools import product

import pytest

pytest.importorskip("distributed", reason="the Dask engine needs newsdedup[dask]")

import pandas as pd

from dedupe.dask_engine import BANDS, EDGES, band_candidates, frame, two_paths

Keys = dict[str, dict[tuple[str, int], int]]  # article: its key in each (kind, band)
Edges = set[tuple[str, str]]

LEAST = {"duplicate": 1, "story": 3}
SHAPE = {"duplicate": 4, "story": 6}  # bands of each kind


def _bands(ids: list[str], rng: random.Random) -> Keys:
    """Each article's key in each (kind, band); few keys, so that many are shared."""
    return {
        article: {(kind, band): rng.randrange(3) for kind, n in SHAPE.items() for band in range(n)}
        for article in ids
    }


def _rows(keys: Keys) -> pd.DataFrame:
    return frame(
        (
            (kind, band, key, article)
            for article, ks in keys.items()
            for (kind, band), key in ks.items()
        ),
        BANDS,
    )


def _brute_candidates(mine: Keys, other: Keys) -> Edges:
    found = set()
    for x, y in product(mine, other):
        if x == y:
            continue
        shared = {kind: 0 for kind in SHAPE}
        for (kind, band), key in mine[x].items():
            shared[kind] += other[y][(kind, band)] == key
        if any(shared[kind] >= LEAST[kind] for kind in SHAPE):
            found.add(_pair(x, y))
    return found


def _edges(df: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(df["a"], df["b"], strict=True))


@pytest.mark.parametrize("seed", range(5))
def test_band_candidates_are_the_pairs_sharing_enough_bands(seed: int) -> None:
    rng = random.Random(seed)
    mine = _bands([f"a{i:02d}" for i in range(12)], rng)
    other = _bands([f"b{i:02d}" for i in range(12)], rng)
    for left, right in ((mine, other), (mine, mine), (other, mine)):
        found = _edges(band_candidates(_rows(left), _rows(right), LEAST))
        assert len(found) == len(set(found))  # each pair once
        assert all(a < b for a, b in found)
        assert set(found) == _brute_candidates(left, right)
    assert _brute_candidates(mine, other)  # the case is not empty


def test_band_candidates_need_the_least_shared_story_bands() -> None:
    story = {("story", band): band for band in range(SHAPE["story"])}
    dup_a = {("duplicate", band): 0 for band in range(SHAPE["duplicate"])}
    dup_b = {("duplicate", band): 1 for band in range(SHAPE["duplicate"])}
    two = {**dup_b, **story, ("story", 2): 99, ("story", 3): 99, ("story", 4): 99, ("story", 5): 99}
    three = {**two, ("story", 2): 2}
    a = {"a": {**dup_a, **story}}
    assert _edges(band_candidates(_rows(a), _rows({"b": two}), LEAST)) == []
    assert _edges(band_candidates(_rows(a), _rows({"b": three}), LEAST)) == [("a", "b")]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _brute_paths(new: Edges, every: Edges, known: Edges) -> Edges:
    around: dict[str, set[str]] = {}
    for a, b in every:
        around.setdefault(a, set()).add(b)
        around.setdefault(b, set()).add(a)
    found = set()
    for a, b in new:
        for x, m in ((a, b), (b, a)):
            for y in around.get(m, ()):
                if y != x:
                    found.add(_pair(x, y))
    return found - known


@pytest.mark.parametrize("seed", range(5))
def test_two_paths_are_the_triangles_a_new_edge_opens(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"n{i:02d}" for i in range(25)]
    pairs = {_pair(*rng.sample(nodes, 2)) for _ in range(60)}
    new = {p for p in pairs if rng.random() < 0.4}
    old = pairs - new
    extra = {_pair(*rng.sample(nodes, 2)) for _ in range(15)} - pairs
    known = new | extra | {("zz0", "zz1")}  # a known pair of other articles
    expected = _brute_paths(new, new | old, known)
    assert expected
    for paths in (1, 7, 10**6):  # the paths a slice of rows holds
        found = _edges(
            two_paths(
                frame(sorted(new), EDGES),
                frame(sorted(new | old), EDGES),
                frame(sorted(known), EDGES),
                paths=paths,
            )
        )
        assert len(found) == len(set(found))
        assert set(found) == expected


def test_two_paths_of_nothing() -> None:
    empty = frame([], EDGES)
    assert _edges(two_paths(empty, empty, empty)) == []
