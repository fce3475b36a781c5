"""Line-level features shared by the splitter, the cleaner and the corpus line counts."""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass

# A headline is a short line that does not read as a finished sentence.
HEADLINE_MAX_CHARS = 200
HEADLINE_MAX_WORDS = 30
HEADLINE_MIN_WORDS = 2
# Prose: a line with this many words that ends like a sentence.
PROSE_MIN_WORDS = 8
# Distinct lines whose features are remembered: the splitter and the cleaner look at each line
# many times over (pure functions of the line, so the answers never go stale).
LINE_CACHE_SIZE = 16_384

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_DIGITS = re.compile(r"\d")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Cue:
    """A case-insensitive pattern and needles, lower-case strings one of which each of
    its matches holds: the pattern runs only on lines that hold one (`re` searches a
    long line slowly for a pattern that opens with a word boundary; `in` is fast). A
    pattern anchored at the start needs none: `re` tries it at one place."""

    pattern: re.Pattern[str]
    needles: tuple[str, ...] = ()

    def search(self, line: str, lower: str) -> bool:
        """Whether the pattern matches `line`; `lower` is `lowered(line)`."""
        if self.needles and not any(needle in lower for needle in self.needles):
            return False
        return self.pattern.search(line) is not None


def word_count(line: str) -> int:
    # Spaces and full stops at the ends hold no word: the rules that strip them before
    # counting share one count with those that do not.
    return _word_count(line.strip().rstrip("."))


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def _word_count(line: str) -> int:
    return len(_WORD.findall(line))


# The letters outside ASCII that `re.IGNORECASE` takes for ASCII ones (dotless i and dotted
# capital I for i, long s for s, the Kelvin sign for k), which str.lower() leaves apart.
_ASCII_LOOKALIKES = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def lowered(line: str) -> str:
    """The line in lower case, with the letters IGNORECASE takes for ASCII ones made
    those: a letter by letter copy (as long, with words where the line has them) in
    which a lower-case string stands where IGNORECASE would find it in the line."""
    if not line.isascii():
        for lookalike, letter in _ASCII_LOOKALIKES.items():  # `in` is fast, translate slow
            if lookalike in line:
                line = line.replace(lookalike, letter)
    return line.lower()


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line.rstrip()))


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def is_prose(line: str) -> bool:
    """A line that reads as running text: enough words, ending like a sentence."""
    return word_count(line) >= PROSE_MIN_WORDS and ends_sentence(line)


def is_headline_like(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > HEADLINE_MAX_CHARS:
        return False
    n = word_count(stripped)
    if not HEADLINE_MIN_WORDS <= n <= HEADLINE_MAX_WORDS:
        return False
    if stripped[-1] in ".,;:":
        return False
    first = stripped[0]
    return first.isupper() or first.isdigit() or first in "\"'“‘«"


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def fold(line: str) -> str:
    """Comparison form of a line: case, accents, punctuation and spacing folded away."""
    if line.isascii():  # nothing to decompose or strip: the same, faster
        stripped = line.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", line.casefold())
        stripped = "".join(itertools.filterfalse(unicodedata.combining, decomposed))
    return " ".join(_NON_WORD.sub(" ", stripped).split())  # \s and str.split agree


def line_key(line: str) -> int:
    """Signed 64-bit key of a line for corpus counts (CCNet: digits folded to 0)."""
    digest = hashlib.blake2b(_DIGITS.sub("0", fold(line)).encode("utf-8"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)
