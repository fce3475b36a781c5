"""The verdict on one candidate pair, from its exact scores: a pure function.

Both engines (local and Dask) and `explain` judge candidates here, so the rule that
makes two articles duplicates or one story lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from dedupe.signature import (
    DuplicateParams,
    Hashes,
    StoryParams,
    TermVector,
    containment,
    jaccard,
    vector_cosine,
)


@dataclass(frozen=True)
class Verdict:
    kind: str | None  # "duplicate", "story", or None: not flagged
    duplicate_score: float  # word-shingle Jaccard
    story_score: float  # salient-term cosine


def judge(
    a: Hashes,
    b: Hashes,
    a_terms: TermVector,
    b_terms: TermVector,
    duplicate: DuplicateParams,
    story: StoryParams,
) -> Verdict:
    """Duplicate when the shingles nearly match or one text is the other cut short;
    else one story when the salient terms are close enough."""
    dup = jaccard(a, b)
    sto = vector_cosine(a_terms, b_terms)
    if dup >= duplicate.threshold or contained(a, b, duplicate):
        return Verdict("duplicate", dup, sto)
    if sto >= story.verify_threshold:
        return Verdict("story", dup, sto)
    return Verdict(None, dup, sto)


def contained(a: Hashes, b: Hashes, params: DuplicateParams) -> bool:
    """One text cut short of the other: most of the shorter lies in the longer."""
    shorter, longer = sorted((a.size, b.size))
    return (
        longer > 0
        and shorter / longer >= params.min_length_ratio
        and containment(a, b) >= params.containment
    )
