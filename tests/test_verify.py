"""dedupe.verify and dedupe.explain: the verdict on a pair, and its explanation."""

from __future__ import annotations

import random
import textwrap

import pytest

from dedupe.explain import bands_in_common, explain
from dedupe.signature import (
    DUPLICATE_PARAMS,
    STORY_PARAMS,
    DuplicateParams,
    TermVector,
    containment,
    coverage,
    coverage_bound,
    covers,
    jaccard,
    shingled,
    signatures,
    story_terms,
    vector_cosine,
)
from dedupe.verify import CONTAINMENT, JACCARD, TERMS, Verdict, contained, flagged, judge

# A report written for these tests: 180 words, no repeated phrases.
REPORT = (
    "Ferry crews on the Skarholm line walked off the job on Monday morning, stranding about "
    "1,200 commuters on the island and halting fuel deliveries for the third time this year, "
    "the operator Nordsund Ferries said. The strike began at 5:40 a.m., when the first "
    "crossing of the day was due to leave Port Elms. Union leader Astrid Maelum said the "
    "crews had not been paid overtime for the winter storms and would stay ashore until the "
    "company opened its books. Nordsund's chief executive, Henrik Brattli, called the walkout "
    "illegal and said the company would ask the labour court on Tuesday to order the crews "
    "back to work. Islanders queued for the single water taxi, which can carry twelve "
    "passengers and no cars. The island's school closed at noon because half of its teachers "
    "live on the mainland, the municipality said. A fuel tanker that was to cross on Monday "
    "afternoon was turned back, and the island's only petrol station said it had enough "
    "diesel for four days. The regional government said it was watching the dispute closely "
    "and had asked both sides to meet a state mediator before the end of the week."
)
HEADER = "Island Post\n\nHome | News | Local\n\nBy Jane Moreno, Island Post\n\nShare\nTweet\n\n"
FOOTER = "\n\nSign up for the Island Post morning newsletter\n\nFollow us on Twitter and Facebook"


def _typo_every(text: str, words: int, start: int = 3) -> str:
    """A letter typo (the second letter doubled) in every `words`-th word from `start`."""
    tokens = text.split(" ")
    for i in range(start, len(tokens), words):
        token = tokens[i]
        if len(token) > 2 and token[1].isalpha():
            tokens[i] = token[:2] + token[1:]
    return " ".join(tokens)


def _judge(
    a: str, b: str, params: DuplicateParams = DUPLICATE_PARAMS
) -> tuple[str | None, str | None]:
    verdict = judge(
        shingled(a, params),
        shingled(b, params),
        TermVector(story_terms("", a)),
        TermVector(story_terms("", b)),
        params,
        STORY_PARAMS,
    )
    return verdict.kind, verdict.criterion


def test_a_typo_costs_one_word_of_coverage_and_five_shingles() -> None:
    copy = _typo_every(REPORT, 20)
    a, b = shingled(REPORT), shingled(copy)
    typos = sum(x != y for x, y in zip(REPORT.split(" "), copy.split(" "), strict=True))
    assert typos >= 8
    assert containment(a.hashes, b.hashes) < 0.8  # about five shingles lost per typo
    assert coverage(a, b) == pytest.approx(1 - typos / a.words)  # one word per typo


def test_a_copy_with_boilerplate_rewrapping_and_typos_is_a_duplicate() -> None:
    copy = HEADER + textwrap.fill(_typo_every(REPORT, 16), 64) + FOOTER
    a, b = shingled(REPORT), shingled(copy)
    # Neither the Jaccard nor the share of shingles found reaches its bar ...
    assert jaccard(a.hashes, b.hashes) < DUPLICATE_PARAMS.threshold
    assert containment(a.hashes, b.hashes) < DUPLICATE_PARAMS.containment
    # ... but nine in ten of the words of the report are in the copy, in place.
    assert _judge(REPORT, copy) == ("duplicate", CONTAINMENT)


def test_two_copies_with_typos_of_their_own_are_duplicates() -> None:
    first = _typo_every(REPORT, 22, start=2)
    second = textwrap.fill(_typo_every(REPORT, 22, start=13), 70)
    a, b = shingled(first), shingled(second)
    assert jaccard(a.hashes, b.hashes) < DUPLICATE_PARAMS.threshold
    assert containment(a.hashes, b.hashes) < DUPLICATE_PARAMS.containment
    assert _judge(first, second) == ("duplicate", CONTAINMENT)


def test_two_typos_close_together_hold_the_words_between_only_with_tolerance() -> None:
    tokens = REPORT.split(" ")
    tokens[44], tokens[47] = "xx" + tokens[44], "xx" + tokens[47]  # three words apart
    copy = " ".join(tokens)
    exact = DuplicateParams(containment_tolerance=0)
    unheld_exact = shingled(REPORT, exact).words * (
        1 - coverage(shingled(REPORT, exact), shingled(copy, exact))
    )
    unheld = shingled(REPORT).words * (1 - coverage(shingled(REPORT), shingled(copy)))
    assert round(unheld_exact) == 4  # the two typos and the two words between them
    assert round(unheld) == 2  # the two typos


def test_texts_that_differ_every_few_words_are_not_duplicates() -> None:
    # A template filled in twice: every fourth word differs. Each shingle but a few
    # matches with one word left out, and still a quarter of the words are not held.
    words = REPORT.split(" ")
    other = " ".join(f"{w}x" if i % 4 == 1 else w for i, w in enumerate(words))
    assert coverage(shingled(REPORT), shingled(other)) < 0.8
    assert _judge(REPORT, other)[0] != "duplicate"


def test_a_short_title_with_one_word_changed_is_not_a_duplicate() -> None:
    a, b = "Ferry crews strike on Skarholm line", "Ferry crews strike on Elms line"
    assert coverage(shingled(a), shingled(b)) < DUPLICATE_PARAMS.containment
    assert _judge(a, b)[0] != "duplicate"


def test_a_paragraph_inside_a_long_article_is_not_a_duplicate() -> None:
    paragraph = " ".join(REPORT.split(" ")[:60])
    assert coverage(shingled(paragraph), shingled(REPORT)) == 1.0
    assert _judge(paragraph, REPORT)[0] != "duplicate"  # under half the shingles


def test_a_copy_cut_short_is_still_a_duplicate() -> None:
    cut = " ".join(REPORT.split(" ")[:110])
    assert _judge(REPORT, cut) == ("duplicate", CONTAINMENT)
    assert _judge(REPORT, REPORT + FOOTER) == ("duplicate", JACCARD)


def test_the_verdict_does_not_depend_on_the_order_of_the_pair() -> None:
    copy = HEADER + _typo_every(REPORT, 12)
    for a, b in ((REPORT, copy), (REPORT, REPORT[:400]), (copy, REPORT[200:])):
        assert _judge(a, b) == _judge(b, a)


def test_covers_is_coverage_reaching_the_share() -> None:
    rng = random.Random(3)
    words = REPORT.split(" ")
    texts = [REPORT, HEADER + REPORT, " ".join(words[:90]), " ".join(words[50:])]
    for step in (5, 9, 15, 30):
        texts.append(_typo_every(REPORT, step, start=rng.randrange(step)))
    texts.append(" ".join(rng.sample(words, len(words))))
    # words the other texts lack, which `covers` counts before it looks at any shingle
    texts.append(" ".join(f"new{i}" if i % 4 == 1 else w for i, w in enumerate(words)))
    texts.append(" ".join(f"new{i}" if i % 20 == 7 else w for i, w in enumerate(words)))
    # more distinct words than a word filter has slots: most slots are taken
    many = [f"w{rng.randrange(10**9)}" for _ in range(6000)]
    texts += [" ".join(many), " ".join(w if i % 11 else "typo" for i, w in enumerate(many))]
    sets = [shingled(t) for t in texts]
    for a in sets:
        for b in sets:
            for share in (0.0, 0.3, 0.5, 0.8, 0.9, 0.95, 1.0):
                assert covers(a, b, share) == (coverage(a, b) >= share)


def _rule(a: str, b: str) -> Verdict:
    """The verdict as the rule reads, every score worked out."""
    first, second = shingled(a), shingled(b)
    dup = jaccard(first.hashes, second.hashes)
    sto = vector_cosine(TermVector(story_terms("", a)), TermVector(story_terms("", b)))
    if dup >= DUPLICATE_PARAMS.threshold:
        return Verdict("duplicate", dup, sto, JACCARD)
    if contained(first, second, DUPLICATE_PARAMS):
        return Verdict("duplicate", dup, sto, CONTAINMENT)
    if sto >= STORY_PARAMS.verify_threshold:
        return Verdict("story", dup, sto, TERMS)
    return Verdict(None, dup, sto)


def test_judge_and_flagged_follow_the_rule() -> None:
    words = REPORT.split(" ")
    other = REPORT.replace("Skarholm", "Vestby").replace("ferry", "bus").replace("Ferry", "Bus")
    texts = [REPORT, HEADER + _typo_every(REPORT, 12) + FOOTER, " ".join(words[:120]),
             " ".join(words[:40]), other, " ".join(reversed(words)), "A recipe for rye bread.", ""]
    criteria = set()
    for a in texts:
        for b in texts:
            terms = TermVector(story_terms("", a)), TermVector(story_terms("", b))
            rule = _rule(a, b)
            assert judge(shingled(a), shingled(b), *terms, DUPLICATE_PARAMS, STORY_PARAMS) == rule
            sto = vector_cosine(*terms)
            found = flagged(shingled(a), shingled(b), sto, DUPLICATE_PARAMS, STORY_PARAMS)
            assert found == (rule if rule.kind else None)
            criteria.add(rule.criterion)
    assert criteria == {JACCARD, CONTAINMENT, TERMS, None}


def test_coverage_bound_is_never_below_coverage() -> None:
    rng = random.Random(5)
    words = REPORT.split(" ")
    texts = [REPORT, " ".join(words[:100]), _typo_every(REPORT, 5), _typo_every(REPORT, 13)]
    texts += [" ".join(rng.sample(words, len(words))), REPORT.replace("the", "a"), "", "one"]
    sets = [shingled(t) for t in texts]
    for a in sets:
        for b in sets:
            if a.size > b.size:
                continue  # coverage is of the text with fewer shingles (of either if equal)
            shared = len(set(a.variant_set.tolist()) & set(b.variant_set.tolist()))
            bounds = [coverage_bound(a, shared)]
            if a.size == b.size:
                bounds.append(coverage_bound(b, shared))
            assert max(bounds) >= coverage(a, b) - 1e-12
    unrelated = shingled("A recipe for rye bread with caraway seeds, honey and a pinch of salt.")
    assert coverage_bound(shingled(REPORT), 0) < 0.1  # different texts share no variant
    assert coverage_bound(unrelated, 0) == 0.0


def test_containment_tolerance_is_checked() -> None:
    with pytest.raises(ValueError, match="containment_tolerance"):
        DuplicateParams(containment_tolerance=-1)
    with pytest.raises(ValueError, match="containment_tolerance"):
        DuplicateParams(containment_tolerance=5)
    assert DuplicateParams(shingle_size=1).containment_tolerance == 1  # no variants: exact


# --- explain ----------------------------------------------------------------------------


def _explain(a: str, b: str, stored: str | None) -> str:
    return explain(
        "a",
        "b",
        texts=(a, b),
        terms=(story_terms("", a), story_terms("", b)),
        stored_kind=stored,
        same_story_cluster=stored is not None,
        duplicate=DUPLICATE_PARAMS,
        story=STORY_PARAMS,
    ).reason


def test_explain_names_containment_when_containment_fired() -> None:
    copy = HEADER + textwrap.fill(_typo_every(REPORT, 16), 64) + FOOTER
    result = explain(
        "a",
        "b",
        texts=(REPORT, copy),
        terms=(story_terms("", REPORT), story_terms("", copy)),
        stored_kind="duplicate",
        same_story_cluster=True,
        duplicate=DUPLICATE_PARAMS,
        story=STORY_PARAMS,
    )
    assert result.criterion == CONTAINMENT
    assert result.duplicate_score < DUPLICATE_PARAMS.threshold
    assert result.containment_score >= DUPLICATE_PARAMS.containment
    assert result.reason.startswith(f"containment {result.containment_score:.3f} ≥ 0.9")
    assert "all but at most 1 other word" in result.reason
    assert f"Jaccard {result.duplicate_score:.3f} < 0.6" in result.reason


def test_explain_names_jaccard_terms_or_nothing() -> None:
    assert _explain(REPORT, REPORT + FOOTER, "duplicate").startswith("word-shingle Jaccard 0.9")
    other = (
        "Nordsund Ferries said on Tuesday that the Skarholm crews had agreed to meet a state "
        "mediator, and that the first crossing to Port Elms would leave at noon. Union leader "
        "Astrid Maelum said the strike over unpaid overtime was suspended, not over."
    )
    assert _judge(REPORT, other) == ("story", TERMS)
    story = _explain(REPORT, other, "story")
    assert story.startswith("salient-term cosine") and "containment" in story
    apart = _explain(REPORT, "A recipe for rye bread with caraway seeds and honey.", None)
    assert apart.startswith("word-shingle Jaccard 0.000 < 0.6") and "term cosine" in apart


def test_explain_says_when_the_rule_passes_but_the_pair_was_never_a_candidate() -> None:
    reason = _explain(REPORT, HEADER + _typo_every(REPORT, 16), None)
    assert reason.startswith("containment") and "never a candidate" in reason


def test_explain_says_when_the_store_was_made_with_other_settings() -> None:
    reason = _explain(REPORT, REPORT + FOOTER, "story")
    assert "stored as story" in reason and "other settings" in reason


def test_explain_counts_the_bands_a_pair_shares() -> None:
    copy, other = REPORT + FOOTER, "A recipe for rye bread with caraway seeds and honey."
    sketches = {
        text: (s.duplicate, s.story) for text in (REPORT, copy, other)
        for s in [signatures("", text)]
    }
    same = bands_in_common(sketches[REPORT], sketches[REPORT], DUPLICATE_PARAMS, STORY_PARAMS)
    assert same == {"duplicate": DUPLICATE_PARAMS.bands()[0], "story": STORY_PARAMS.bands()[0]}
    near = bands_in_common(sketches[REPORT], sketches[copy], DUPLICATE_PARAMS, STORY_PARAMS)
    apart = bands_in_common(sketches[REPORT], sketches[other], DUPLICATE_PARAMS, STORY_PARAMS)
    assert near["duplicate"] > apart["duplicate"] == 0 and apart["story"] == 0
    reason = explain(
        "a", "b", texts=(REPORT, copy), terms=(story_terms("", REPORT), story_terms("", copy)),
        stored_kind=None, same_story_cluster=False, duplicate=DUPLICATE_PARAMS,
        story=STORY_PARAMS, shared_bands={"duplicate": 0, "story": 2},
    ).reason
    assert "shares 0 of 30 duplicate bands (1 needed) and 2 of 27 story bands (3 needed)" in reason
