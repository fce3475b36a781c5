"""Screening candidate pairs before they are judged: the ones that cannot be flagged.

Most LSH candidates (story bands have one row: one shared sampled term makes a
candidate) are different texts on different events. Judging each costs two set
intersections and a term cosine in Python; here the same facts are worked out for a
whole chunk of candidates at once, in numpy and scipy:

- shared shingles: exactly, by an inverted index of the chunk's shingle hashes (a hash
  held by more than MAX_GROUP articles is not expanded into pairs: it only loosens an
  upper bound on the count);
- term cosine: the dot products of the candidates' term weightings, as sparse rows.
  Float sums in another order than `vector_cosine`'s differ from it by rounding only, so
  a margin of COSINE_MARGIN keeps the screen on the safe side.

A pair is passed on to `judge` unless it certainly is neither a duplicate nor a story:
its Jaccard is below the threshold even with the most shingles it can share, it cannot
be contained (lengths too far apart, or too few shared shingles when containment is
exact), and its term cosine is below the story threshold. The judged pairs get exactly
the verdicts they got before; the others would all have been "not flagged".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from dedupe.signature import DuplicateParams, Hashes, StoryParams, TermVector

MAX_GROUP = 64  # articles sharing one shingle hash, above which it is not expanded
COSINE_MARGIN = 1e-9  # far above the rounding of a sum of a few hundred products
ROWS_PER_STEP = 20_000  # candidate pairs whose term rows are multiplied at once

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def worth_judging(
    candidates: Sequence[tuple[str, str]],
    shingle_sets: Mapping[str, object],
    vectors: Mapping[str, TermVector],
    duplicate: DuplicateParams,
    story: StoryParams,
) -> list[tuple[str, str]]:
    """The candidates, in their order, less those that `judge` would certainly not flag.

    `shingle_sets` holds each article's sorted distinct shingle hashes, as an array or
    as an object with a `hashes` array.
    """
    if len(candidates) < 2:
        return list(candidates)
    ids = sorted({a for pair in candidates for a in pair})
    index = {a: i for i, a in enumerate(ids)}
    left = np.fromiter((index[a] for a, _ in candidates), dtype=np.int64, count=len(candidates))
    right = np.fromiter((index[b] for _, b in candidates), dtype=np.int64, count=len(candidates))
    sets = [_hashes(shingle_sets[a]) for a in ids]
    keep = _maybe_duplicate(sets, left, right, duplicate)
    rest = np.flatnonzero(~keep)
    if rest.size:
        cosines = _cosines([vectors[a] for a in ids], left[rest], right[rest])
        keep[rest] = cosines >= story.verify_threshold - COSINE_MARGIN
    return [pair for pair, kept in zip(candidates, keep.tolist(), strict=True) if kept]


def _hashes(shingled: object) -> Hashes:
    values = getattr(shingled, "hashes", shingled)
    return np.asarray(values, dtype=np.uint32)


# --- duplicates: shared shingles -----------------------------------------------------------


def _maybe_duplicate(
    sets: Sequence[Hashes], left: IntArray, right: IntArray, params: DuplicateParams
) -> npt.NDArray[np.bool_]:
    sizes = np.array([s.size for s in sets], dtype=np.int64)
    a, b = sizes[left], sizes[right]
    shared = shared_upper_bound(sets, left, right)
    shorter, longer = np.minimum(a, b), np.maximum(a, b)
    union = a + b - shared
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, shared / np.maximum(union, 1), 0.0)
        comparable = (longer > 0) & (shorter / np.maximum(longer, 1)
                                     >= params.min_length_ratio - COSINE_MARGIN)
        contained = shared / np.maximum(shorter, 1) >= params.containment - COSINE_MARGIN
    if getattr(params, "containment_tolerance", 0):
        maybe_contained = comparable  # typos allowed: exact counts bound nothing
    else:
        maybe_contained = comparable & contained
    empty = (a == 0) | (b == 0)  # rare, and cheap to judge
    result: npt.NDArray[np.bool_] = (
        (jaccard >= params.threshold - COSINE_MARGIN) | maybe_contained | empty
    )
    return result


def shared_upper_bound(sets: Sequence[Hashes], left: IntArray, right: IntArray) -> IntArray:
    """For each pair (left[i], right[i]) of indexes into `sets` (sorted distinct hashes):
    the number of hashes they share, or more when some hash is held by many sets."""
    count = len(sets)
    sizes = [s.size for s in sets]
    if not sum(sizes):
        return np.zeros(left.size, dtype=np.int64)
    hashes = np.concatenate(sets)
    owner = np.repeat(np.arange(count, dtype=np.int64), sizes)
    order = np.argsort(hashes, kind="stable")
    hashes, owner = hashes[order], owner[order]
    n = hashes.size
    starts_group = np.empty(n, dtype=bool)
    starts_group[0] = True
    starts_group[1:] = hashes[1:] != hashes[:-1]
    starts = np.flatnonzero(starts_group)
    lengths = np.diff(np.append(starts, n))
    group = np.cumsum(starts_group) - 1
    end = (starts + lengths)[group]  # one past the last position of each one's group
    big = (lengths > MAX_GROUP)[group]
    position = np.arange(n, dtype=np.int64)
    pairs_left, pairs_right = [], []
    at, step = np.flatnonzero(~big & (end - position > 1)), 1
    while at.size:
        pairs_left.append(owner[at])
        pairs_right.append(owner[at + step])
        step += 1
        at = at[end[at] - at > step]
    shared = np.zeros(left.size, dtype=np.int64)
    if pairs_left:
        one, other = np.concatenate(pairs_left), np.concatenate(pairs_right)
        codes, counts = np.unique(np.minimum(one, other) * count + np.maximum(one, other),
                                  return_counts=True)
        wanted = np.minimum(left, right) * count + np.maximum(left, right)
        at = np.minimum(np.searchsorted(codes, wanted), codes.size - 1)
        found = codes[at] == wanted
        shared[found] = counts[at[found]]
    loose = np.bincount(owner[big], minlength=count)  # each set's hashes not expanded
    bound: IntArray = shared + np.minimum(loose[left], loose[right])
    return bound


# --- stories: term cosines -------------------------------------------------------------------


def _cosines(vectors: Sequence[TermVector], left: IntArray, right: IntArray) -> FloatArray:
    """Term cosines of the pairs, up to rounding (see COSINE_MARGIN)."""
    from scipy.sparse import csr_matrix

    columns: dict[str, int] = {}
    indices: list[int] = []
    data: list[float] = []
    indptr = [0]
    for vector in vectors:
        for key, weight in vector.terms.items():
            indices.append(columns.setdefault(key, len(columns)))
            data.append(weight)
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), indptr),
        shape=(len(vectors), max(len(columns), 1)),
    )
    matrix.sort_indices()
    norms = np.array([v.norm for v in vectors], dtype=np.float64)
    dots = np.empty(left.size, dtype=np.float64)
    for start in range(0, left.size, ROWS_PER_STEP):
        ls, rs = left[start : start + ROWS_PER_STEP], right[start : start + ROWS_PER_STEP]
        product = matrix[ls].multiply(matrix[rs])
        dots[start : start + ls.size] = np.asarray(product.sum(axis=1)).ravel()
    scale = norms[left] * norms[right]
    with np.errstate(divide="ignore", invalid="ignore"):
        cosines: FloatArray = np.where(scale > 0, dots / np.where(scale > 0, scale, 1.0), 0.0)
    return cosines
