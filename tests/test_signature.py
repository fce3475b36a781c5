"""dedupe.signature: shingles, story terms, sketches and LSH parameters."""

from __future__ import annotations

import math
import threading
from collections import Counter

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from dedupe import signature
from dedupe.signature import (
    DUPLICATE_PARAMS,
    STORY_PARAMS,
    DuplicateParams,
    StoryParams,
    candidate_probability,
    cosine,
    duplicate_signature,
    estimate_jaccard,
    heaviest_terms,
    jaccard,
    lsh_params,
    minhash,
    name_key,
    normalise,
    probability_jaccard,
    shingled,
    shingled_batch,
    shingles,
    signature_batch,
    signatures,
    story_signature,
    story_signatures,
    story_terms,
    term_of,
    weighted_jaccard,
    weighted_minhash,
    words,
)

AP = (
    "The outskirts of the Syrian town of Qusair where the Russian troops set up three "
    "observation positions on Monday have been held by Hezbollah since 2013."
)
REUTERS = (
    "A Russian troop deployment in Syria near the town of Qusayr caused friction with "
    "Hezbollah, which objected to the uncoordinated move, two officials told Reuters."
)
EGYPT = (
    "The Turkish and Italian embassies in Cairo launched an initiative to boost ties "
    "between Egypt and the North Atlantic Treaty Organization."
)

# --- normalisation and words ----------------------------------------------------------------


def test_normalise_folds_case_accents_and_compatibility_forms() -> None:
    assert normalise("Türkiye's Şen, ŁÓDŹ and ﬁve") == "turkiye's sen, lodz and five"


def test_words_ignore_punctuation_and_keep_decimal_numbers() -> None:
    assert words("A 5.6-magnitude quake; 26,000 dead. Lohan’s “comeback”!") == [
        "a", "5.6", "magnitude", "quake", "26,000", "dead", "lohan", "s", "comeback",
    ]  # fmt: skip


# --- shingles -----------------------------------------------------------------------------


def test_shingles_ignore_line_wrapping_case_and_punctuation() -> None:
    text = "Russian troops set up three observation positions near the town on Monday."
    rewrapped = "RUSSIAN troops set up\nthree observation -- positions\n\nnear the town, on Monday"
    assert np.array_equal(shingles(text), shingles(rewrapped))


def test_shingles_change_when_a_word_changes() -> None:
    assert not np.array_equal(shingles("a b c d e f"), shingles("a b c d e g"))


def test_shingles_are_distinct_sorted_word_k_grams() -> None:
    found = shingles("one two three four five six one two three four five six", k=5)
    assert found.dtype == np.uint32
    assert np.all(np.diff(found.astype(np.int64)) > 0)
    assert found.size == 6  # the second half repeats shingles of the first


@pytest.mark.parametrize("dtype", [np.uint32, np.uint64, np.int64])
def test_distinct_is_np_unique(dtype: type[np.generic]) -> None:
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 1000):
        values = rng.integers(0, 50, size).astype(dtype)
        found = signature.distinct(values)
        assert found.dtype == values.dtype
        assert np.array_equal(found, np.unique(values))


def test_short_text_is_one_shingle_and_empty_text_none() -> None:
    assert shingles("just three words", k=5).size == 1
    assert shingles("  ...  ", k=5).size == 0


def test_shingle_size_is_checked() -> None:
    with pytest.raises(ValueError):
        shingles("text", k=0)


# --- MinHash ------------------------------------------------------------------------------


def test_minhash_equals_datasketch_affine32() -> None:
    hashes = shingles(AP + " " + REUTERS)
    reference = MinHash(num_perm=64, seed=5, hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert reference.scheme == "affine32"
    assert np.array_equal(minhash(hashes, 64, 5), reference.hashvalues)


def test_minhash_of_nothing_is_datasketchs_empty_sketch() -> None:
    assert np.array_equal(
        minhash(np.empty(0, dtype=np.uint32), 16, 1), MinHash(num_perm=16, seed=1).hashvalues
    )


def test_minhash_estimate_is_close_to_exact_jaccard() -> None:
    rng = np.random.default_rng(0)
    pool = rng.choice(2**32, size=3000, replace=False).astype(np.uint32)
    a, b = np.unique(pool[:2000]), np.unique(pool[1000:])  # Jaccard 1000 / 3000
    exact = jaccard(a, b)
    assert exact == pytest.approx(1 / 3)
    assert abs(estimate_jaccard(minhash(a, 512, 1), minhash(b, 512, 1)) - exact) < 0.05


def test_sketch_works_in_a_datasketch_lsh_index() -> None:
    bands, rows = DUPLICATE_PARAMS.bands()
    index = MinHashLSH(num_perm=DUPLICATE_PARAMS.num_perm, params=(bands, rows))
    original = duplicate_signature(AP + " " + REUTERS)
    copy = duplicate_signature((AP + " " + REUTERS).upper())
    index.insert("original", LeanMinHash(seed=1, hashvalues=original, scheme="affine32"))
    query = LeanMinHash(seed=1, hashvalues=copy, scheme="affine32")
    assert index.query(query) == ["original"]


# --- LSH parameters -----------------------------------------------------------------------


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_lsh_params_match_datasketchs_own_choice(threshold: float) -> None:
    index = MinHashLSH(threshold=threshold, num_perm=128)
    assert lsh_params(threshold, 128) == (index.b, index.r)


def test_weighting_false_negatives_finds_more_pairs_at_the_threshold() -> None:
    even = lsh_params(0.5, 128)
    cautious = lsh_params(0.5, 128, false_positive_weight=0.2, false_negative_weight=0.8)
    assert candidate_probability(0.5, *cautious) > candidate_probability(0.5, *even)


def test_default_bands_find_pairs_above_the_verification_thresholds() -> None:
    assert candidate_probability(DUPLICATE_PARAMS.threshold, *DUPLICATE_PARAMS.bands()) > 0.95
    assert STORY_PARAMS.bands()[1] == 1  # one shared sampled term makes a candidate


def test_params_are_validated() -> None:
    with pytest.raises(ValueError):
        StoryParams(num_perm=1)
    with pytest.raises(ValueError):
        DuplicateParams(threshold=1.5)
    with pytest.raises(ValueError):
        StoryParams(stop_zipf=7.0)


# --- story terms --------------------------------------------------------------------------


def test_qusair_and_qusayr_share_one_key() -> None:
    assert name_key("Qusair") == name_key("Qusayr") == "ksr"
    assert "~ksr" in story_terms("", AP)
    assert "~ksr" in story_terms("", REUTERS)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Hezbollah", "Hizbullah"), ("Muhammad", "Mohammed"), ("Gaddafi", "Ghaddafi")],
)
def test_transliteration_variants_share_a_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_rare_words_weigh_more_and_common_words_are_no_terms() -> None:
    terms = story_terms("", "The government said the earthquake hit Qeshm island.")
    assert "the" not in terms and "said" not in terms
    assert terms["~ksm"] > terms["earthquake"] > terms["island"]
    assert "government" not in terms  # Zipf 5.6: too common to tell stories apart


def test_title_words_weigh_more() -> None:
    body = "Rescuers searched the rubble after the earthquake."
    assert story_terms("Earthquake", body)["earthquake"] > story_terms("", body)["earthquake"]


def test_numbers_accents_and_plurals() -> None:
    terms = story_terms("", "A 5.6 magnitude quake hit Türkiye; troops and cities.")
    assert "#5.6" in terms
    assert story_terms("", "Turkiye").keys() == story_terms("", "TÜRKIYE").keys()
    assert "troop" in terms and "city" in terms


def test_story_terms_do_not_depend_on_other_articles() -> None:
    before = story_terms("Qusayr", REUTERS)
    for i in range(50):
        story_terms(f"Other story {i}", f"{EGYPT} number {i} qusayrian qusayr{i}")
    assert story_terms("Qusayr", REUTERS) == before


def test_a_word_weighs_one_plus_log_of_its_count_times_its_rarity() -> None:
    # Three body occurrences and one in the title, which counts twice: a count of 5.
    terms = story_terms("Earthquake", "earthquake, Earthquake; EARTHQUAKE!")
    key, rarity = term_of("earthquake")  # type: ignore[misc]
    assert terms == {key: (1.0 + math.log(5.0)) * rarity}


def test_weights_of_words_with_one_key_add_up_in_any_order() -> None:
    # Three spellings of one name share a key; their sum is the same whatever came first.
    spellings = ["Qusair", "Qusayr", "Qussayr"]
    assert len({name_key(s) for s in spellings}) == 1
    orders = [spellings, spellings[::-1], spellings[1:] + spellings[:1]]
    sums = {story_terms("", " ".join(order))["~ksr"] for order in orders}
    assert sums == {reference_terms("", " ".join(spellings))["~ksr"]}


ARTICLES = [
    ("Qusayr", REUTERS),
    ("", AP),
    ("Egypt and NATO", EGYPT),
    ("Title only, Qusair", ""),
    ("", ""),
    ("Qusayr", REUTERS),  # the same article twice in one batch
    ("Rare words: Zyxwvut Qwertyuiop", "Zyxwvut again, and 26,000 and 5.6 twice: 5.6"),
]


EXTRA = [(f"Other story {i}", f"{EGYPT} number {i} words{i} qusayr{i} zyx{i}") for i in range(30)]


# Small limits split a batch: its terms looked up in parts, its text split into words
# in parts of a few articles, and articles longer than a part alone.
@pytest.mark.parametrize("batch_words, part_chars", [(signature._BATCH_WORDS, None), (40, 200)])
def test_a_batch_signs_each_article_as_it_would_alone(
    batch_words: int, part_chars: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = [signatures(title, text) for title, text in ARTICLES]
    monkeypatch.setattr(signature, "_BATCH_WORDS", batch_words)
    if part_chars:
        monkeypatch.setattr(signature, "_POWER_TABLE_SIZE", part_chars)
    for batch in (ARTICLES, ARTICLES[::-1]):
        together = signature_batch(batch)
        expected = alone if batch is ARTICLES else alone[::-1]
        for one, other in zip(together, expected, strict=True):
            assert one.terms == other.terms
            assert np.array_equal(one.duplicate, other.duplicate)
            assert np.array_equal(one.story, other.story)
    assert signature_batch([]) == []


@pytest.mark.parametrize("part_chars", [None, 200])
def test_a_batch_is_shingled_as_each_text_alone(
    part_chars: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [text or title for title, text in ARTICLES] + ["", "—", "one"]
    if part_chars:
        monkeypatch.setattr(signature, "_POWER_TABLE_SIZE", part_chars)
    for one, text in zip(shingled_batch(texts), texts, strict=True):
        alone = shingled(text)
        assert np.array_equal(one.word_hashes, alone.word_hashes)
        assert np.array_equal(one.variants, alone.variants)
    assert shingled_batch([]) == []


def reference_terms(title: str, text: str) -> dict[str, float]:
    """Story terms by their definition, a word at a time."""
    counts: dict[str, float] = dict(Counter(words(text)))
    for word in words(title):
        counts[word] = counts.get(word, 0.0) + STORY_PARAMS.title_boost
    weights: dict[str, list[float]] = {}
    for word, count in counts.items():
        term = term_of(word)
        if term is not None:
            weights.setdefault(term[0], []).append((1.0 + math.log(count)) * term[1])
    terms = {}
    for key, values in weights.items():
        total = 0.0
        for value in sorted(values):  # smallest first
            total += value
        terms[key] = total
    return terms


def test_story_terms_are_their_definition_exactly() -> None:
    for title, text in [*ARTICLES, *EXTRA, ("Qusair Qusayr", "Qussayr, the Qusair road")]:
        assert story_terms(title, text) == reference_terms(title, text)
        assert [*story_terms(title, text)] == sorted(reference_terms(title, text))


def test_the_story_sketch_does_not_depend_on_the_order_of_the_terms() -> None:
    # These two keys' clocks tie at a position of the default story sketch.
    tied = {"~k3590": 1.0, "~k13652": 1.0}
    reverse = dict(reversed(tied.items()))
    assert np.array_equal(story_signature(tied), story_signature(reverse))


def test_each_thread_has_its_own_word_table() -> None:
    tables = []
    worker = threading.Thread(target=lambda: tables.append(signature._term_table(STORY_PARAMS)))
    worker.start()
    worker.join()
    assert tables[0] is not signature._term_table(STORY_PARAMS)


def test_story_terms_survive_the_word_table_starting_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = [story_terms(title, text) for title, text in ARTICLES]
    monkeypatch.setattr(signature._TermTable, "min_slots", 16)
    monkeypatch.setattr(signature, "_THREAD", threading.local())  # a new table
    table = signature._term_table(STORY_PARAMS)
    for _ in range(3):  # the batches overfill a table of 16 slots: it starts again
        assert [story_terms(title, text) for title, text in ARTICLES] == expected
        assert table.used <= table.slots // 2
        # Most words of the batch are known now; the new ones overfill the table.
        assert [s.terms for s in signature_batch([*ARTICLES, *EXTRA])] == expected + [
            story_terms(title, text) for title, text in EXTRA
        ]
        assert table.used <= table.slots // 2
    assert table.slots > 16  # grown to hold a whole batch


def test_story_similarity_joins_the_seeds_pair_and_not_egypt() -> None:
    ap, reuters, egypt = (story_terms("", t) for t in (AP, REUTERS, EGYPT))
    assert cosine(ap, reuters) > 3 * max(cosine(ap, egypt), cosine(reuters, egypt))
    assert weighted_jaccard(ap, reuters) > weighted_jaccard(ap, egypt)


def test_story_signatures_are_story_signature_of_each_exactly() -> None:
    weightings = [story_terms(title, text) for title, text in [*ARTICLES, *EXTRA]]
    weightings += [
        {},  # no terms
        {"a": 1.0},  # fewer than sketch_terms
        {f"k{i}": 1.0 for i in range(40)},  # every weight tied across the cut
        {f"k{i}": float(i % 3) for i in range(40)},  # zero weights, ties at the cut
        {f"k{i}": float(i) for i in range(STORY_PARAMS.sketch_terms + 1)},  # one past it
        {"~k3590": 1.0, "~k13652": 1.0},  # two clocks tie
        {"x": 0.0},  # nothing positive
    ]
    batch = story_signatures(weightings)
    assert len(batch) == len(weightings)
    for terms, sketch in zip(weightings, batch, strict=True):
        assert np.array_equal(sketch, story_signature(terms))
        assert sketch.dtype == np.uint32


def test_heaviest_terms_break_ties_by_key() -> None:
    terms = {"d": 1.0, "c": 2.0, "b": 1.0, "a": 1.0}
    assert heaviest_terms(terms, 3) == {"c": 2.0, "a": 1.0, "b": 1.0}
    assert heaviest_terms(dict(reversed(terms.items())), 3) == heaviest_terms(terms, 3)


def test_weighted_minhash_estimates_probability_jaccard() -> None:
    a = {f"t{i}": 1.0 + i % 7 for i in range(40)}
    b = {f"t{i}": 1.0 + (i * 3) % 5 for i in range(20, 60)}
    exact = probability_jaccard(a, b)
    estimate = estimate_jaccard(weighted_minhash(a, 1024, 3), weighted_minhash(b, 1024, 3))
    assert 0.1 < exact < 0.5
    assert abs(estimate - exact) < 0.05


def test_weighted_minhash_is_scale_free_and_consistent() -> None:
    terms = {"~ksr": 9.0, "russian": 1.0, "hezbollah": 3.0}
    doubled = {key: 2 * weight for key, weight in terms.items()}
    assert np.array_equal(weighted_minhash(terms, 64, 2), weighted_minhash(doubled, 64, 2))


def test_signatures_bundle_both_kinds() -> None:
    signed = signatures("Qusayr", REUTERS)
    assert np.array_equal(signed.duplicate, duplicate_signature(REUTERS))
    assert signed.terms == story_terms("Qusayr", REUTERS)
    assert np.array_equal(signed.story, story_signature(story_terms("Qusayr", REUTERS)))
    assert signed.duplicate.dtype == signed.story.dtype == np.uint32
    assert signed.story.size == STORY_PARAMS.num_perm


def test_body_less_article_is_shingled_by_its_title() -> None:
    assert np.array_equal(signatures("Quake hits Iran", "").duplicate,
                          duplicate_signature("Quake hits Iran"))  # fmt: skip


def test_shingled_keeps_the_shingles_in_text_order() -> None:
    text = "one two three four five six one two three four five six seven"
    found = shingled(text)
    assert np.array_equal(found.hashes, shingles(text))
    assert found.sequence.size == found.words - 4 == 9  # repeats kept, in order
    assert found.sequence[0] == found.sequence[6]
    assert found.variants.shape == (9, 5)  # one word of five left out, each way
    assert shingled("three words only").sequence.size == 1
    assert shingled("").size == 0 and shingled("").words == 0


def test_a_variant_is_shared_by_shingles_that_differ_in_its_left_out_word() -> None:
    a = shingled("ferry crews walked off the job")
    b = shingled("ferry crews wlaked off the job")
    assert not set(a.sequence.tolist()) & set(b.sequence.tolist())
    shared = [c for c in range(5) if a.variants[0, c] == b.variants[0, c]]
    assert shared == [2]  # the variant without the third word
    exact = DuplicateParams(containment_tolerance=0)
    assert np.array_equal(shingled("a b c d e f", exact).variants[:, 0],
                          shingled("a b c d e f", exact).sequence)


def test_the_word_table_makes_room_for_a_batch_of_mostly_known_words() -> None:
    table = signature._TermTable(STORY_PARAMS)
    table.min_slots = 16
    table._clear(64)
    vocabulary = [f"zq{i}x" for i in range(60)]
    hashes = np.array([hash_of(w) for w in vocabulary], dtype=np.uint64)
    table.slots_of(hashes[:30], lambda i: vocabulary[i])  # half full: 30 of 64
    slots = table.slots_of(hashes, lambda i: vocabulary[i])  # 30 known, 30 new
    assert table.used == 60 and table.slots >= 120
    keys = table.keys[table.term_ids[slots]].tolist()
    assert keys == [term_of(w)[0] for w in vocabulary]  # type: ignore[index]


def hash_of(word: str) -> int:
    return int(signature._words(word).hashes[0])
