"""The verdict on one candidate pair, from its exact scores: a pure function.

Both engines (local and Dask) and `explain` judge candidates here, so the rule that
makes two articles duplicates or one story lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from dedupe.signature import (
    DuplicateParams,
    Shingled,
    StoryParams,
    TermVector,
    covers,
    jaccard,
    vector_cosine,
)

# What made a verdict: the criterion that fired, or none.
JACCARD = "jaccard"  # the shingle sets nearly match
CONTAINMENT = "containment"  # the shorter text lies in the longer one (typos allowed)
TERMS = "terms"  # other words, the same salient terms: one story


@dataclass(frozen=True)
class Verdict:
    kind: str | None  # "duplicate", "story", or None: not flagged
    duplicate_score: float  # word-shingle Jaccard
    story_score: float  # salient-term cosine
    criterion: str | None = None  # JACCARD, CONTAINMENT, TERMS, or None: not flagged


def judge(
    a: Shingled,
    b: Shingled,
    a_terms: TermVector,
    b_terms: TermVector,
    duplicate: DuplicateParams,
    story: StoryParams,
) -> Verdict:
    """Duplicate when the shingles nearly match or one text is the other cut short
    (typos allowed); else one story when the salient terms are close enough."""
    sto = vector_cosine(a_terms, b_terms)
    return flagged(a, b, sto, duplicate, story) or Verdict(None, jaccard(a.hashes, b.hashes), sto)


def flagged(
    a: Shingled, b: Shingled, sto: float, duplicate: DuplicateParams, story: StoryParams
) -> Verdict | None:
    """`judge`'s verdict when it flags the pair, else None, given its term cosine `sto`
    (`vector_cosine`, or `term_cosines` for many pairs): what the engines ask, at less
    cost on the many candidates that are not flagged, since a Jaccard can only reach the
    threshold when the smaller set is at least that share of the larger."""
    dup = jaccard(a.hashes, b.hashes) if size_ratio(a, b) >= duplicate.threshold else None
    if dup is not None and dup >= duplicate.threshold:
        return Verdict("duplicate", dup, sto, JACCARD)
    if contained(a, b, duplicate):
        kind, criterion = "duplicate", CONTAINMENT
    elif story.enabled and sto >= story.verify_threshold:
        kind, criterion = "story", TERMS
    else:
        return None
    return Verdict(kind, jaccard(a.hashes, b.hashes) if dup is None else dup, sto, criterion)


def size_ratio(a: Shingled, b: Shingled) -> float:
    """Distinct shingles of the smaller text over those of the larger (0 when empty)."""
    shorter, longer = sorted((a.size, b.size))
    return shorter / longer if longer else 0.0


def comparable_lengths(a: Shingled, b: Shingled, params: DuplicateParams) -> bool:
    """The shorter text holds at least `min_length_ratio` as many shingles as the longer:
    a copy cut short, not a quote or a headline inside a long article."""
    return max(a.size, b.size) > 0 and size_ratio(a, b) >= params.min_length_ratio


def contained(a: Shingled, b: Shingled, params: DuplicateParams) -> bool:
    """One text cut short of the other, perhaps with typos: of comparable length, and
    most of the shorter one's words lie in shingles of the longer (`coverage`)."""
    return comparable_lengths(a, b, params) and covers(a, b, params.containment)
