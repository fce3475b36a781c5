"""From one file's bytes to clean articles: decode, parse or extract, split, clean."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.clean import clean_text
from ingest.decode import decode_text, normalize_text
from ingest.errors import IngestError
from ingest.extract import extract_html
from ingest.parse import LineProblem, parse_json_items, parse_jsonl, parse_text
from ingest.records import Article, Document, SourceFile
from ingest.split import split_articles


@dataclass(frozen=True)
class FileArticles:
    """The articles of one file, and problems with parts of it that did not stop the rest."""

    articles: tuple[Article, ...]
    problems: tuple[str, ...] = ()


Extractor = Callable[[str], Document]


def file_articles(
    src: SourceFile,
    data: bytes,
    boilerplate: Container[int],
    extract: Extractor = extract_html,
) -> FileArticles:
    """Articles of a file; raises IngestError when the file yields none.

    `extract` turns a page's HTML into a Document; the ingest run passes one that
    runs in a worker process with a time limit.
    """
    documents, problems = file_documents(src, data, extract)
    cleaned = [clean_document(src.relpath, document, boilerplate) for document in documents]
    return collect(documents, problems, cleaned)


def file_documents(
    src: SourceFile, data: bytes, extract: Extractor = extract_html
) -> tuple[list[Document], list[str]]:
    """The documents of a file, and problems with records that gave none."""
    return _documents(src, decode_text(data), extract)


def collect(
    documents: Sequence[Document], problems: Sequence[str], cleaned: Sequence[Article | None]
) -> FileArticles:
    """A file's articles from its documents cleaned; raises IngestError when there are none."""
    problems = list(problems)
    articles = []
    for document, article in zip(documents, cleaned, strict=True):
        if article is None:
            problems.append(f"article {document.position + 1}: no text left after cleaning")
        else:
            articles.append(article)
    if not articles:
        detail = f" ({'; '.join(problems)})" if problems else ""
        raise IngestError("no-article", f"no article text found{detail}")
    return FileArticles(tuple(articles), tuple(problems))


def clean_document(source: str, document: Document, boilerplate: Container[int]) -> Article | None:
    """Clean one document into an article; None when nothing of it is article text.

    A headline with no body (a news brief, a feed item) is still an article.
    """
    meta = document.metadata
    cleaned = clean_text(document.text, title=meta.get("title"), boilerplate=boilerplate)
    if not cleaned.paragraphs and not cleaned.title:
        return None
    metadata: dict[str, Any] = {"source": {k: v for k, v in meta.items() if v is not None}}
    if cleaned.agency:
        metadata["agency"] = cleaned.agency
    return Article(
        source=source,
        position=document.position,
        title=cleaned.title,
        text=cleaned.text,
        authors=_merge_names(meta.get("authors") or (), cleaned.authors),
        date=meta.get("date"),
        site=meta.get("site"),
        url=meta.get("url"),
        captions=cleaned.captions,
        removed=cleaned.removed,
        raw=document.text,
        metadata=metadata,
    )


def stored_document(position: int, raw: str, metadata: Mapping[str, Any]) -> Document:
    """The document a stored article was cleaned from: its raw text, its source's metadata."""
    return Document(raw, position, metadata.get("source", {}))


def _documents(src: SourceFile, text: str, extract: Extractor) -> tuple[list[Document], list[str]]:
    """The documents of a decoded file, and problems with records that gave none."""
    if src.kind == "html":
        extracted = extract(text)
        return [Document(normalize_text(extracted.text), 0, extracted.metadata)], []
    if src.kind in ("json", "jsonl"):
        items = parse_jsonl(text) if src.kind == "jsonl" else parse_json_items(text)
        documents: list[Document] = []
        problems: list[str] = []
        for item in items:
            if isinstance(item, LineProblem):
                problems.append(f"line {item.line_number}: {item.reason} {item.detail}".strip())
            else:
                documents.append(item)
        return documents, problems
    pieces = split_articles(parse_text(text).text)
    return [Document(piece, i) for i, piece in enumerate(pieces)], []


def _merge_names(*groups: Iterable[str]) -> tuple[str, ...]:
    names: list[str] = []
    seen: set[str] = set()
    for group in groups:
        for name in group:
            key = name.casefold()
            if name and key not in seen:
                seen.add(key)
                names.append(name)
    return tuple(names)
