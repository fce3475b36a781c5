"""Main text and metadata of an HTML page: the one module that calls trafilatura.

`extract_html` runs trafilatura in precision mode, falls back to its balanced mode when the
precise result is suspiciously short, then drops lines that are not article text: the
headline repeated at the top (it is kept in metadata instead) and page boilerplate that
slipped through (share widgets, "Related: ..." links, photo credits, section headings; see
`ingest.mainrun.boilerplate_verdicts`).

Measured on the scrapinghub article-extraction benchmark (``python -m bench.cleaning``),
F1 of the text against the human-checked article bodies (181 pages; trafilatura 2.3.1,
``bare_extraction`` with ``include_comments=False`` throughout):

====================================================  =====
balanced mode (trafilatura's default)                  0.960
``favor_recall=True``                                  0.959
``favor_precision=True``                               0.964
precision, balanced fallback when short                0.969
... and the repeated headline dropped                  0.971
... and boilerplate lines dropped (this module)        0.972
====================================================  =====

Also tried: ``include_comments=True`` (0.958), ``include_tables=False`` (0.957),
``include_formatting=True`` (0.957), ``deduplicate=True`` (0.951), ``fast=True`` (0.962
balanced, 0.946 with precision), a favor_recall fallback instead of balanced (0.969, same),
dropping newsletter and follow-us lines too (0.972 but lower recall), the full main-run
selection on the extracted text (0.968).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from ingest.errors import IngestError
from ingest.mainrun import boilerplate_verdicts
from ingest.records import Document

if TYPE_CHECKING:
    from trafilatura.settings import Document as TrafilaturaDocument

LOGGER = logging.getLogger(__name__)
LOGGER.addHandler(logging.NullHandler())

SHORT_TEXT_CHARS = 1000  # a precise extraction shorter than this may have missed the article
FALLBACK_MIN_RATIO = 2.0  # ... and the balanced one replaces it when this many times longer
TITLE_MIN_SHARE = 0.5  # a first line repeats the title when it is at least this much of it
AUTHOR_SEPARATOR = ";"  # trafilatura joins several authors with "; "
TOKEN_RE = re.compile(r"\w+")


class ExtractError(IngestError):
    """No article text could be extracted from a page; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__("no-article", message)

    def __reduce__(self) -> tuple[type[ExtractError], tuple[str]]:
        return (ExtractError, (self.message,))  # crosses the worker process boundary


def extract_html(html: str, url: str | None = None) -> Document:
    """The article of an HTML page: its text (paragraphs joined by "\\n") and metadata.

    Metadata keys: title, authors (a list), date, site, url, description; a value is None
    (authors: []) when the page does not give it. Raises ExtractError when there is no text.
    """
    if not html.strip():
        raise ExtractError("the HTML is empty")
    result = _bare_extraction(html, url, favor_precision=True)
    if len(_text(result)) < SHORT_TEXT_CHARS:
        balanced = _bare_extraction(html, url)
        if len(_text(balanced)) > FALLBACK_MIN_RATIO * len(_text(result)):
            LOGGER.debug("short precise extraction (%d chars): balanced mode", len(_text(result)))
            result = balanced
    if result is None or not _text(result).strip():
        raise ExtractError("trafilatura found no main text in the page")
    lines = article_lines(_text(result), result.title)
    if not lines:
        raise ExtractError("the extracted text held only a headline and page boilerplate")
    return Document(text="\n".join(lines), metadata=_metadata(result, url))


def article_lines(text: str, title: str | None) -> list[str]:
    """Lines of extracted text without the repeated headline and boilerplate lines."""
    lines = [line for line in text.split("\n") if line.strip()]
    if lines and title and _repeats_title(lines[0], title):
        lines = lines[1:]
    verdicts = boilerplate_verdicts(lines)
    return [line for line, drop in zip(lines, verdicts, strict=True) if drop is None]


def trafilatura_text(html: str, include_comments: bool = True) -> str:
    """trafilatura's own ``extract()``, defaults but for `include_comments` ('' if nothing).

    Only for benchmarking the seam against; ingest uses `extract_html`.
    """
    import trafilatura  # imported here: the ingest run calls this module in a worker process

    return trafilatura.extract(html, include_comments=include_comments) or ""


def _bare_extraction(
    html: str, url: str | None, favor_precision: bool = False
) -> TrafilaturaDocument | None:
    """trafilatura's Document (text, title, author, date, ...) or None when it finds nothing."""
    import trafilatura
    from trafilatura.settings import Document as TrafilaturaDocument

    result = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=favor_precision,
        include_comments=False,
        with_metadata=True,
    )
    return result if isinstance(result, TrafilaturaDocument) else None


def _text(result: TrafilaturaDocument | None) -> str:
    return (result.text or "") if result is not None else ""


def _repeats_title(line: str, title: str) -> bool:
    """Whether a line is the page title (or its start: titles often end in " - Site name")."""
    line_words = TOKEN_RE.findall(line.casefold())
    title_words = TOKEN_RE.findall(title.casefold())
    return (
        len(line_words) >= TITLE_MIN_SHARE * len(title_words) > 0
        and title_words[: len(line_words)] == line_words
    )


def _metadata(result: TrafilaturaDocument, url: str | None) -> dict[str, Any]:
    authors = [name.strip() for name in (result.author or "").split(AUTHOR_SEPARATOR)]
    return {
        "title": result.title or None,
        "authors": [name for name in authors if name],
        "date": result.date or None,
        "site": result.sitename or None,
        "url": result.url or url,
        "description": result.description or None,
    }
