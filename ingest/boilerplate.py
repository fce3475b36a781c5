"""Corpus-level boilerplate: lines that recur across many different articles.

The CCNet idea (hash normalised lines, count them across the corpus), with one
change for news: a syndicated article re-posted ten times must not turn its own
paragraphs into boilerplate. So a line is counted once per *anchor* — the
article's longest line, which is almost always article text — and copies of one
article share an anchor. A site template line stands beside many anchors, and so
does a long one: a disclaimer or an "about us" paragraph under every article of a
site, which would otherwise make its short articles look like copies of each other.
"""

from __future__ import annotations

from ingest.clean import paragraph_lines
from ingest.lines import line_key

# A line standing in this many articles with different anchors is boilerplate.
MIN_ANCHORS = 5


def line_keys(raw: str) -> list[tuple[int, int]]:
    """The (line key, anchor) rows of an article's raw text: each line counted under the
    article's anchor, and the anchor line itself under the next longest line (a long
    template paragraph is the longest line of the short articles it stands under, and
    copies of one article share their two longest lines)."""
    lines = sorted(paragraph_lines(raw), key=len, reverse=True)  # stable: ties in order
    if len(lines) < 2:
        return []
    anchor, second = line_key(lines[0]), line_key(lines[1])
    rows = {(line_key(line), anchor) for line in lines[1:]}
    rows.discard((anchor, anchor))  # the anchor line again, further down
    rows.add((anchor, second))
    return sorted(rows)
