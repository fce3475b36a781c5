"""Cleaning benchmark: how well do our extraction paths recover article bodies?

Data: the scrapinghub article-extraction benchmark (181 real article pages, each with a
human-checked ``articleBody``), read from ``../shared/data/scrapinghub`` relative to the
repository root. Nothing from it is copied into the repository.

Run from the repository root::

    .venv/bin/python -m bench.cleaning [--data PATH] [--limit N] [--jobs N]

It prints a markdown table of F1 / precision / recall for each system:

- **uncleaned full-page dump** -- the visible text of the whole page (see below), as a
  plain-text scrape of the page would hold it;
- **uncleaned region dump** -- the visible text of the page's article region only;
- **trafilatura alone** -- ``trafilatura.extract(html)`` with its defaults, and with
  ``include_comments=False`` as the benchmark's own runner calls it (the published 0.958);
- **our HTML path** -- `html_path`, what ``ingest`` does with an HTML file
  (`ingest.extract.extract_html`: trafilatura plus line rules);
- **our text path, full-page dump** / **region dump** -- `text_path` applied to the two
  dumps, what ``ingest`` does with a plain-text file holding such a scrape.

Dump conversion (`visible_text`, pure and deterministic):

- parse the HTML with lxml;
- drop, with everything inside them, the elements a browser does not show as text:
  ``head``, ``script``, ``style``, ``noscript``, ``template``, ``svg``, ``iframe``, ``object``,
  ``embed``, ``canvas`` (and comments / processing instructions);
- every block-level element (``p``, ``div``, ``li``, ``h1``-``h6``, ``br``, ``tr``, ``td``,
  ``section``, ``article``, ``header``, ``footer``, ``nav``, ... see `BLOCK_TAGS`) starts and
  ends a line; inline elements run on within the line;
- whitespace within a line (including newlines of the source) collapses to one space, lines
  are stripped, and empty lines are dropped (so the dump has no blank lines).

The full-page dump (`page_text`) converts the whole document. The article-region dump
(`region_text`) converts only the first element matching ``[itemprop=articleBody]``, else
the first ``<article>``, else the first ``<main>``, else the whole ``<body>``.

Scoring (`match_counts`, `summarise`) reproduces the benchmark's own ``evaluate.py``: tokens
are the matches of the regex ``\\w+``; prediction and truth are compared as multisets of
4-token shingles (a text of 1-3 tokens is one shorter shingle, a text without tokens has
none); per page tp = sum of min(counts), fp = sum of excess predicted, fn = sum of missing,
then tp, fp, fn are divided by their sum so long pages weigh no more. Precision is the mean of
tp / (tp + fp) over the pages with tp + fp > 0 (1 when fp = fn = 0), recall the mean of
tp / (tp + fn) over the pages with tp + fn > 0 (1 when fp = fn = 0); F1 is the harmonic mean
of the two means. A page whose prediction is empty therefore counts against recall only.
Where ``evaluate.py`` would crash (no page to average, precision + recall = 0) we report 0.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html

from ingest.errors import IngestError
from ingest.extract import trafilatura_text
from ingest.pipeline import file_articles
from ingest.records import SourceFile

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "scrapinghub"


# --- the systems under test -----------------------------------------------------------------


def text_path(text: str) -> str:
    """Our plain-text path: what `newsdedup ingest` keeps of a plain-text page scrape."""
    return _ingest_body(text, "text")


def html_path(html: str) -> str:
    """Our HTML path: what `newsdedup ingest` keeps of an HTML page, '' when nothing."""
    return _ingest_body(html, "html")


def _ingest_body(content: str, kind: str) -> str:
    """The clean bodies of the articles `ingest` makes of one file's content."""
    source = SourceFile(path=Path("page"), relpath="page", size=0, mtime_ns=0, kind=kind)
    try:
        articles = file_articles(source, content.encode("utf-8"), frozenset()).articles
    except IngestError:
        return ""
    return "\n\n".join(article.text for article in articles)


# --- scoring: the benchmark's evaluate.py -----------------------------------------------------

TOKEN_RE = re.compile(r"\w+")
SHINGLE_SIZE = 4

Shingles = Counter[tuple[str, ...]]


@dataclass(frozen=True)
class Counts:
    """Shingle matches of one page, normalised so that tp + fp + fn = 1 (all 0 when empty)."""

    tp: float
    fp: float
    fn: float


@dataclass(frozen=True)
class Scores:
    f1: float
    precision: float
    recall: float


def shingles(text: str | None, size: int = SHINGLE_SIZE) -> Shingles:
    """Multiset of `size`-token shingles; a text shorter than `size` tokens is one shingle."""
    tokens = TOKEN_RE.findall(text or "")
    grams = (tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))
    return Counter(gram for gram in grams if gram)


def match_counts(truth: str | None, prediction: str | None) -> Counts:
    """tp / fp / fn of shingles of one page, divided by their sum."""
    true_shingles, pred_shingles = shingles(truth), shingles(prediction)
    tp = fp = fn = 0.0
    for key in true_shingles.keys() | pred_shingles.keys():
        true_count, pred_count = true_shingles[key], pred_shingles[key]
        tp += min(true_count, pred_count)
        fp += max(0, pred_count - true_count)
        fn += max(0, true_count - pred_count)
    total = tp + fp + fn
    if total > 0:
        return Counts(tp / total, fp / total, fn / total)
    return Counts(tp, fp, fn)


def precision_score(counts: Counts) -> float:
    if counts.fp == counts.fn == 0:
        return 1.0
    if counts.tp == counts.fp == 0:
        return 0.0
    return counts.tp / (counts.tp + counts.fp)


def recall_score(counts: Counts) -> float:
    if counts.fp == counts.fn == 0:
        return 1.0
    if counts.tp == counts.fn == 0:
        return 0.0
    return counts.tp / (counts.tp + counts.fn)


def summarise(pages: Sequence[Counts]) -> Scores:
    """Mean precision and recall over the pages where each is defined, and their F1."""
    precisions = [precision_score(c) for c in pages if c.tp + c.fp > 0]
    recalls = [recall_score(c) for c in pages if c.tp + c.fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    if precision + recall == 0:
        return Scores(0.0, precision, recall)
    return Scores(2 * precision * recall / (precision + recall), precision, recall)


# --- dump conversion: HTML -> visible text ------------------------------------------------------

HIDDEN_TAGS = frozenset(
    {
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "canvas",
    }
)
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
WHITESPACE_RE = re.compile(r"\s+")


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse a whole HTML document; the root is the <html> element."""
    try:
        return lxml.html.document_fromstring(html)
    except ValueError:  # a str carrying an XML encoding declaration: parse its UTF-8 bytes
        parser = lxml.html.HTMLParser(encoding="utf-8")
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)


def visible_text(root: lxml.html.HtmlElement) -> str:
    """The text under `root` as a browser lays it out: one line per block, no empty lines."""
    parts: list[str] = []
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else None  # None: comment / PI
        hidden = tag is None or tag.lower() in HIDDEN_TAGS
        block = tag is not None and tag.lower() in BLOCK_TAGS
        if event == "start":
            if hidden:
                walker.skip_subtree()
                continue
            if block:
                parts.append("\n")
            if element.text:
                parts.append(WHITESPACE_RE.sub(" ", element.text))
        else:
            if block:
                parts.append("\n")
            if element.tail and element is not root:
                parts.append(WHITESPACE_RE.sub(" ", element.tail))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


ARTICLE_REGION_XPATHS = ('//*[@itemprop="articleBody"]', "//article", "//main")


def article_region(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """First [itemprop=articleBody], else <article>, else <main>, else <body> (else the root)."""
    for xpath in ARTICLE_REGION_XPATHS:
        found = root.xpath(xpath)
        if found:
            region: lxml.html.HtmlElement = found[0]
            return region
    body = root.find("body")
    return body if body is not None else root


def page_text(html: str) -> str:
    """Full-page dump: the visible text of the whole page."""
    return visible_text(parse_html(html))


def region_text(html: str) -> str:
    """Article-region dump: the visible text of the page's article region."""
    return visible_text(article_region(parse_html(html)))


# --- running -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    id: str
    html: str
    truth: str
    url: str | None


def load_pages(data: Path, limit: int | None = None) -> list[Page]:
    """The benchmark pages in id order (the first `limit` of them when given)."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[:limit] if limit is not None else sorted(truth)
    pages = []
    for page_id in ids:
        with gzip.open(data / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        entry = truth[page_id]
        pages.append(Page(page_id, html, entry.get("articleBody") or "", entry.get("url")))
    return pages


@dataclass(frozen=True)
class Dumps:
    html: str
    page: str
    region: str


SYSTEMS: dict[str, Callable[[Dumps], str]] = {
    "uncleaned full-page dump": lambda d: d.page,
    "uncleaned region dump": lambda d: d.region,
    "trafilatura alone: extract() defaults": lambda d: trafilatura_text(d.html),
    "trafilatura alone: extract(include_comments=False)": lambda d: trafilatura_text(
        d.html, include_comments=False
    ),
    "our HTML path (html_path)": lambda d: html_path(d.html),
    "our text path, full-page dump": lambda d: text_path(d.page),
    "our text path, region dump": lambda d: text_path(d.region),
}


def score_page(page: Page) -> dict[str, Counts]:
    """Counts of every system on one page."""
    root = parse_html(page.html)
    dumps = Dumps(page.html, visible_text(root), visible_text(article_region(root)))
    return {name: match_counts(page.truth, system(dumps)) for name, system in SYSTEMS.items()}


def score_pages(pages: Sequence[Page], jobs: int) -> Iterator[dict[str, Counts]]:
    if jobs <= 1:
        yield from map(score_page, pages)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(score_page, pages, chunksize=4)


def markdown_table(results: dict[str, Scores]) -> str:
    rows = ["| system | F1 | precision | recall |", "|---|---:|---:|---:|"]
    rows += [
        f"| {name} | {s.f1:.3f} | {s.precision:.3f} | {s.recall:.3f} |"
        for name, s in results.items()
    ]
    return "\n".join(rows)


def run(data: Path, limit: int | None, jobs: int) -> dict[str, Scores]:
    pages = load_pages(data, limit)
    per_page = list(score_pages(pages, jobs))
    return {name: summarise([counts[name] for counts in per_page]) for name in SYSTEMS}


def main(argv: Sequence[str] | None = None) -> int:
    """Score every system on the scrapinghub pages and print a markdown table."""
    parser = argparse.ArgumentParser(prog="python -m bench.cleaning", description=main.__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="scrapinghub data folder")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        parser.error(f"no ground-truth.json under {args.data}; pass --data")
    started = time.monotonic()
    results = run(args.data, args.limit, args.jobs)
    print(markdown_table(results))
    print(f"scored in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
