"""Corpus line counts: what each article counts, under which anchor."""

from ingest.boilerplate import line_keys
from ingest.lines import line_key

TEMPLATE = "A disclaimer longer than any line of the short articles it stands under, as sites do."


def test_copies_count_each_line_under_one_anchor() -> None:
    story = (
        "A long first paragraph of the story, longer than the others.\n\nA second one.\n\nThe end."
    )
    copy = story.replace("\n\n", "\n\n\n")  # re-spaced: the same lines
    assert line_keys(story) == line_keys(copy)
    anchor = line_key("A long first paragraph of the story, longer than the others.")
    assert {a for _, a in line_keys(story) if _ != anchor} == {anchor}


def test_the_longest_line_counts_under_the_next_longest() -> None:
    briefs = ("The ferry is late.", "The bridge is shut.", "The library is open.")
    rows = [dict(line_keys(f"{brief}\n\n{TEMPLATE}")) for brief in briefs]
    anchors = {row[line_key(TEMPLATE)] for row in rows}
    assert len(anchors) == 3  # three different articles under one template


def test_an_article_of_one_line_counts_nothing() -> None:
    assert line_keys(TEMPLATE) == []
    assert line_keys("") == []
