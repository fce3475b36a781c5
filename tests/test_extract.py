"""extract_html: article text and metadata from an HTML page, or a reason why not."""

from __future__ import annotations

import pytest

from ingest.extract import ExtractError, article_lines, extract_html
from ingest.records import Document

PARAGRAPHS = [
    "The harbour bridge reopened to traffic on Tuesday morning, eight months after engineers "
    "closed it when cracks were found in two of its steel supports.",
    "Crews replaced both supports and resurfaced the whole deck, the city's transport "
    "department said in a statement, adding that the work had finished two weeks early.",
    "Commuters who had spent the closure on a forty-minute detour through the industrial "
    "estate welcomed the news.",
    '"It feels like getting an hour of my day back," said Maria Lopes, a nurse who crosses '
    "the bridge twice a day.",
    "The department said a weight limit for lorries would stay in place until a final "
    "inspection in January.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
<title>Harbour bridge reopens after repairs - The Coastal Times</title>
<meta name="author" content="Jane Doe; Omar Haddad">
<meta property="article:published_time" content="2019-11-19T08:30:00Z">
<meta property="og:site_name" content="The Coastal Times">
<meta name="description" content="The bridge carried its first cars in eight months.">
</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<article>
<h1>Harbour bridge reopens after repairs</h1>
<p>{PARAGRAPHS[0]}</p>
<p>{PARAGRAPHS[1]}</p>
<p>Share this article</p>
<h2>Traffic returns</h2>
<p>{PARAGRAPHS[2]}</p>
<p>{PARAGRAPHS[3]}</p>
<p>{PARAGRAPHS[4]}</p>
</article>
<footer><p>Privacy Policy</p><p>© 2019 The Coastal Times</p></footer>
</body>
</html>
"""


@pytest.fixture
def document() -> Document:
    return extract_html(PAGE, url="https://coastal.example/bridge")


def test_text_is_the_article_one_paragraph_a_line(document: Document) -> None:
    lines = document.text.split("\n")
    assert lines == [*PARAGRAPHS[:2], "Traffic returns", *PARAGRAPHS[2:]]


def test_headline_and_share_widget_are_not_in_the_text(document: Document) -> None:
    assert "Harbour bridge reopens after repairs" not in document.text
    assert "Share this article" not in document.text
    assert "Privacy Policy" not in document.text


def test_metadata(document: Document) -> None:
    assert document.metadata == {
        "title": "Harbour bridge reopens after repairs",
        "authors": ["Jane Doe", "Omar Haddad"],
        "date": "2019-11-19",
        "site": "The Coastal Times",
        "url": "https://coastal.example/bridge",
        "description": "The bridge carried its first cars in eight months.",
    }


def test_missing_metadata_is_none_and_no_authors() -> None:
    page = (
        f"<html><body><article><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[1]}</p></article></body></html>"
    )
    document = extract_html(page)
    assert document.metadata["authors"] == []
    assert document.metadata["url"] is None
    assert document.text.split("\n") == PARAGRAPHS[:2]


@pytest.mark.parametrize("html", ["", "   \n", "<html><body></body></html>"])
def test_nothing_to_extract_raises_with_a_reason(html: str) -> None:
    with pytest.raises(ExtractError, match=r"\w+"):
        extract_html(html)


def test_article_lines_drop_the_headline_even_with_a_site_suffix() -> None:
    text = "Harbour bridge reopens\nThe bridge reopened on Tuesday."
    title = "Harbour bridge reopens - The Coastal Times"
    assert article_lines(text, title) == ["The bridge reopened on Tuesday."]


def test_article_lines_keep_a_first_line_that_only_starts_like_the_title() -> None:
    text = "Harbour\nThe bridge reopened on Tuesday."
    assert article_lines(text, "Harbour bridge reopens after repairs") == text.split("\n")


def test_article_lines_drop_boilerplate_and_empty_lines() -> None:
    text = "The bridge reopened on Tuesday.\n\nRelated: Port strike ends\n(Image: Getty)\nWhy now"
    assert article_lines(text, None) == ["The bridge reopened on Tuesday.", "Why now"]
