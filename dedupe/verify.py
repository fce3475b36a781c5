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
    dup = jaccard(a.hashes, b.hashes)
    sto = vector_cosine(a_terms, b_terms)
    if dup >= duplicate.threshold:
        return Verdict("duplicate", dup, sto, JACCARD)
    if contained(a, b, duplicate):
        return Verdict("duplicate", dup, sto, CONTAINMENT)
    if sto >= story.verify_threshold:
        return Verdict("story", dup, sto, TERMS)
    return Verdict(None, dup, sto)


def comparable_lengths(a: Shingled, b: Shingled, params: DuplicateParams) -> bool:
    """The shorter text holds at least `min_length_ratio` as many shingles as the longer:
    a copy cut short, not a quote or a headline inside a long article."""
    shorter, longer = sorted((a.size, b.size))
    return longer > 0 and shorter / longer >= params.min_length_ratio


def contained(a: Shingled, b: Shingled, params: DuplicateParams) -> bool:
    """One text cut short of the other, perhaps with typos: of comparable length, and
    most of the shorter one's words lie in shingles of the longer (`coverage`)."""
    return comparable_lengths(a, b, params) and covers(a, b, params.containment)
