"""dedupe.cluster: union-find, average link, local scaling, story clusters, canonicals."""

from __future__ import annotations

import itertools
import random

import pytest

from dedupe.cluster import (
    StoryLinkage,
    UnionFind,
    average_link,
    canonical,
    cluster_labels,
    connected_components,
    densities,
    locally_scaled,
    story_clusters,
    two_hop_pairs,
)

# --- union-find and components ------------------------------------------------------------


def test_union_find_merges_and_keeps_singletons() -> None:
    forest = UnionFind(["a", "b", "c", "d"])
    forest.union("a", "b")
    forest.union("c", "b")
    assert forest.find("a") == forest.find("c")
    assert forest.find("d") != forest.find("a")
    assert forest.groups() == [["a", "b", "c"], ["d"]]


def test_connected_components_from_a_count_or_ids() -> None:
    assert connected_components(5, [(0, 1), (3, 4)]) == [[0, 1], [2], [3, 4]]
    assert connected_components(["x", "y"], [("y", "z")]) == [["x"], ["y", "z"]]


def test_components_do_not_depend_on_edge_order() -> None:
    edges = [(i, (i * 7) % 23) for i in range(0, 23, 3)]
    expected = connected_components(23, edges)
    for seed in range(5):
        shuffled = [(b, a) if seed % 2 else (a, b) for a, b in edges]
        random.Random(seed).shuffle(shuffled)
        assert connected_components(23, shuffled) == expected


def test_two_hop_pairs_close_triangles_only() -> None:
    assert two_hop_pairs([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == {
        ("a", "d"),
        ("b", "d"),
    }


# --- average link -------------------------------------------------------------------------


def test_average_link_does_not_chain_through_one_bridge() -> None:
    # C is close to A only; single link (threshold 0.4) would chain A, B and C.
    similarity = {("A", "B"): 0.9, ("A", "C"): 0.5, ("B", "C"): 0.1}
    assert connected_components("ABC", [p for p, s in similarity.items() if s >= 0.4]) == [
        ["A", "B", "C"]
    ]
    assert average_link("ABC", similarity, 0.4) == [["A", "B"], ["C"]]
    assert average_link("ABC", similarity, 0.25) == [["A", "B", "C"]]  # mean 0.3


def _reference_average_link(ids: list[int], sims: dict[tuple[int, int], float], t: float) -> list:
    """Textbook O(n^3) average link: merge the best pair of groups while mean >= t."""
    groups = [[i] for i in sorted(ids)]

    def mean(a: list[int], b: list[int]) -> float:
        total = sum(sims.get((min(x, y), max(x, y)), 0.0) for x in a for y in b)
        return total / (len(a) * len(b))

    while len(groups) > 1:
        pairs = itertools.combinations(enumerate(groups), 2)
        best, pair = max(
            ((mean(a, b), (i, j)) for (i, a), (j, b) in pairs), key=lambda item: item[0]
        )
        if best < t:
            break
        i, j = pair
        groups[i] = sorted(groups[i] + groups[j])
        del groups[j]
    return sorted(groups)


def test_average_link_matches_the_textbook_algorithm() -> None:
    rng = random.Random(3)
    for _ in range(40):
        n = rng.randint(2, 12)
        sims = {
            (i, j): round(rng.random() ** 2, 3)
            for i in range(n)
            for j in range(i + 1, n)
            if rng.random() < 0.7
        }
        t = rng.uniform(0.1, 0.6)
        assert average_link(range(n), sims, t) == _reference_average_link(list(range(n)), sims, t)


def test_average_link_threshold_is_checked() -> None:
    with pytest.raises(ValueError):
        average_link([1, 2], {(1, 2): 0.5}, 0.0)


# --- local scaling and stories --------------------------------------------------------------


def _two_dense_events_and_a_loose_one() -> dict[tuple[str, str], float]:
    """Events A and B: four reports each, all alike (0.8), and fairly alike across
    (0.35), like two fights of one boxer. Event C: three loosely similar reports (0.3)."""
    sims: dict[tuple[str, str], float] = {}
    a, b, c = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"], ["c1", "c2", "c3"]
    for group, score in ((a, 0.8), (b, 0.8), (c, 0.3)):
        for x, y in itertools.combinations(group, 2):
            sims[(x, y)] = score
    for x in a:
        for y in b:
            sims[(x, y)] = 0.35
    return sims


def test_local_scaling_separates_similar_dense_events_and_keeps_a_loose_one() -> None:
    sims = _two_dense_events_and_a_loose_one()
    ids = sorted({x for pair in sims for x in pair})
    expected = [["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"], ["c1", "c2", "c3"]]
    assert story_clusters(ids, sims) == expected  # the defaults
    # No single threshold of plain average link does both.
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        assert average_link(ids, sims, threshold) != expected


def test_density_is_kth_neighbour_clipped() -> None:
    sims = {("a", "b"): 0.9, ("a", "c"): 0.5, ("a", "d"): 0.05, ("b", "c"): 0.1}
    found = densities("abcde", sims, neighbours=2, floor=0.2, cap=0.7)
    assert found == {"a": 0.5, "b": 0.2, "c": 0.2, "d": 0.2, "e": 0.2}
    assert densities("abcde", sims, neighbours=1, floor=0.2, cap=0.7)["a"] == 0.7
    scaled = locally_scaled("abcde", sims, StoryLinkage(neighbours=2, density_floor=0.2))
    assert scaled[("b", "c")] == pytest.approx(0.1 / 0.2)


def test_story_clusters_do_not_depend_on_input_order() -> None:
    sims = _two_dense_events_and_a_loose_one()
    rng = random.Random(1)
    noisy = {pair: max(0.0, score + rng.uniform(-0.1, 0.1)) for pair, score in sims.items()}
    ids = [*sorted({x for pair in noisy for x in pair}), "lone"]
    expected = story_clusters(ids, noisy)
    for seed in range(10):
        shuffle = random.Random(seed)
        items = [((b, a) if shuffle.random() < 0.5 else (a, b), s) for (a, b), s in noisy.items()]
        shuffle.shuffle(items)
        order = ids[:]
        shuffle.shuffle(order)
        assert story_clusters(order, dict(items)) == expected
    assert ["lone"] in expected


def test_ties_go_to_the_smallest_ids() -> None:
    sims = {(1, 2): 0.5, (2, 3): 0.5}
    assert average_link([3, 2, 1], sims, 0.5) == [[1, 2], [3]]


def test_cluster_labels() -> None:
    assert cluster_labels([["a", "b"], ["c"]]) == {"a": 0, "b": 0, "c": 1}


# --- canonical member ---------------------------------------------------------------------


def test_canonical_prefers_earliest_date_then_longest_text_then_source() -> None:
    members = [
        ("late", "2024-05-02", 900, "a.txt"),
        ("early-short", "2024-05-01", 100, "b.txt"),
        ("early-long", "2024-05-01", 500, "c.txt"),
        ("undated", None, 5000, "d.txt"),
    ]
    assert canonical(members) == "early-long"
    assert canonical([("x", None, 10, "b.txt"), ("y", None, 10, "a.txt")]) == "y"
    assert canonical([("x", None, 10, "a.txt"), ("y", "2020-01-01", 1, "z.txt")]) == "y"
    with pytest.raises(ValueError):
        canonical([])
