"""Signatures of articles: word shingles, story terms and MinHash sketches.

Two kinds of sameness are fingerprinted here:

- duplicates, the same text again (re-posts, syndication, light edits, truncation):
  word k-gram shingles of the normalised text, sketched with MinHash (Jaccard);
- stories, independent reports of one event in other words: salient terms (names,
  places, numbers, content words) weighted by their rarity in a static background
  model, sketched with a weighted MinHash (probability Jaccard of the weights).

Everything an article gets here is computed from that article alone and the static
background model (wordfreq's English frequencies), never from the rest of the corpus, so
a store indexed in any order or in any number of chunks holds exactly the same values.

Only this module and the index module import datasketch. Sketches use datasketch's
"affine32" permutation scheme (the default, and the fastest, since 2.0.0): `minhash()`
returns exactly the hash values of ``datasketch.MinHash(num_perm=..., seed=...)`` updated
with the same 32-bit hashes, ready for ``LeanMinHash(seed=..., hashvalues=...,
scheme="affine32")`` and ``MinHashLSH(params=lsh_params(...))``.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import threading
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import chain, combinations, pairwise
from typing import TypeVar

import numpy as np
import numpy.typing as npt

# datasketch and wordfreq are imported where they are used: together they take over a
# second to import (datasketch loads scipy), which a cron run with nothing new to sign
# should not pay.

Hashes = npt.NDArray[np.uint32]
WordHashes = npt.NDArray[np.uint64]

SCHEME = "affine32"  # datasketch permutation scheme of every sketch made here
EMPTY_HASH = np.uint32(0xFFFFFFFF)  # datasketch's value for "no element seen"


def _check_sketch(num_perm: int, threshold: float) -> None:
    if num_perm < 2:
        raise ValueError(f"num_perm must be >= 2, got {num_perm}")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")


@dataclass(frozen=True)
class DuplicateParams:
    """Defaults for duplicates (the same text again). They shape stored data: keep them
    with it.

    Measured on ECB+ articles (bench.stories): 5-word shingles keep a Jaccard of 0.84
    (median; 0.76 for the 5% worst) under 3% transposed-letter typos, 0.91 / 0.84 with
    boilerplate lines added, 0.79 / 0.67 with a sentence swapped plus boilerplate plus 1%
    typos, and 0.8 when a fifth is cut off; different reports of one event stay below
    0.41 in 99% of pairs. Hence 0.6, with bands tuned lower to miss few such pairs.
    """

    shingle_size: int = 5  # words per shingle
    num_perm: int = 128
    seed: int = 1
    threshold: float = 0.6  # Jaccard of shingle sets from which two texts are duplicates
    # A copy cut short (a teaser, a truncated scrape) has a low Jaccard but lies inside
    # the full text: duplicates too, when the shorter holds at least half the shingles.
    # Containment is counted in words (`coverage`), and a shingle over a word holds it
    # when all but `containment_tolerance` of its other words match: one typo spoils
    # every exact shingle over its word, five at k = 5, and a copy with 12 typos in 250
    # words keeps only three quarters of them, but 95% of its words.
    containment: float = 0.9  # share of the shorter text's words the longer holds
    min_length_ratio: float = 0.5  # shorter / longer shingle count for containment to count
    containment_tolerance: int = 1  # other words of a shingle that may differ
    lsh_threshold: float = 0.5  # bands: 30 x 4, finding 98% of pairs at 0.6, all at 0.7
    lsh_false_negative_weight: float = 0.8

    def __post_init__(self) -> None:
        _check_sketch(self.num_perm, self.threshold)
        _check_sketch(self.num_perm, self.lsh_threshold)
        _check_weight(self.lsh_false_negative_weight)
        if not 1 <= self.shingle_size <= MAX_SHINGLE_SIZE:
            raise ValueError(f"shingle_size must be in [1, {MAX_SHINGLE_SIZE}]")
        if not 0.0 <= self.containment <= 1.0:
            raise ValueError(f"containment must be in [0, 1], got {self.containment}")
        if not 0 <= self.containment_tolerance <= MAX_TOLERANCE:
            raise ValueError(f"containment_tolerance must be in [0, {MAX_TOLERANCE}]")

    def bands(self) -> tuple[int, int]:
        """(bands, rows) of the LSH index for these sketches."""
        return lsh_params(
            self.lsh_threshold,
            self.num_perm,
            1.0 - self.lsh_false_negative_weight,
            self.lsh_false_negative_weight,
        )


@dataclass(frozen=True)
class StoryParams:
    """Defaults for story terms and their sketch. They shape stored data: keep them with it."""

    # False: duplicates only, as the MinHash tools flag them; no story terms, bands, pairs
    # or clusters, and an empty story sketch (all EMPTY_HASH).
    enabled: bool = True
    title_boost: float = 2.0  # a title occurrence counts as this many body occurrences
    reference_zipf: float = 6.0  # rarity of a word = reference_zipf - its Zipf frequency
    stop_zipf: float = 5.5  # words at least this frequent are not terms at all
    name_zipf: float = 4.0  # rarer words are keyed by their consonant skeleton (names)
    name_min_len: int = 5  # shorter rare words keep their spelling (acronyms, short names)
    sketch_terms: int = 16  # the heaviest terms that enter the weighted sketch
    num_perm: int = 32
    seed: int = 2
    # Reports of one story share few heavy terms (on ECB+ the sketches of a tenth of the
    # pairs worth verifying agree in under 7% of positions; median 17%), so the bands
    # have one row: one shared sampled term makes a candidate (27 bands x 1 row). False
    # positives only cost a verification; closing triangles finds most of the rest.
    lsh_threshold: float = 0.1
    lsh_false_negative_weight: float = 0.8
    # A candidate shares at least this many bands: two sketches agreeing in one or two
    # of 27 positions share one heavy term, mostly a topic, not an event. On ECB+ this
    # keeps B3 F1 (0.920 against 0.921 with 1) and cuts candidates 2x there and 5x on
    # a 10k corpus of many topics; the pairs it drops are mostly found by closing
    # triangles.
    min_shared_bands: int = 3
    verify_threshold: float = 0.15  # term cosine from which a candidate pair is kept

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ValueError(f"enabled is true or false, got {self.enabled!r}")
        _check_sketch(self.num_perm, self.lsh_threshold)
        _check_weight(self.lsh_false_negative_weight)
        if not 0.0 <= self.verify_threshold <= 1.0:
            raise ValueError(f"verify_threshold must be in [0, 1], got {self.verify_threshold}")
        if self.min_shared_bands < 1:
            raise ValueError(f"min_shared_bands must be >= 1, got {self.min_shared_bands}")
        if self.sketch_terms < 1:
            raise ValueError(f"sketch_terms must be >= 1, got {self.sketch_terms}")
        if self.stop_zipf > self.reference_zipf:
            raise ValueError("stop_zipf above reference_zipf would give negative weights")

    def bands(self) -> tuple[int, int]:
        """(bands, rows) of the LSH index for these sketches."""
        return lsh_params(
            self.lsh_threshold,
            self.num_perm,
            1.0 - self.lsh_false_negative_weight,
            self.lsh_false_negative_weight,
        )


def _check_weight(weight: float) -> None:
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"a false negative weight is in [0, 1], got {weight}")


MAX_SHINGLE_SIZE = 16
MAX_TOLERANCE = 2  # a shingle of k words has C(k, tolerance) variants
DUPLICATE_PARAMS = DuplicateParams()
STORY_PARAMS = StoryParams()

# --- text normalisation -------------------------------------------------------------

_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u00ad]+")  # accents, and soft hyphens
# Lower-case letters that NFKD does not split into a base letter plus an accent.
_UNDECOMPOSABLE = {
    "\u00f8": "o", "\u0142": "l", "\u0111": "d", "\u0127": "h", "\u0131": "i",
    "\u00e6": "ae", "\u0153": "oe", "\u00fe": "th", "\u00f0": "d", "\u0167": "t",
}  # fmt: skip
_UNDECOMPOSABLE_PATTERN = re.compile("[" + "".join(_UNDECOMPOSABLE) + "]")


def _fold_undecomposable(match: re.Match[str]) -> str:
    return _UNDECOMPOSABLE[match.group()]


def strip_accents(text: str) -> str:
    """Lower-case text without accents: "şen" -> "sen", "türkiye" -> "turkiye"."""
    if text.isascii():
        return text
    text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return _UNDECOMPOSABLE_PATTERN.sub(_fold_undecomposable, text)


def normalise(text: str) -> str:
    """Compatibility-normalised, case-folded, accent-free text (soft hyphens removed)."""
    return strip_accents(unicodedata.normalize("NFKC", text).casefold())


# --- words, without a Python loop ------------------------------------------------------

_ASCII_WORD = np.array([chr(code).isalnum() for code in range(128)], dtype=bool)
_DIGIT = np.array([chr(code).isdigit() for code in range(128)], dtype=bool)
_POLY = 0x100000001B3  # odd, hence invertible modulo 2^64
_POLY_INVERSE = pow(_POLY, -1, 1 << 64)


def _powers(base: int, count: int) -> WordHashes:
    powers = np.full(max(count, 1), base, dtype=np.uint64)
    powers[0] = 1
    return np.cumprod(powers)  # wraps modulo 2^64, as intended


_POWER_TABLE_SIZE = 1 << 15  # articles up to 32k characters need no new table
_POLY_POWERS = _powers(_POLY, _POWER_TABLE_SIZE)
_POLY_INVERSE_POWERS = _powers(_POLY_INVERSE, _POWER_TABLE_SIZE)


def _fmix64(values: WordHashes) -> WordHashes:
    # MurmurHash3's 64-bit finalizer: neighbouring inputs give unrelated outputs.
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xFF51AFD7ED558CCD)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(0xC4CEB9FE1A85EC53)
    return values ^ (values >> np.uint64(33))


@dataclass(frozen=True)
class _Words:
    """The words of a normalised text: hashes in text order and their character spans."""

    text: str
    hashes: WordHashes
    starts: npt.NDArray[np.intp]
    ends: npt.NDArray[np.intp]

    def word(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]


def _words(normalised: str) -> _Words:
    """Split normalised text into words, vectorised.

    A word is a run of letters and digits (ASCII alphanumerics, and any non-ASCII code
    point outside the Latin-1 symbols, General Punctuation and CJK punctuation blocks);
    a "." or "," between two digits belongs to the number (5.6, 26,000). Each word's
    hash is its polynomial sum(c_i * P^i) mod 2^64, read off prefix sums for all words at
    once; multiplying by P^-start (P is odd) makes it independent of the position.
    """
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32)
    size = codes.size
    ascii_codes = np.where(codes < 128, codes, 0)
    is_word = _ASCII_WORD[ascii_codes]
    non_ascii = codes >= 128
    if non_ascii.any():
        punctuation = (
            (codes < 0xC0)
            | ((codes >= 0x2000) & (codes < 0x2070))
            | ((codes >= 0x3000) & (codes < 0x3040))
            | (codes == 0xD7)
            | (codes == 0xF7)
        )
        is_word |= non_ascii & ~punctuation
    if size > 2:
        digit = _DIGIT[ascii_codes]
        separator = (codes[1:-1] == ord(".")) | (codes[1:-1] == ord(","))
        is_word[1:-1] |= separator & digit[:-2] & digit[2:]
    edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    if size <= _POWER_TABLE_SIZE:
        powers, inverse_powers = _POLY_POWERS[:size], _POLY_INVERSE_POWERS
    else:
        powers, inverse_powers = _powers(_POLY, size), _powers(_POLY_INVERSE, size)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(codes.astype(np.uint64) * powers, out=prefix[1:])
    hashes = _fmix64((prefix[ends] - prefix[starts]) * inverse_powers[starts])
    return _Words(normalised, hashes, starts, ends)


def _articles_words(articles: Sequence[tuple[str, str]]) -> list[tuple[_Words, _Words]]:
    """The words of the title and body of each article: articles joined by line breaks
    into texts of up to `_POWER_TABLE_SIZE` characters, each split in one pass (a word's
    hash does not depend on where it starts)."""
    found: list[tuple[_Words, _Words]] = []
    parts: list[str] = []  # title, body, title, body, ... of the articles in `joined`
    length = 0
    for title, text in articles:
        title, text = normalise(title), normalise(text)
        if parts and length + len(title) + len(text) + 2 > _POWER_TABLE_SIZE:
            found += _split_words(parts)
            parts, length = [], 0
        parts += (title, text)
        length += len(title) + len(text) + 2
    if parts:
        found += _split_words(parts)
    return found


def _split_words(parts: Sequence[str]) -> list[tuple[_Words, _Words]]:
    joined = _words("\n".join(parts))
    # Where each part starts in the joined text, and where its words start.
    offsets = np.cumsum([0] + [len(part) + 1 for part in parts])
    cuts = np.searchsorted(joined.starts, offsets).tolist()
    pieces = [
        _Words(joined.text, joined.hashes[a:b], joined.starts[a:b], joined.ends[a:b])
        for a, b in pairwise(cuts)
    ]
    return list(zip(pieces[0::2], pieces[1::2], strict=True))


def words(text: str) -> list[str]:
    """The words of a text as the signatures see them: normalised, punctuation dropped."""
    found = _words(normalise(text))
    return [found.word(i) for i in range(found.hashes.size)]


def token_hashes(tokens: Iterable[str]) -> Hashes:
    """Stable 32-bit hashes (CRC-32 of UTF-8) of tokens, the same in every process."""
    return np.fromiter((zlib.crc32(token.encode("utf-8")) for token in tokens), dtype=np.uint32)


# --- duplicates: word shingles --------------------------------------------------------

# Odd 64-bit multipliers, one per position in a shingle.
_POSITION_MULTIPLIERS = np.array(
    [((0x9E3779B97F4A7C15 * (2 * i + 1)) % (1 << 64)) | 1 for i in range(MAX_SHINGLE_SIZE)],
    dtype=np.uint64,
)


def _shingles(word_hashes: WordHashes, k: int) -> Hashes:
    """Shingle hashes in text order, repeats included (MinHash does not mind them)."""
    if not 1 <= k <= MAX_SHINGLE_SIZE:
        raise ValueError(f"k must be in [1, {MAX_SHINGLE_SIZE}], got {k}")
    if word_hashes.size == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(k, word_hashes.size)
    count = word_hashes.size - k + 1
    combined = word_hashes[:count] * _POSITION_MULTIPLIERS[0]
    for position in range(1, k):
        combined += word_hashes[position : position + count] * _POSITION_MULTIPLIERS[position]
    top_bits: Hashes = (_fmix64(combined) >> np.uint64(32)).astype(np.uint32)
    return top_bits


def shingles(text: str, k: int = DUPLICATE_PARAMS.shingle_size) -> Hashes:
    """Sorted distinct 32-bit hashes of the word k-grams of the normalised text.

    Case, accents, punctuation and line wrapping do not change the result. A text of
    fewer than k words gives one shingle of all its words; an empty text none.
    """
    return distinct(_shingles(_words(normalise(text)).hashes, k))


Values = TypeVar("Values", bound=np.generic)


def distinct(values: npt.NDArray[Values]) -> npt.NDArray[Values]:
    """The distinct values, sorted: what `np.unique` returns, but by a sort, which is 10
    to 40 times faster on integer arrays than numpy 2's hashing."""
    ordered = np.sort(values, axis=None)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


_WORD_SLOTS = 1 << 12  # slots of a text's word filter: a few times its distinct words
# A wildcard word's term at each position of a shingle variant ("any word here").
_WILDCARD_TERMS = np.uint64(0x2545F4914F6CDD1D) * _POSITION_MULTIPLIERS  # wraps mod 2^64


@dataclass(frozen=True, eq=False)
class Shingled:
    """A text's words as verification compares them: its shingles in text order
    (shingle i starts at word i; a text shorter than k words has one shingle of them
    all), and, made when first asked for, their variants for `coverage`.

    Column c of `variants` holds each shingle's hash with the word positions of mask c
    (`masks`) replaced by a wildcard: two shingles that differ in those words only share
    that variant. With no tolerance there is one mask, of no position: the shingle itself.
    """

    word_hashes: WordHashes
    shingle_size: int
    tolerance: int  # words of a shingle a variant leaves out

    @classmethod
    def of(cls, word_hashes: WordHashes, params: DuplicateParams) -> Shingled:
        """The shingles of a text's word hashes, as `params` makes them."""
        return cls(word_hashes, params.shingle_size, params.containment_tolerance)

    def bare(self) -> Shingled:
        """The same text without the arrays made of it so far: a tenth of the memory."""
        return Shingled(self.word_hashes, self.shingle_size, self.tolerance)

    @functools.cached_property
    def sequence(self) -> Hashes:
        """The shingle hashes in text order, repeats included."""
        return _shingles(self.word_hashes, self.shingle_size)

    @functools.cached_property
    def hashes(self) -> Hashes:
        """The distinct shingle hashes, sorted: what `shingles` returns."""
        return distinct(self.sequence)

    @functools.cached_property
    def size(self) -> int:
        """How many distinct shingles."""
        return int(self.hashes.size)

    @property
    def words(self) -> int:
        return int(self.word_hashes.size)

    @property
    def span(self) -> int:
        """Words per shingle."""
        return max(1, min(self.shingle_size, self.words))

    @functools.cached_property
    def masks(self) -> tuple[tuple[int, ...], ...]:
        if self.span <= self.tolerance:
            return ((),)
        return tuple(combinations(range(self.span), self.tolerance))

    @functools.cached_property
    def variants(self) -> Hashes:
        """(sequence.size, len(masks)) hashes of the shingles with masked words."""
        if self.masks == ((),) or self.sequence.size == 0:
            return self.sequence[:, np.newaxis]
        span, count = self.span, self.sequence.size
        terms = np.stack(
            [self.word_hashes[p : p + count] * _POSITION_MULTIPLIERS[p] for p in range(span)],
            axis=1,
        )
        # A variant is the shingle's sum with the masked words' terms swapped for wildcards.
        swaps = _WILDCARD_TERMS[:span] - terms  # wraps mod 2^64, as intended
        sums = terms.sum(axis=1, dtype=np.uint64)[:, np.newaxis] + swaps[
            :, np.array(self.masks)
        ].sum(axis=2, dtype=np.uint64)
        variants: Hashes = (_fmix64(sums) >> np.uint64(32)).astype(np.uint32)
        return variants

    @functools.cached_property
    def word_slots(self) -> npt.NDArray[np.intp]:
        """Each word's slot in a `word_filter`: the low bits of its hash."""
        return (self.word_hashes & np.uint64(_WORD_SLOTS - 1)).astype(np.intp)

    @functools.cached_property
    def word_filter(self) -> npt.NDArray[np.bool_]:
        """True in the slots of the text's words: a word whose slot is False is not one
        of them (one whose slot is True may be)."""
        found = np.zeros(_WORD_SLOTS, dtype=bool)
        found[self.word_slots] = True
        return found

    @functools.cached_property
    def sorted_variants(self) -> Hashes:
        """Every variant of every shingle, sorted (repeats kept: lookups do not mind)."""
        return np.sort(self.variants, axis=None)

    @functools.cached_property
    def variant_set(self) -> Hashes:
        """Every variant of every shingle, sorted and distinct."""
        return distinct(self.sorted_variants)

    @functools.cached_property
    def keeps(self) -> npt.NDArray[np.int32]:
        """keeps[c, p] = 1 when variant c keeps the word at position p of its shingle."""
        keeps = np.ones((len(self.masks), self.span), dtype=np.int32)
        for c, mask in enumerate(self.masks):
            keeps[c, list(mask)] = 0
        return keeps


def shingled(text: str, params: DuplicateParams = DUPLICATE_PARAMS) -> Shingled:
    """A text's words for verification: shingles as `shingles` makes them, in text
    order, and their variants under `params.containment_tolerance`."""
    return Shingled.of(_words(normalise(text)).hashes, params)


def shingled_batch(
    texts: Sequence[str], params: DuplicateParams = DUPLICATE_PARAMS
) -> list[Shingled]:
    """`shingled` of many texts, faster: their words are split together."""
    words = _articles_words([("", text) for text in texts])
    return [Shingled.of(body.hashes, params) for _, body in words]


def _found_in(values: Hashes, sorted_set: Hashes) -> npt.NDArray[np.bool_]:
    """Which `values` the sorted array `sorted_set` holds (same shape as `values`)."""
    if sorted_set.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    found: npt.NDArray[np.bool_] = sorted_set[at] == values
    return found


def coverage(a: Shingled, b: Shingled) -> float:
    """Share of the words of the text with fewer distinct shingles that the other text
    holds in place (of two with as many, the larger share).

    A word is held when one of its text's shingles over it matches a shingle of the
    other text in every word but at most `containment_tolerance` others: containment
    counted in words, typos allowed. A typo spoils every exact shingle over its word
    (five at k = 5) but leaves only that word unheld; texts that differ every few words
    share little, since the differing words themselves are never held; added lines,
    re-wrapping and a cut-off end do not lower it.
    """
    return _coverage(a, b, 0.0)


def coverage_bound(small: Shingled, shared_variants: int) -> float:
    """An upper bound on the share of `small`'s words another text holds, from the
    number of distinct variants the two share (`variant_set`s), for screening pairs
    in bulk: each shingle that matches shares at least one variant (ones repeated
    within `small` aside) and holds at most its span of words. No bound from exact
    shingles holds once typos are allowed: a word can be held with no shingle shared.
    """
    if small.words == 0:
        return 0.0
    repeats = small.variants.size - small.variant_set.size  # variants held twice or more
    return min(1.0, small.span * (shared_variants + repeats) / small.words)


def covers(a: Shingled, b: Shingled, share: float) -> bool:
    """``coverage(a, b) >= share``, usually at a fraction of its cost. The one way the two
    can differ: `coverage` counts a word held when two 32-bit variant hashes collide,
    where `covers` may first find too few of the words in the other text at all."""
    return _coverage(a, b, share) >= share


def _coverage(a: Shingled, b: Shingled, share: float) -> float:
    """`coverage`, or any value below `share` once it is certainly below it."""
    if a.size == 0 or b.size == 0:
        return 0.0
    if a.size > b.size:
        a, b = b, a
    found = _held(a, b, share)
    if a.size == b.size and (share <= 0.0 or found < share):
        found = max(found, _held(b, a, share))
    return found


def _held(small: Shingled, large: Shingled, share: float) -> float:
    words = small.words
    allowed = words - math.ceil(share * words - 1e-9)  # unheld words that still leave enough
    # A word is held only where it stands in the other text too (a variant that matches
    # keeps it: the wildcard is elsewhere), so the words the other text lacks are unheld.
    if words - int(np.count_nonzero(large.word_filter[small.word_slots])) > allowed:
        return 0.0
    # Words before `head` lie only in shingles that start before it, and a shingle holds
    # at most its span of words: when too few of those shingles match at all (different
    # texts, mostly), more words are unheld than allowed, and the rest is not looked at.
    span = small.span
    matching, start = 0, 0
    for head in (allowed + 1, 2 * (allowed + 1)):
        if head >= small.sequence.size:
            break
        rows = small.variants[start:head]
        matching += int(np.count_nonzero(_found_in(rows, large.sorted_variants).any(axis=1)))
        if head - span * matching > allowed:
            return 0.0
        start = head
    held = _held_words(small, large)
    return float(np.count_nonzero(held)) / words


def _held_words(small: Shingled, large: Shingled) -> npt.NDArray[np.bool_]:
    """Which words of `small` its shingles hold in `large`."""
    matched = _found_in(small.variants, large.sorted_variants)
    keeps = small.keeps
    # per_shingle[i, p]: some matching variant of shingle i keeps its word at position p.
    per_shingle = (matched.astype(np.int32) @ keeps) > 0
    held = np.zeros(small.words, dtype=bool)
    count = per_shingle.shape[0]
    for p in range(keeps.shape[1]):
        held[p : p + count] |= per_shingle[:, p]
    return held


def containment(a: Hashes, b: Hashes) -> float:
    """Share of the smaller set of distinct hashes that the other holds."""
    if a.size == 0 or b.size == 0:
        return 0.0
    return np.intersect1d(a, b, assume_unique=True).size / min(a.size, b.size)


def jaccard(a: Hashes, b: Hashes) -> float:
    """Exact Jaccard similarity of two sets of distinct hashes (as `shingles` gives)."""
    if a.size == 0 and b.size == 0:
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / (a.size + b.size - shared)


# --- MinHash (datasketch's affine32 scheme, vectorised) ---------------------------------


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[Hashes, Hashes]:
    # The permutations datasketch draws from this seed, so the sketches interoperate.
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(values: Hashes) -> Hashes:
    # MurmurHash3's 32-bit finalizer: datasketch's pre-mix for the affine32 scheme.
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def _permuted(hashes: Hashes, num_perm: int, seed: int) -> Hashes:
    """(len(hashes), num_perm) matrix: a_j * fmix32(h) + b_j mod 2^32."""
    a, b = _permutations(num_perm, seed)
    mixed = _fmix32(np.asarray(hashes, dtype=np.uint32))
    result: Hashes = mixed[:, np.newaxis] * a + b  # uint32 arithmetic wraps: mod 2^32
    return result


def minhash(hashes: Hashes, num_perm: int, seed: int) -> Hashes:
    """MinHash values of a set of 32-bit hashes, computed as one numpy expression.

    Equal to ``datasketch.MinHash(num_perm=num_perm, seed=seed)`` updated with the same
    hashes (scheme "affine32"); no hashes give all 0xFFFFFFFF, as in datasketch.
    """
    if len(hashes) == 0:
        return np.full(num_perm, EMPTY_HASH, dtype=np.uint32)
    result: Hashes = _permuted(hashes, num_perm, seed).min(axis=0)
    return result


def estimate_jaccard(a: Hashes, b: Hashes) -> float:
    """Share of equal positions of two sketches: their estimated (weighted) Jaccard."""
    if a.shape != b.shape:
        raise ValueError(f"sketches differ in length: {a.shape} vs {b.shape}")
    return float(np.count_nonzero(a == b)) / a.size


def duplicate_signature(text: str, params: DuplicateParams = DUPLICATE_PARAMS) -> Hashes:
    """The MinHash of a text's word shingles."""
    word_hashes = _words(normalise(text)).hashes
    return minhash(_shingles(word_hashes, params.shingle_size), params.num_perm, params.seed)


# --- LSH parameters -----------------------------------------------------------------


@functools.lru_cache(maxsize=64)  # a numerical optimisation: worth computing once
def lsh_params(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) minimising the weighted areas of false positives and negatives.

    datasketch's own optimisation, the one ``MinHashLSH(threshold=...)`` runs, so an
    index built with ``MinHashLSH(params=...)`` from these behaves like datasketch's.
    """
    from datasketch.lsh import _optimal_param

    _check_sketch(num_perm, threshold)
    if false_positive_weight < 0 or false_negative_weight < 0:
        raise ValueError("weights must be >= 0")
    total = false_positive_weight + false_negative_weight
    bands, rows = _optimal_param(
        threshold, num_perm, false_positive_weight / total, false_negative_weight / total
    )
    return int(bands), int(rows)


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Chance that two sketches of this similarity share at least one band."""
    return float(1.0 - (1.0 - similarity**rows) ** bands)


# --- stories: salient terms -------------------------------------------------------------


def zipf(token: str) -> float:
    """Zipf frequency (log10 of occurrences per 10^9 words) of a normalised token in
    English, from wordfreq's static lists; 0 for words wordfreq never saw."""
    import wordfreq

    if token[:1].isdigit():
        # wordfreq models numbers by their digits, so 2008 is commoner than 7.25.
        return float(wordfreq.zipf_frequency(token.replace(",", ""), "en"))
    frequency = wordfreq.get_frequency_dict("en").get(token)  # loaded once by wordfreq
    return math.log10(frequency) + 9.0 if frequency else 0.0


_SKELETON_DROP = re.compile(r"[aeiouyhw]")
_SKELETON_LETTERS = str.maketrans({"q": "k", "c": "k"})


def name_key(word: str) -> str:
    """A key shared by spelling and transliteration variants of a name.

    Case and accents are dropped, c and q become k, and after the first letter the
    vowels, y, w and h go and repeated letters collapse: Qusair and Qusayr both give
    "ksr", Muhammad and Mohammed "md", Hezbollah and Hizbullah "hzbl".
    """
    return _skeleton(normalise(word))


def _skeleton(word: str) -> str:
    word = word.translate(_SKELETON_LETTERS)
    if not word:
        return word
    key = [word[0]]
    for ch in _SKELETON_DROP.sub("", word[1:]):
        if ch != key[-1]:
            key.append(ch)
    return "".join(key)


def term_of(token: str, params: StoryParams = STORY_PARAMS) -> tuple[str, float] | None:
    """(key, rarity) of a normalised word, or None when it is too common to be a term.

    Keys: "#" + number; "~" + skeleton for a rare word (a name, most likely); otherwise
    the word with a plural -s folded. Rarity: reference_zipf - Zipf frequency.
    """
    if not token or (len(token) == 1 and not token.isdigit()):
        return None
    token_zipf = zipf(token)
    if token_zipf >= params.stop_zipf:
        return None
    return _term_key(token, token_zipf, params), params.reference_zipf - token_zipf


def _term_key(token: str, token_zipf: float, params: StoryParams) -> str:
    if token[0].isdigit():
        return "#" + token
    if token_zipf < params.name_zipf and len(token) >= params.name_min_len:
        skeleton = _skeleton(token)
        if len(skeleton) >= 3:  # shorter skeletons would merge unrelated names
            return "~" + skeleton
    # Fold plurals only ("troops"/"troop", "cities"/"city"): other suffixes carry meaning.
    if token[-1] != "s" or len(token) < 4 or token.endswith(("ss", "us", "is")):
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    return token[:-1]


_NO_TERM = -1  # a word's term id when it is too common to be a term
_FREE = -2  # a free slot of the term table
_SLOT_BITS = 28  # at most 2^28 slots: an article's (slot, title?) packs into 29 bits
_BATCH_WORDS = 1 << 20  # larger batches are looked up in parts: tables stay small


class _TermTable:
    """`term_of` by word hash, for one StoryParams, looked up for many words at once.

    News repeats its words, so nearly every word of a batch has been met before. Its
    term is found in an open-addressing hash table held in numpy arrays (slot = the low
    bits of the word hash, then the next slots), probed for all the words at once;
    words met for the first time go through `term_of` and into the table. Bounded (it
    starts again when new words would fill it over half), and holds nothing but values
    of a pure function, so results never depend on what was computed before (barring
    two words with one 64-bit hash).
    """

    min_slots = 1 << 19

    def __init__(self, params: StoryParams) -> None:
        self.params = params
        self._clear(self.min_slots)

    def _clear(self, slots: int) -> None:
        if slots > 1 << _SLOT_BITS:
            raise ValueError(f"more than {1 << (_SLOT_BITS - 1):,} distinct words in one article")
        self.slots = slots
        self.hashes = np.zeros(slots, dtype=np.uint64)
        self.term_ids = np.full(slots, _FREE, dtype=np.int32)
        self.rarity = np.zeros(slots, dtype=np.float64)
        self.used = 0
        self.keys = np.empty(1 << 10, dtype=object)  # by term id; the first `len(key_ids)`
        self.key_ids: dict[str, int] = {}

    def slots_of(
        self, word_hashes: WordHashes, word_of: Callable[[int], str]
    ) -> npt.NDArray[np.intp]:
        """The slot of each word hash, whose `term_ids` (`_NO_TERM`, or an index of
        `keys`) and `rarity` are its term's; `word_of(i)` is the word of hash i, asked
        only of words not met before. Slots stay valid until the next call."""
        found = self._probe(word_hashes)
        new = np.flatnonzero(self.term_ids[found] == _FREE)
        half = self.slots // 2
        if self.used + new.size > half and self.used + distinct(word_hashes[new]).size > half:
            # Start again, with room for every word of the batch.
            distinct_words = distinct(word_hashes).size
            self._clear(max(self.min_slots, 1 << (2 * distinct_words).bit_length()))
            found = self._probe(word_hashes)
            new = np.flatnonzero(self.term_ids[found] == _FREE)
        if not new.size:
            return found
        # Each new word once, at the free slot its probe ended on, or after it: a word
        # added before it may have taken that one.
        mask = self.slots - 1
        new_words, first, inverse = np.unique(
            word_hashes[new], return_index=True, return_inverse=True
        )
        added = []
        for word_hash, i in zip(new_words.tolist(), new[first].tolist(), strict=True):
            at = int(found[i])
            while self.term_ids[at] != _FREE:
                at = (at + 1) & mask
            self._add(at, word_hash, word_of(i))
            added.append(at)
        found[new] = np.array(added, dtype=np.intp)[inverse.ravel()]
        return found

    def _probe(self, word_hashes: WordHashes) -> npt.NDArray[np.intp]:
        """Each hash's slot, or the free slot where its probe ended."""
        mask = self.slots - 1
        slot = (word_hashes & np.uint64(mask)).astype(np.intp)
        found = np.empty(word_hashes.size, dtype=np.intp)
        waiting = np.arange(word_hashes.size)
        while waiting.size:
            done = (self.term_ids[slot] == _FREE) | (self.hashes[slot] == word_hashes[waiting])
            found[waiting[done]] = slot[done]
            waiting, slot = waiting[~done], (slot[~done] + 1) & mask
        return found

    def _add(self, slot: int, word_hash: int, word: str) -> None:
        term = term_of(word, self.params)
        term_id, rarity = _NO_TERM, 0.0
        if term is not None:
            key, rarity = term
            term_id = self.key_ids.setdefault(key, len(self.key_ids))
            if term_id == self.keys.size:
                self.keys = np.concatenate([self.keys, np.empty_like(self.keys)])
            self.keys[term_id] = key
        self.hashes[slot], self.term_ids[slot], self.rarity[slot] = word_hash, term_id, rarity
        self.used += 1


_THREAD = threading.local()  # a table per thread: a Dask worker signs in several


def _term_table(params: StoryParams) -> _TermTable:
    if not hasattr(_THREAD, "term_tables"):
        _THREAD.term_tables = {}
    tables: dict[StoryParams, _TermTable] = _THREAD.term_tables
    if params not in tables:
        tables[params] = _TermTable(params)
    return tables[params]


def _runs(ordered: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Where each run of equal values of a sorted array starts."""
    starts = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return np.flatnonzero(starts)


def _story_terms(
    articles: Sequence[tuple[_Words, _Words]], params: StoryParams
) -> list[dict[str, float]]:
    """The story terms of the (title, body) words of many articles, each in no
    particular key order: one table lookup and two sorts for them all."""
    if not articles:
        return []
    if len(articles) > 1 and sum(t.hashes.size + b.hashes.size for t, b in articles) > _BATCH_WORDS:
        half = len(articles) // 2
        return _story_terms(articles[:half], params) + _story_terms(articles[half:], params)
    parts = [words for title, text in articles for words in (title, text)]
    hashes = np.concatenate([words.hashes for words in parts])
    part_of = np.repeat(np.arange(len(parts)), [words.hashes.size for words in parts])
    starts = np.concatenate([words.starts for words in parts])
    ends = np.concatenate([words.ends for words in parts])

    def word_of(i: int) -> str:
        return parts[int(part_of[i])].text[int(starts[i]) : int(ends[i])]

    table = _term_table(params)
    slots = table.slots_of(hashes, word_of)
    # Each article's distinct words: (article, slot, in the title?) sorted, in one int64.
    words = np.sort((part_of >> 1 << (_SLOT_BITS + 1)) | (slots << 1) | (part_of & 1 ^ 1))
    runs = _runs(words >> 1)
    in_title = np.add.reduceat(words & 1, runs) if runs.size else words
    count = (np.diff(runs, append=words.size) - in_title) + params.title_boost * in_title
    word_slots = (words[runs] >> 1) & ((1 << _SLOT_BITS) - 1)
    term_ids = table.term_ids[word_slots]
    kept = term_ids != _NO_TERM
    # math.log, not np.log, whose SIMD versions may differ in the last bit between CPUs.
    counts, count_of = np.unique(count[kept], return_inverse=True)
    logs = np.array([math.log(c) for c in counts.tolist()], dtype=np.float64)
    weights = (1.0 + logs[count_of.ravel()]) * table.rarity[word_slots[kept]]
    # Each article's terms: the weights of its words with one term add up.
    article_of = words[runs][kept] >> (_SLOT_BITS + 1)
    terms, inverse = np.unique((article_of << 32) | term_ids[kept], return_inverse=True)
    sums = np.bincount(inverse, weights=weights)
    keys = table.keys[terms & 0xFFFFFFFF].tolist()
    weight_list = sums.tolist()
    _sum_in_order(weight_list, inverse, weights)
    bounds = np.searchsorted(terms >> 32, np.arange(len(articles) + 1)).tolist()
    return [
        dict(zip(keys[low:high], weight_list[low:high], strict=True))
        for low, high in pairwise(bounds)
    ]


def _sum_in_order(
    sums: list[float], groups: npt.NDArray[np.intp], weights: npt.NDArray[np.float64]
) -> None:
    """Sums of three or more weights again, smallest first: the order in which floats
    are added changes the last bits of a sum, and the order of words here is the
    table's, which depends on what it met before (two weights add up the same either
    way)."""
    many = np.flatnonzero(np.bincount(groups)[groups] >= 3)
    members: dict[int, list[float]] = {}
    for group, weight in zip(groups[many].tolist(), weights[many].tolist(), strict=True):
        members.setdefault(group, []).append(weight)
    for group, values in members.items():
        total = 0.0  # not sum(): from Python 3.12 it compensates, a different result
        for value in sorted(values):
            total += value
        sums[group] = total


def story_terms(title: str, text: str, params: StoryParams = STORY_PARAMS) -> dict[str, float]:
    """Salient terms of an article and their weights.

    weight = (1 + ln count) * rarity, where a title occurrence counts `title_boost` times
    and rarity = reference_zipf - Zipf frequency of the word in the static English
    background model (words wordfreq never saw are the rarest). Words at least
    `stop_zipf` frequent are no terms; plurals are folded; rare words (names, places)
    are keyed by `name_key`, so spelling and transliteration variants meet; numbers stay
    ("#5.6"). A pure function of (title, text, params).
    """
    return dict(sorted(_story_terms(_articles_words([(title, text)]), params)[0].items()))


def term_norm(terms: Mapping[str, float]) -> float:
    """The Euclidean norm of a term weighting, as `cosine` computes it."""
    weights = list(terms.values())
    return math.sqrt(sum(map(operator.mul, weights, weights)))


def cosine(
    a: Mapping[str, float], b: Mapping[str, float], norms: tuple[float, float] | None = None
) -> float:
    """Cosine similarity of two term weightings (0 when either is empty).

    `norms`, their `term_norm`s, spare recomputing them when one article meets many.
    """
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b[key] for key, weight in a.items() if key in b)
    if dot <= 0.0:
        return 0.0
    norm_a, norm_b = norms if norms is not None else (term_norm(a), term_norm(b))
    return min(1.0, dot / (norm_a * norm_b))


class TermVector:
    """A term weighting prepared for many `cosine`s: its keys as a set, and its norm."""

    __slots__ = ("_order", "keys", "norm", "terms")

    def __init__(self, terms: Mapping[str, float]) -> None:
        self.terms = terms
        self.keys = frozenset(terms)
        self.norm = term_norm(terms)
        self._order: dict[str, int] | None = None

    def order(self, keys: Iterable[str]) -> list[str]:
        """`keys` in the weighting's own order."""
        if self._order is None:
            self._order = {key: i for i, key in enumerate(self.terms)}
        return sorted(keys, key=self._order.__getitem__)


def vector_cosine(a: TermVector, b: TermVector) -> float:
    """Exactly `cosine(a.terms, b.terms)`, faster: the shared keys are found by a set
    intersection, and their products added up in the same order as `cosine` adds them."""
    if len(a.terms) > len(b.terms):
        a, b = b, a
    shared = a.keys & b.keys
    if not shared:
        return 0.0
    in_order = a.order(shared) if len(shared) > 1 else shared
    dot: float = sum(
        map(operator.mul, map(a.terms.__getitem__, in_order), map(b.terms.__getitem__, in_order))
    )
    if dot <= 0.0:
        return 0.0
    return min(1.0, dot / (a.norm * b.norm))


TERM_COSINE_PAIRS = 5_000  # pairs whose term products are held at once


def term_cosines(
    weightings: Sequence[Mapping[str, float]], pairs: Sequence[tuple[int, int]]
) -> list[float]:
    """`vector_cosine` of the weightings of each pair (i, j) of positions, all at once,
    bit for bit the same for weightings whose keys come in sorted order, as stored ones
    (`store.dedupe.unpack_terms`) and `story_terms` do.

    The weightings are the rows of a sparse matrix whose columns are the keys in sorted
    order. Two rows' products are summed by a matrix-vector product with ones, which adds
    them one after another in column order, from 0, as `vector_cosine` adds them: no
    pairwise summation, whose roundings differ.
    """
    from scipy import sparse

    every_key = list(chain.from_iterable(weightings))
    keys = sorted(set(every_key))
    column = {key: i for i, key in enumerate(keys)}
    sizes = np.fromiter(map(len, weightings), dtype=np.int64, count=len(weightings))
    matrix = sparse.csr_array(
        (
            np.fromiter(chain.from_iterable(t.values() for t in weightings), np.float64),
            np.fromiter(map(column.__getitem__, every_key), np.int64, len(every_key)),
            np.concatenate(([0], np.cumsum(sizes))),
        ),
        shape=(len(weightings), max(1, len(keys))),
    )
    if not matrix.has_sorted_indices:
        raise ValueError("term_cosines needs weightings with their keys in sorted order")
    ones = np.ones(matrix.shape[1])
    norms = np.sqrt(matrix.multiply(matrix) @ ones)
    found: list[float] = []
    for start in range(0, len(pairs), TERM_COSINE_PAIRS):
        block = np.array(pairs[start : start + TERM_COSINE_PAIRS], dtype=np.int64).reshape(-1, 2)
        one, other = block[:, 0], block[:, 1]
        dots = matrix[one].multiply(matrix[other]) @ ones
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.minimum(1.0, dots / (norms[one] * norms[other]))
        found.extend(np.where(dots > 0.0, scores, 0.0).tolist())
    return found


def weighted_jaccard(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Sum of minimum over sum of maximum weights (0 when both are empty)."""
    keys = a.keys() | b.keys()
    low = sum(min(a.get(key, 0.0), b.get(key, 0.0)) for key in keys)
    high = sum(max(a.get(key, 0.0), b.get(key, 0.0)) for key in keys)
    return low / high if high else 0.0


def probability_jaccard(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Exact probability Jaccard of two weightings: what `weighted_minhash` estimates."""
    keys = a.keys() | b.keys()
    total = 0.0
    for key in keys:
        weight_a, weight_b = a.get(key, 0.0), b.get(key, 0.0)
        if weight_a <= 0.0 or weight_b <= 0.0:
            continue
        spread = sum(
            max(a.get(other, 0.0) / weight_a, b.get(other, 0.0) / weight_b) for other in keys
        )
        total += 1.0 / spread
    return total


def heaviest_terms(terms: Mapping[str, float], count: int) -> dict[str, float]:
    """The `count` heaviest terms; among equal weights at the cut, the smallest keys."""
    if len(terms) <= count:
        return dict(terms)
    weights = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
    cut = float(np.partition(weights, len(weights) - count)[len(weights) - count])
    chosen = {key: weight for key, weight in terms.items() if weight > cut}
    tied = sorted(key for key, weight in terms.items() if weight == cut)
    for key in tied[: count - len(chosen)]:
        chosen[key] = cut
    return chosen


def weighted_minhash(terms: Mapping[str, float], num_perm: int, seed: int) -> Hashes:
    """A sketch whose positions agree with probability equal to the probability Jaccard.

    For each permutation every term starts an exponential clock -ln(u) / weight, with u
    read from the affine32 permutation of the term's hash, and the first term to ring
    wins (P-MinHash, Moulton and Jiang 2018): a term wins with probability proportional
    to its weight, and consistently across articles. The sketch holds the winners'
    hashes. Terms without positive weight are ignored; none give all 0xFFFFFFFF.
    """
    # In key order: two terms' clocks can tie, and then the first wins.
    keys = sorted(key for key, weight in terms.items() if weight > 0)
    if not keys:
        return np.full(num_perm, EMPTY_HASH, dtype=np.uint32)
    hashes = token_hashes(keys)
    inverse_weights = 1.0 / np.array([terms[key] for key in keys], dtype=np.float32)
    # u in (0, 1) from the permuted hash; float32 is ample to rank the clocks.
    uniform = _permuted(hashes, num_perm, seed).astype(np.float32) * np.float32(2.0**-32)
    clocks = -np.log(uniform + np.float32(2.0**-33)) * inverse_weights[:, np.newaxis]
    result: Hashes = hashes[np.argmin(clocks, axis=0)]
    return result


def story_signature(terms: Mapping[str, float], params: StoryParams = STORY_PARAMS) -> Hashes:
    """The weighted sketch of an article's `sketch_terms` heaviest terms."""
    chosen = heaviest_terms(terms, params.sketch_terms)
    return weighted_minhash(chosen, params.num_perm, params.seed)


def story_signatures(
    all_terms: Sequence[Mapping[str, float]], params: StoryParams = STORY_PARAMS
) -> list[Hashes]:
    """`story_signature` of many weightings, exactly, faster: the heaviest terms are
    found by one sort of the batch, and every clock of the batch runs in one expression.
    Only an article whose weights tie across the cut picks its terms alone."""
    count = params.sketch_terms
    sizes = np.fromiter(map(len, all_terms), dtype=np.intp, count=len(all_terms))
    keys: list[str] = []
    values: list[float] = []
    for terms in all_terms:
        keys.extend(terms)
        values.extend(terms.values())
    weights = np.array(values, dtype=np.float64)
    article_of = np.repeat(np.arange(sizes.size), sizes)
    # Each article's terms heaviest first: its first `count` are its heaviest, unless
    # the next one weighs as much as the last (a tie across the cut).
    order = np.lexsort((-weights, article_of))
    heavy = weights[order]
    rank = np.arange(order.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    tied = np.zeros(sizes.size, dtype=bool)
    cut = np.flatnonzero(rank == count)  # the first term past the cut, where there is one
    tied[article_of[order[cut]]] = heavy[cut] == heavy[cut - 1]
    keep = (rank < count) & (heavy > 0) & ~tied[article_of[order]]
    picked = order[keep].tolist()
    bounds = np.concatenate(
        [[0], np.cumsum(np.bincount(article_of[order[keep]], minlength=sizes.size))]
    ).tolist()
    chosen = [
        sorted(key for key, weight in heaviest_terms(terms, count).items() if weight > 0)
        if is_tied
        else sorted(map(keys.__getitem__, picked[low:high]))
        for terms, is_tied, (low, high) in zip(
            all_terms, tied.tolist(), pairwise(bounds), strict=True
        )
    ]
    return _weighted_minhashes(all_terms, chosen, params.num_perm, params.seed)


def _weighted_minhashes(
    all_terms: Sequence[Mapping[str, float]],
    chosen: Sequence[Sequence[str]],
    num_perm: int,
    seed: int,
) -> list[Hashes]:
    """`weighted_minhash` of each article's `chosen` terms (in key order, positive),
    with the clocks of the batch in one (articles, terms, num_perm) array."""
    lengths = np.fromiter(map(len, chosen), dtype=np.intp, count=len(chosen))
    if not lengths.any():
        return [np.full(num_perm, EMPTY_HASH, dtype=np.uint32) for _ in chosen]
    rows = np.repeat(np.arange(lengths.size), lengths)
    columns = np.arange(rows.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    flat = token_hashes(key for picked in chosen for key in picked)
    hashes = np.zeros((lengths.size, int(lengths.max())), dtype=np.uint32)
    hashes[rows, columns] = flat
    weights = [
        terms[key] for terms, picked in zip(all_terms, chosen, strict=True) for key in picked
    ]
    # The same float32 operations as `weighted_minhash`, term by term.
    inverse_weights = 1.0 / np.array(weights, dtype=np.float32)
    uniform = _permuted(flat, num_perm, seed).astype(np.float32) * np.float32(2.0**-32)
    clocks = np.full((*hashes.shape, num_perm), np.inf, dtype=np.float32)
    clocks[rows, columns] = -np.log(uniform + np.float32(2.0**-33)) * inverse_weights[:, None]
    # argmin takes the first of tied clocks: the first key, as `weighted_minhash` does.
    sketches = np.take_along_axis(hashes, np.argmin(clocks, axis=1), axis=1)
    sketches[lengths == 0] = EMPTY_HASH
    return list(sketches)


# --- both at once -----------------------------------------------------------------------


@dataclass(frozen=True)
class Signatures:
    """What dedupe keeps about one article's content."""

    duplicate: Hashes  # MinHash of the body's word shingles
    terms: Mapping[str, float]  # story terms and their weights
    story: Hashes  # weighted MinHash of the heaviest story terms


def signatures(
    title: str,
    text: str,
    duplicate: DuplicateParams = DUPLICATE_PARAMS,
    story: StoryParams = STORY_PARAMS,
) -> Signatures:
    """Both kinds of signature of an article, splitting its text into words once.

    The duplicate sketch covers the body (the title when the body is empty); the story
    terms cover title and body, in key order.
    """
    signed = signature_batch([(title, text)], duplicate, story)[0]
    return replace(signed, terms=dict(sorted(signed.terms.items())))


def signature_batch(
    articles: Sequence[tuple[str, str]],
    duplicate: DuplicateParams = DUPLICATE_PARAMS,
    story: StoryParams = STORY_PARAMS,
) -> list[Signatures]:
    """`signatures` of many (title, text) at once, each exactly as alone but for the
    order of the story terms, which is none in particular (the store keeps them in key
    order); faster: the words of the whole batch are split and looked up together."""
    words = _articles_words(articles)
    all_terms = _story_terms(words, story) if story.enabled else [{} for _ in words]
    found = []
    sketches = story_signatures(all_terms, story)
    for (title_words, text_words), terms, sketch in zip(words, all_terms, sketches, strict=True):
        body = text_words if text_words.hashes.size else title_words
        shingle_hashes = _shingles(body.hashes, duplicate.shingle_size)
        found.append(
            Signatures(
                duplicate=minhash(shingle_hashes, duplicate.num_perm, duplicate.seed),
                terms=terms,
                story=sketch,
            )
        )
    return found
