"""Split a plain-text file into the articles it holds.

Scrapers often concatenate several pages into one file. An article starts where
  - a separator line (``----``, ``* * *``, ``=====``) ends the one before;
  - a long run of blank lines is followed by a headline-like line; or
  - a headline-like line repeats a few lines further down with only non-prose
    lines (captions, widgets) between: the "double headline" page template.
A piece with little prose (fine print does not count) is not an article of its own: it
stays with the article before it (a footer), or with the one after it when it comes first.
In a scrape of a whole web page, teasers and headlines printed twice are everywhere, so
there only separators and blank gaps split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest import rules
from ingest.lines import fold, is_headline_like, is_prose, word_count
from ingest.mainrun import is_page_dump

BLANK_GAP = 3  # blank lines in a row that can end an article
REPEAT_WINDOW = 12  # how far below a headline its repeat may stand
MIN_ARTICLE_PROSE_WORDS = 40  # a piece with fewer words of prose is not an article alone
SEPARATOR = re.compile(r"^\s*(?:[-=*_#~+•·]\s*){3,}$")


def split_articles(text: str) -> list[str]:
    """The articles of a plain text, in order; always at least one piece."""
    lines = text.split("\n")
    starts = [0, *article_starts(lines, double_headlines=not is_page_dump(lines))]
    pieces = [lines[a:b] for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    merged: list[list[str]] = []
    for piece in pieces:
        if merged and not (_is_article(merged[-1]) and _is_article(piece)):
            merged[-1].extend(piece)
        else:
            merged.append(list(piece))
    return [t for t in ("\n".join(p).strip("\n") for p in merged) if t.strip()] or [text]


def _is_article(lines: Sequence[str]) -> bool:
    """Enough prose to stand alone; the fine print of a page ("You must be logged in to leave
    a comment.") is no article's prose."""
    prose_words = sum(
        word_count(line) for line in lines if is_prose(line) and not rules.is_footer(line)
    )
    return prose_words >= MIN_ARTICLE_PROSE_WORDS


def article_starts(lines: Sequence[str], double_headlines: bool = True) -> list[int]:
    """Indexes (never 0) of lines that open a new article."""
    starts = []
    blank_run = 0
    seen_prose = False
    previous = ""
    for i, line in enumerate(lines):
        if not line.strip():
            blank_run += 1
            continue
        if seen_prose and (
            SEPARATOR.match(previous)
            or (blank_run >= BLANK_GAP and is_headline_like(line))
            or (double_headlines and _opens_double_headline(lines, i))
        ):
            starts.append(i)
            seen_prose = False
        seen_prose = seen_prose or is_prose(line)
        blank_run = 0
        previous = line
    return starts


def _opens_double_headline(lines: Sequence[str], i: int) -> bool:
    if not is_headline_like(lines[i]):
        return False
    key = fold(lines[i])
    between = 0
    for line in lines[i + 1 :]:
        if not line.strip():
            continue
        if fold(line) == key:
            return True
        if is_prose(line) or between >= REPEAT_WINDOW:
            return False
        between += 1
    return False
