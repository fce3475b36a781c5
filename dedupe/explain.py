"""Why two articles were, or were not, flagged: both scores, the verdict, the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from dedupe.signature import cosine, jaccard, shingles, words

SHARED_TERMS = 12  # how many shared salient terms an explanation lists


@dataclass(frozen=True)
class Explanation:
    a: str
    b: str
    verdict: str  # "duplicate", "story", or "not flagged"
    duplicate_score: float  # Jaccard of word shingles
    story_score: float  # cosine of salient-term weights
    duplicate_threshold: float
    story_threshold: float
    same_story_cluster: bool
    shared_terms: list[tuple[str, float]]  # heaviest first
    longest_shared_passage: str
    reason: str


def explain(
    a: str,
    b: str,
    *,
    texts: tuple[str, str],
    terms: tuple[dict[str, float], dict[str, float]],
    stored_kind: str | None,
    same_story_cluster: bool,
    shingle_size: int,
    duplicate_threshold: float,
    story_threshold: float,
) -> Explanation:
    duplicate = jaccard(shingles(texts[0], shingle_size), shingles(texts[1], shingle_size))
    story = cosine(terms[0], terms[1])
    shared = sorted(
        ((t, round(min(terms[0][t], terms[1][t]), 3)) for t in terms[0].keys() & terms[1].keys()),
        key=lambda item: (-item[1], item[0]),
    )[:SHARED_TERMS]
    verdict = stored_kind or "not flagged"
    return Explanation(
        a=a,
        b=b,
        verdict=verdict,
        duplicate_score=round(duplicate, 4),
        story_score=round(story, 4),
        duplicate_threshold=duplicate_threshold,
        story_threshold=story_threshold,
        same_story_cluster=same_story_cluster,
        shared_terms=shared,
        longest_shared_passage=longest_shared_passage(*texts),
        reason=_reason(verdict, duplicate, story, duplicate_threshold, story_threshold),
    )


def longest_shared_passage(a: str, b: str) -> str:
    """The longest run of words the two texts share, as it reads in the first."""
    first, second = words(a), words(b)
    match = SequenceMatcher(None, first, second, autojunk=False).find_longest_match(
        0, len(first), 0, len(second)
    )
    return " ".join(first[match.a : match.a + match.size])


def _reason(verdict: str, duplicate: float, story: float, dup_at: float, story_at: float) -> str:
    if verdict == "duplicate":
        return f"word-shingle Jaccard {duplicate:.2f} ≥ {dup_at}: the same text"
    if verdict == "story":
        return (
            f"salient-term cosine {story:.2f} ≥ {story_at} (shingle Jaccard {duplicate:.2f} "
            f"< {dup_at}): other words, the same event"
        )
    if duplicate >= dup_at or story >= story_at:
        return (
            "the scores pass, but the pair was never a candidate (no shared LSH band or neighbour)"
        )
    return f"shingle Jaccard {duplicate:.2f} < {dup_at} and term cosine {story:.2f} < {story_at}"
