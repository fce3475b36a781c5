"""Why two articles were, or were not, flagged: the scores, the verdict, the evidence.

The verdict is worked out again by `dedupe.verify.judge`, the rule the pipeline applies,
so the reason names the criterion that fired: shingle Jaccard, containment, or terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from dedupe.index import band_keys
from dedupe.signature import (
    DuplicateParams,
    Hashes,
    StoryParams,
    TermVector,
    coverage,
    shingled,
    words,
)
from dedupe.verify import (
    CONTAINMENT,
    JACCARD,
    TERMS,
    Verdict,
    comparable_lengths,
    judge,
    size_ratio,
)

SHARED_TERMS = 12  # how many shared salient terms an explanation lists


@dataclass(frozen=True)
class Explanation:
    a: str
    b: str
    verdict: str  # what the store holds: "duplicate", "story", or "not flagged"
    criterion: str | None  # what fires under these settings: jaccard, containment, terms
    duplicate_score: float  # Jaccard of word shingles
    containment_score: float  # share of the shorter text's words the longer holds
    length_ratio: float  # shorter / longer shingle count
    story_score: float  # cosine of salient-term weights
    duplicate_threshold: float
    containment_threshold: float
    min_length_ratio: float
    story_threshold: float
    same_story_cluster: bool
    shared_terms: list[tuple[str, float]]  # heaviest first
    longest_shared_passage: str
    shared_bands: dict[str, int] | None  # LSH bands in common, per kind, when known
    reason: str


@dataclass(frozen=True)
class _Scores:
    verdict: Verdict
    containment: float
    length_ratio: float
    comparable: bool


def explain(
    a: str,
    b: str,
    *,
    texts: tuple[str, str],
    terms: tuple[dict[str, float], dict[str, float]],
    stored_kind: str | None,
    same_story_cluster: bool,
    duplicate: DuplicateParams,
    story: StoryParams,
    shared_bands: dict[str, int] | None = None,
) -> Explanation:
    first, second = (shingled(text, duplicate) for text in texts)
    verdict = judge(first, second, TermVector(terms[0]), TermVector(terms[1]), duplicate, story)
    scores = _Scores(
        verdict,
        coverage(first, second),
        size_ratio(first, second),
        comparable_lengths(first, second, duplicate),
    )
    shared = sorted(
        ((t, round(min(terms[0][t], terms[1][t]), 3)) for t in terms[0].keys() & terms[1].keys()),
        key=lambda item: (-item[1], item[0]),
    )[:SHARED_TERMS]
    stored = stored_kind or "not flagged"
    return Explanation(
        a=a,
        b=b,
        verdict=stored,
        criterion=verdict.criterion,
        duplicate_score=round(verdict.duplicate_score, 4),
        containment_score=round(scores.containment, 4),
        length_ratio=round(scores.length_ratio, 4),
        story_score=round(verdict.story_score, 4),
        duplicate_threshold=duplicate.threshold,
        containment_threshold=duplicate.containment,
        min_length_ratio=duplicate.min_length_ratio,
        story_threshold=story.verify_threshold,
        same_story_cluster=same_story_cluster,
        shared_terms=shared,
        longest_shared_passage=longest_shared_passage(*texts),
        shared_bands=shared_bands,
        reason=_reason(stored_kind, scores, duplicate, story, shared_bands),
    )


def bands_in_common(
    a: tuple[Hashes, Hashes],
    b: tuple[Hashes, Hashes],
    duplicate: DuplicateParams,
    story: StoryParams,
) -> dict[str, int]:
    """How many LSH bands two articles' (duplicate, story) sketches share, per kind
    (duplicate alone when stories are off)."""
    shared = {}
    for kind, x, y, shape in (
        ("duplicate", a[0], b[0], duplicate.bands()),
        ("story", a[1], b[1], story.bands()),
    )[: 2 if story.enabled else 1]:
        keys = band_keys(np.stack([x, y]), *shape)
        shared[kind] = int(np.count_nonzero(keys[0] == keys[1]))
    return shared


def longest_shared_passage(a: str, b: str) -> str:
    """The longest run of words the two texts share, as it reads in the first."""
    first, second = words(a), words(b)
    match = SequenceMatcher(None, first, second, autojunk=False).find_longest_match(
        0, len(first), 0, len(second)
    )
    return " ".join(first[match.a : match.a + match.size])


def _reason(
    stored: str | None,
    scores: _Scores,
    duplicate: DuplicateParams,
    story: StoryParams,
    shared_bands: dict[str, int] | None,
) -> str:
    verdict = scores.verdict
    why = _why(scores, duplicate, story)
    if verdict.kind == stored:
        return why
    if stored is None:
        if shared_bands is None:
            return f"{why}; but the pair was never a candidate (no shared LSH band or neighbour)"
        bands = f"{shared_bands['duplicate']} of {duplicate.bands()[0]} duplicate bands (1 needed)"
        if story.enabled:
            bands += (
                f" and {shared_bands['story']} of {story.bands()[0]} story bands "
                f"({story.min_shared_bands} needed)"
            )
        return (
            f"{why}; but the pair was never a candidate: it shares {bands}, "
            "and no verified neighbour"
        )
    judged = verdict.kind or "not flagged"
    return (
        f"stored as {stored}, but these settings make it {judged} ({why}): "
        "the store was made with other settings"
    )


def _why(scores: _Scores, duplicate: DuplicateParams, story: StoryParams) -> str:
    verdict = scores.verdict
    # Three decimals: a score just under a bar must not print as the bar.
    jaccard = f"word-shingle Jaccard {verdict.duplicate_score:.3f}"
    contained = f"containment {scores.containment:.3f}"
    if verdict.criterion == JACCARD:
        return f"{jaccard} ≥ {duplicate.threshold}: the same text"
    if verdict.criterion == CONTAINMENT:
        typos = duplicate.containment_tolerance
        held = "in shingles it also has"
        if typos:
            held = f"in shingles matching in all but at most {typos} other word"
            held += "s" if typos > 1 else ""
        return (
            f"{contained} ≥ {duplicate.containment}: that share of the shorter text's words "
            f"lies in the longer one, {held}, and the shorter holds {scores.length_ratio:.2f} "
            f"of the longer's shingles (≥ {duplicate.min_length_ratio}); {jaccard} < "
            f"{duplicate.threshold}: one text is the other cut short or edited"
        )
    if scores.comparable:
        not_contained = f"{contained} < {duplicate.containment}"
    else:
        not_contained = (
            f"{contained}, but the shorter text holds {scores.length_ratio:.2f} of the longer's "
            f"shingles (< {duplicate.min_length_ratio})"
        )
    if verdict.criterion == TERMS:
        return (
            f"salient-term cosine {verdict.story_score:.3f} ≥ {story.verify_threshold} "
            f"({jaccard} < {duplicate.threshold}, {not_contained}): other words, the same event"
        )
    if not story.enabled:
        return f"{jaccard} < {duplicate.threshold} and {not_contained} (stories are off)"
    return (
        f"{jaccard} < {duplicate.threshold}, {not_contained}, and term cosine "
        f"{verdict.story_score:.3f} < {story.verify_threshold}"
    )
