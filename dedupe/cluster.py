"""Pure clustering functions: union-find components, story clusters, canonical members.

Every result depends only on the *set* of ids and scored pairs handed in, never on their
order: ids are sorted before any work and ties go to the smallest ids. That is what lets
a store that indexes articles in chunks get the same clusters as one batch run, provided
it re-clusters each connected component its new pairs touch.

Story clusters come from average-link agglomeration on locally scaled similarities:

- average link, not single link: two groups merge only when their pairs agree *on
  average*, so one bridging pair (a background piece that mentions two events) cannot
  chain two events into one;
- local scaling (after Zelnik-Manor and Perona's self-tuning spectral clustering): a
  pair's similarity is divided by the geometric mean of each article's "density", the
  similarity to its k-th nearest verified neighbour. Reports of one event that share
  unusual names are all very similar to each other, so among them a pair has to be
  similar relative to that; a loosely covered story is not held to the same bar. The
  density is clipped below (a lone article is not made to look close to anything) and
  above (a handful of near-identical copies cannot make an article unreachable).
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

Id = TypeVar("Id", bound=Hashable)
Pair = tuple[Any, Any]


@dataclass(frozen=True)
class StoryLinkage:
    """Defaults of story clustering (on cosine similarities of story terms)."""

    threshold: float = 0.55  # mean scaled similarity from which two groups merge
    neighbours: int = 3  # density = similarity to the k-th nearest verified neighbour
    density_floor: float = 0.2
    density_cap: float = 0.7

    def __post_init__(self) -> None:
        if self.threshold <= 0.0:
            raise ValueError(f"threshold must be > 0, got {self.threshold}")
        if self.neighbours < 1:
            raise ValueError(f"neighbours must be >= 1, got {self.neighbours}")
        if not 0.0 < self.density_floor <= self.density_cap <= 1.0:
            raise ValueError("need 0 < density_floor <= density_cap <= 1")


STORY_LINKAGE = StoryLinkage()


def _sort_key(item: Any) -> tuple[str, Any]:
    # Ids of mixed types (say int and str) still sort, by type name first.
    return (type(item).__name__, item)


def sorted_ids(ids: Iterable[Id]) -> list[Id]:
    """The distinct ids in a fixed order."""
    return sorted(set(ids), key=_sort_key)


def pair_key(a: Id, b: Id) -> tuple[Id, Id]:
    """The canonical (smaller, larger) key of an unordered pair."""
    return (a, b) if _sort_key(a) <= _sort_key(b) else (b, a)


class UnionFind:
    """Disjoint sets over hashable ids, with path halving and union by size."""

    def __init__(self, ids: Iterable[Hashable] = ()) -> None:
        self._parent: dict[Hashable, Hashable] = {}
        self._size: dict[Hashable, int] = {}
        for item in ids:
            self.add(item)

    def add(self, item: Hashable) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._size[item] = 1

    def find(self, item: Hashable) -> Hashable:
        self.add(item)
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: Hashable, b: Hashable) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        if self._size[root_a] < self._size[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        self._size[root_a] += self._size[root_b]

    def groups(self) -> list[list[Any]]:
        """All sets, each sorted, ordered by their first member."""
        by_root: dict[Hashable, list[Hashable]] = {}
        for item in self._parent:
            by_root.setdefault(self.find(item), []).append(item)
        groups = [sorted(members, key=_sort_key) for members in by_root.values()]
        return sorted(groups, key=lambda members: _sort_key(members[0]))


def connected_components(ids: int | Iterable[Any], edges: Iterable[Pair]) -> list[list[Any]]:
    """Connected components of an undirected graph, lone nodes included.

    `ids` is a count n (nodes 0..n-1) or the node ids; edge ends not among them are
    added. Each component is sorted; components are ordered by their first member.
    """
    forest = UnionFind(range(ids) if isinstance(ids, int) else ids)
    for a, b in edges:
        forest.union(a, b)
    return forest.groups()


def two_hop_pairs(edges: Iterable[Pair]) -> set[Pair]:
    """Pairs of distinct nodes that share a neighbour and are not an edge themselves.

    Closing these triangles (after verifying them) recovers the pairs an LSH index
    missed inside a story: its reports are similar to each other, so a missed pair
    almost always has a found neighbour in common.
    """
    neighbours: dict[Any, set[Any]] = {}
    known: set[Pair] = set()
    for a, b in edges:
        if a == b:
            continue
        known.add(pair_key(a, b))
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    found: set[Pair] = set()
    for around in neighbours.values():
        ordered = sorted(around, key=_sort_key)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                found.add((first, second))
    return found - known


def _clean_pairs(nodes: list[Any], similarity: Mapping[Pair, float]) -> dict[Pair, float]:
    """Positive scores between distinct known nodes, keyed by canonical pair."""
    known = set(nodes)
    scores: dict[Pair, float] = {}
    for (a, b), score in similarity.items():
        if a != b and a in known and b in known and score > 0.0:
            key = pair_key(a, b)
            scores[key] = max(scores.get(key, 0.0), float(score))
    return scores


def average_link(
    ids: Iterable[Id], similarity: Mapping[Pair, float], threshold: float
) -> list[list[Id]]:
    """Average-link agglomerative clustering, stopped at `threshold`.

    `similarity` maps unordered pairs (either order) to a score; pairs not in it score 0.
    Groups merge, best first, while the mean score over all their cross pairs is at
    least `threshold`. Ties go to the pair first in sorted-id order. Clusters are sorted,
    and ordered by their first member.

    Work is done per connected component of the pairs scoring at least `threshold`: a
    mean reaches the threshold only if some pair does, so no group ever spans two such
    components, and merges in one never change the means in another. (Per component of
    all positive pairs, a big corpus would have one giant component, and a dense matrix
    of its size squared.)
    """
    if threshold <= 0.0:
        raise ValueError(f"threshold must be > 0, got {threshold}")
    nodes = sorted_ids(ids)
    return _average_link(nodes, _clean_pairs(nodes, similarity), threshold)


def _average_link(
    nodes: list[Id], scores: Mapping[Pair, float], threshold: float
) -> list[list[Id]]:
    """`average_link` of sorted distinct `nodes` and `_clean_pairs` scores."""
    strong = [pair for pair, score in scores.items() if score >= threshold]
    components = connected_components(nodes, strong)
    place = {node: n for n, component in enumerate(components) for node in component}
    within: list[dict[Pair, float]] = [{} for _ in components]
    for (a, b), score in scores.items():
        if place[a] == place[b]:
            within[place[a]][(a, b)] = score
    clusters: list[list[Id]] = []
    for component, component_scores in zip(components, within, strict=True):
        clusters.extend(_average_link_component(component, component_scores, threshold))
    return sorted(clusters, key=lambda members: _sort_key(members[0]))


def _average_link_component(
    component: list[Id], scores: Mapping[Pair, float], threshold: float
) -> list[list[Id]]:
    """Average link on one component, with sparse sums and a heap of candidate merges.

    Memory and time follow the pairs, not the component's size squared. The merge order
    is the dense algorithm's: the highest mean first, and among equal means the pair of
    groups whose (lower, higher) positions come first; the lower position lives on.
    """
    size = len(component)
    if size == 1:
        return [component]
    index = {item: i for i, item in enumerate(component)}
    # sums[i][k]: total score between the members of groups i and k, for positive totals.
    sums: list[dict[int, float]] = [{} for _ in range(size)]
    for (a, b), score in scores.items():
        if a in index and b in index:
            sums[index[a]][index[b]] = sums[index[b]][index[a]] = score
    counts = [1.0] * size
    version = [0] * size  # bumped when a group changes: older heap entries are stale
    members: list[list[int]] = [[i] for i in range(size)]
    heap = [
        (-score, i, k, 0, 0)
        for i, row in enumerate(sums)
        for k, score in row.items()
        if i < k and score >= threshold
    ]
    heapq.heapify(heap)
    while heap:
        _, i, j, version_i, version_j = heapq.heappop(heap)
        if version[i] != version_i or version[j] != version_j:
            continue
        merged = sums[i]
        del merged[j]
        for k, score in sums[j].items():
            if k != i:
                merged[k] = merged.get(k, 0.0) + score
                del sums[k][j]
        sums[j] = {}
        counts[i] += counts[j]
        version[i] += 1
        version[j] = -1  # gone
        members[i].extend(members[j])
        members[j] = []
        for k, total in merged.items():
            sums[k][i] = total
            mean = total / (counts[i] * counts[k])
            if mean >= threshold:
                low, high = (i, k) if i < k else (k, i)
                heapq.heappush(heap, (-mean, low, high, version[low], version[high]))
    return [sorted((component[k] for k in group), key=_sort_key) for group in members if group]


def densities(
    ids: Iterable[Id],
    similarity: Mapping[Pair, float],
    neighbours: int = STORY_LINKAGE.neighbours,
    floor: float = STORY_LINKAGE.density_floor,
    cap: float = STORY_LINKAGE.density_cap,
) -> dict[Id, float]:
    """Each id's similarity to its k-th most similar other id, clipped to [floor, cap].

    Missing pairs score 0, so an id with fewer than k scored pairs gets `floor`.
    """
    nodes = sorted_ids(ids)
    return _densities(nodes, _clean_pairs(nodes, similarity), neighbours, floor, cap)


def _densities(
    nodes: list[Id], scores: Mapping[Pair, float], neighbours: int, floor: float, cap: float
) -> dict[Id, float]:
    near: dict[Id, list[float]] = {node: [] for node in nodes}
    for (a, b), score in scores.items():
        near[a].append(score)
        near[b].append(score)
    result: dict[Id, float] = {}
    for node, found in near.items():
        found.sort(reverse=True)
        kth = found[neighbours - 1] if len(found) >= neighbours else 0.0
        result[node] = min(max(kth, floor), cap)
    return result


def locally_scaled(
    ids: Iterable[Id],
    similarity: Mapping[Pair, float],
    linkage: StoryLinkage = STORY_LINKAGE,
) -> dict[Pair, float]:
    """Similarities divided by the geometric mean of both ends' `densities`."""
    nodes = sorted_ids(ids)
    return _locally_scaled(nodes, _clean_pairs(nodes, similarity), linkage)


def _locally_scaled(
    nodes: list[Id], scores: Mapping[Pair, float], linkage: StoryLinkage
) -> dict[Pair, float]:
    density = _densities(
        nodes, scores, linkage.neighbours, linkage.density_floor, linkage.density_cap
    )
    return {
        (a, b): score / float(np.sqrt(density[a] * density[b])) for (a, b), score in scores.items()
    }


def story_clusters(
    ids: Iterable[Id],
    similarity: Mapping[Pair, float],
    linkage: StoryLinkage = STORY_LINKAGE,
) -> list[list[Id]]:
    """Stories: average-link clusters of locally scaled similarities.

    `similarity` holds the verified pairs (story-term cosine); pairs not in it score 0.
    Lone articles come back as clusters of one.
    """
    nodes = sorted_ids(ids)
    scaled = _locally_scaled(nodes, _clean_pairs(nodes, similarity), linkage)
    return _average_link(nodes, scaled, linkage.threshold)


def cluster_labels(clusters: Sequence[Sequence[Id]]) -> dict[Id, int]:
    """Map each member to the position of its cluster."""
    return {member: label for label, members in enumerate(clusters) for member in members}


def canonical(members: Sequence[tuple[Any, str | None, int, str]]) -> Any:
    """The canonical member's id: earliest date, then longest text, then source, then id.

    `members` holds (id, date, text_len, source) tuples. Dates are ISO 8601 strings, so
    they compare as text; a missing date counts as later than any date.
    """
    if not members:
        raise ValueError("canonical() needs at least one member")

    def rank(member: tuple[Any, str | None, int, str]) -> tuple[Any, ...]:
        item, date, text_len, source = member
        return (date is None, date or "", -text_len, source, _sort_key(item))

    return min(members, key=rank)[0]
