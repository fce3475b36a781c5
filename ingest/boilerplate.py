"""Corpus-level boilerplate: short lines that recur across many different articles.

The CCNet idea (hash normalised lines, count them across the corpus), with one
change for news: a syndicated article re-posted ten times must not turn its own
paragraphs into boilerplate. So a line is counted once per *anchor* — the
article's longest line, which is almost always article text — and copies of one
article share an anchor. A site template line stands beside many anchors.
"""

from __future__ import annotations

from ingest.clean import paragraph_lines
from ingest.lines import line_key

# Lines longer than this are article text, not template: never counted.
MAX_LINE_CHARS = 300
# A line standing in this many articles with different anchors is boilerplate.
MIN_ANCHORS = 5


def line_keys(raw: str) -> tuple[int, list[int]]:
    """The anchor of an article's raw text and the keys of its countable lines."""
    lines = paragraph_lines(raw)
    if not lines:
        return 0, []
    anchor_line = max(lines, key=len)
    anchor = line_key(anchor_line)
    keys = {line_key(line) for line in lines if len(line) <= MAX_LINE_CHARS}
    keys.discard(anchor)
    return anchor, sorted(keys)
