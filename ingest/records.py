"""Record types that cross the ingest stage boundaries.

files on disk -> SourceFile (discover) -> Document (decode + parse/extract)
-> Article (split + clean) -> store
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourceFile:
    """A file found under the input folder."""

    path: Path
    relpath: str  # POSIX path relative to the input folder: the source's identity
    size: int
    mtime_ns: int
    kind: str | None  # "text", "html", "json", "jsonl"; None when the file is not ingestible
    compressed: bool = False
    skip_reason: str | None = None


@dataclass(frozen=True)
class Document:
    """One unit of text from a source, before splitting and cleaning.

    A text or HTML file gives one Document; a JSON Lines file one per line. Known
    metadata (title, authors, date, site, url, description) rides in `metadata`.
    """

    text: str
    position: int = 0
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Removed:
    """A line the cleaner took out of an article body, with the rule that did it."""

    line: str
    reason: str


@dataclass(frozen=True)
class Article:
    """A clean article, ready for the store."""

    source: str
    position: int  # order of the article within its source file
    title: str
    text: str  # clean body: paragraphs separated by one blank line
    authors: tuple[str, ...] = ()
    date: str | None = None
    site: str | None = None
    url: str | None = None
    captions: tuple[str, ...] = ()
    removed: tuple[Removed, ...] = ()
    raw: str = ""  # the segment the article was cleaned from, so it can be cleaned again
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Stable id from the source path, the place in it and the text as ingested.

        Derived from the raw text, not the clean one, so cleaning an article again
        (when corpus boilerplate changes) keeps its id.
        """
        key = f"{self.source}\0{self.position}\0{self.raw}"
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
