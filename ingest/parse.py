"""Turn decoded plain-text, JSON and JSON Lines files into Documents.

JSON records come from scrapers in a few known shapes, news-please
({"maintext", "title", "authors", "date_publish", "source_domain", ...}) and
datatrove ({"text", "id", "metadata": {"url", "date", ...}}) among them. Each
record becomes one Document whose metadata always has the same keys:

    title, date, site, url, description   str or None
    authors                              list of names (possibly empty)
    extra                                the record's other scalar fields

A record that cannot be used is reported as a LineProblem, with the line it
starts on and a reason ("bad-json", "not-an-object", "no-text"); the others are
still read. HTML is not handled here: see ingest.extract.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from ingest.decode import normalize_text, unescape_entities
from ingest.errors import IngestError
from ingest.records import Document

# Where each field is looked for, best first: at the top level of a record, then
# under its "metadata" object (datatrove).
TEXT_KEYS = ("maintext", "text")
TITLE_KEYS = ("title", "title_page", "title_rss")
URL_KEYS = ("url",)
DATE_KEYS = ("date_publish", "date", "published", "date_modify")
AUTHOR_KEYS = ("authors", "author")
SITE_KEYS = ("source_domain", "site", "sitename")
DESCRIPTION_KEYS = ("description",)
METADATA_KEY = "metadata"
_MAPPED_KEYS = frozenset(
    (*TEXT_KEYS, *TITLE_KEYS, *URL_KEYS, *DATE_KEYS, *AUTHOR_KEYS, *SITE_KEYS, *DESCRIPTION_KEYS)
)

# Strings that scrapers write for "no value".
NULL_STRINGS = frozenset({"", "none", "null", "nan", "undefined"})
# A record split over several lines (a raw newline inside a JSON string, or a
# U+2028 that normalize_text turned into one) is rejoined up to this many lines.
MAX_CONTINUATION_LINES = 200
# A numeric date above this is in milliseconds since the epoch, not seconds
# (1e11 seconds is the year 5138).
EPOCH_MILLISECONDS_ABOVE = 1e11

# strict=False: a raw tab or newline inside a string is accepted.
_DECODER = json.JSONDecoder(strict=False)
_SPACE = re.compile(r"[ \t\n\r]*")
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:[;,&|]|\band\b)\s*", re.IGNORECASE)
_BYLINE_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_T = TypeVar("_T")


@dataclass(frozen=True)
class LineProblem:
    """A record of a JSON or JSON Lines file that gave no Document."""

    line_number: int  # 1-based: the line the record starts on
    reason: str  # "bad-json", "not-an-object", "no-text"
    detail: str = ""


def parse_text(text: str) -> Document:
    """A plain-text file as one Document: HTML entities unescaped once, then normalized."""
    body = normalize_text(unescape_entities(text))
    if not body.strip():
        raise IngestError("empty", "the file holds no text once entities are decoded; skip it")
    return Document(body)


def parse_json(text: str) -> Iterator[Document]:
    """The Documents of a .json file: one object, or a list of objects.

    Records that give no Document are left out; `parse_json_items` reports them.
    Raises IngestError("bad-json") when the file is not JSON or not objects.
    """
    for item in parse_json_items(text):
        if isinstance(item, Document):
            yield item


def parse_json_items(text: str) -> Iterator[Document | LineProblem]:
    """Like `parse_json`, with a LineProblem for each record that gives no Document.

    A .json file that holds several top-level objects is read as JSON Lines.
    position is the record's index in the list.
    """
    items = _json_items(text)
    if items is None:
        yield from parse_jsonl(text)
        return
    line, last = 1, 0
    for position, (offset, value) in enumerate(items):
        line += text.count("\n", last, offset)
        last = offset
        yield _document_or_problem(value, position, line)


def parse_jsonl(text: str) -> Iterator[Document | LineProblem]:
    """The Documents of a JSON Lines file, one per line, and a LineProblem per bad line.

    Blank lines are ignored; position is the record's index among the non-blank
    lines, so a bad line keeps its place and does not shift the others.
    """
    lines = text.split("\n")  # not splitlines(): U+2028 may sit inside a JSON string
    position = 0
    index = 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        value, used, error = _jsonl_record(lines, index)
        if error is None:
            yield _document_or_problem(value, position, index + 1)
        else:
            yield LineProblem(index + 1, "bad-json", error)
        position += 1
        index += used


def to_document(record: Mapping[str, Any], position: int = 0) -> Document | None:
    """Map a scraper's record to a Document; None when it has neither text nor title."""
    sources = [record]
    nested = record.get(METADATA_KEY)
    if isinstance(nested, Mapping):
        sources.append(nested)
    text = _first(sources, TEXT_KEYS, _body)
    title = _first(sources, TITLE_KEYS, _line)
    if text is None and title is None:
        return None
    metadata = {
        "title": title,
        "authors": _first(sources, AUTHOR_KEYS, _authors) or [],
        "date": _first(sources, DATE_KEYS, normalize_date),
        "site": _first(sources, SITE_KEYS, _line),
        "url": _first(sources, URL_KEYS, _raw),
        "description": _first(sources, DESCRIPTION_KEYS, _line),
        "extra": _extra(sources),
    }
    return Document(text or "", position, metadata)


def normalize_date(value: object) -> str | None:
    """A date as an ISO 8601 string when it can be read, else the original string.

    Reads ISO forms ("2017-02-07 17:32:00", "2017-02-07T17:32:00Z"), e-mail/RSS
    forms ("Tue, 07 Feb 2017 17:32:00 GMT") and Unix timestamps (seconds or ms).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_timestamp(value)
    raw = _raw(value)
    if raw is None:
        return None
    parsed = _from_iso(raw) or _from_rfc2822(raw)
    return parsed or raw


def split_authors(value: object) -> list[str]:
    """Author names from a list or a string ("A, B", "A and B", "A; B"), cleaned.

    Names lose a "By " prefix; empty and "None"-like names and repeats go.
    A "Last, First" string is split in two: there is no telling it from "A, B".
    """
    if isinstance(value, str):
        parts: list[object] = list(_AUTHOR_SEPARATORS.split(value))
    elif isinstance(value, list):
        parts = [p.get("name") if isinstance(p, Mapping) else p for p in value]
    else:
        return []
    names: list[str] = []
    for part in parts:
        name = _line(part)
        if name:
            name = _BYLINE_PREFIX.sub("", name)
        if name and name.casefold() not in NULL_STRINGS and name not in names:
            names.append(name)
    return names


def _json_items(text: str) -> list[tuple[int, Any]] | None:
    """The top-level records of a .json file with their offsets; None for JSON Lines."""
    start = _skip_space(text, 0)
    try:
        if text.startswith("[", start):
            return _array_items(text, start)
        value, end = _DECODER.raw_decode(text, start)
        if _skip_space(text, end) == len(text):
            if isinstance(value, Mapping):
                return [(start, value)]
            raise IngestError(
                "bad-json",
                f"expected an object or a list of objects, found {_json_type(value)}",
            )
        if isinstance(value, Mapping):
            return None  # several objects one after another: JSON Lines
        raise json.JSONDecodeError("Extra data", text, end)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise _bad_json(exc) from exc


def _array_items(text: str, start: int) -> list[tuple[int, Any]]:
    """The elements of the array at `start`, each with the offset it starts at."""
    items: list[tuple[int, Any]] = []
    index = _skip_space(text, start + 1)
    if text.startswith("]", index):
        index += 1
    else:
        while True:
            value, end = _DECODER.raw_decode(text, index)
            items.append((index, value))
            index = _skip_space(text, end)
            if text.startswith("]", index):
                index += 1
                break
            if not text.startswith(",", index):
                raise json.JSONDecodeError("Expecting ',' delimiter", text, index)
            index = _skip_space(text, index + 1)
    if _skip_space(text, index) != len(text):
        raise json.JSONDecodeError("Extra data", text, index)
    return items


def _jsonl_record(lines: Sequence[str], index: int) -> tuple[Any, int, str | None]:
    """Decode the record starting at lines[index]: (value, lines used, error or None)."""
    try:
        return _DECODER.decode(lines[index]), 1, None
    except (json.JSONDecodeError, RecursionError) as exc:
        first_error: Exception = exc
    # A string left open at the end of the line may go on in the next lines. A
    # well-formed record on the next line cannot complete it (its first quote
    # closes the string and what follows is not JSON), so good lines are not
    # swallowed: at worst the bad line is reported alone, as without the retry.
    error = first_error
    joined = lines[index]
    for end in range(index + 1, min(len(lines), index + MAX_CONTINUATION_LINES)):
        if not _unterminated_string(error):
            break
        joined += "\n" + lines[end]
        try:
            return _DECODER.decode(joined), end - index + 1, None
        except (json.JSONDecodeError, RecursionError) as exc:
            error = exc
    return None, 1, _error_text(first_error)


def _document_or_problem(value: Any, position: int, line: int) -> Document | LineProblem:
    if not isinstance(value, Mapping):
        return LineProblem(line, "not-an-object", f"expected an object, found {_json_type(value)}")
    document = to_document(value, position)
    if document is None:
        return LineProblem(line, "no-text", "the record has no text and no title")
    return document


def _first(
    sources: Sequence[Mapping[str, Any]], keys: Sequence[str], convert: Callable[[Any], _T | None]
) -> _T | None:
    """The first value under `keys`, in the record then its metadata, that converts."""
    for source in sources:
        for key in keys:
            if key in source:
                value = convert(source[key])
                if value:
                    return value
    return None


def _extra(sources: Sequence[Mapping[str, Any]]) -> dict[str, str | int | float | bool]:
    """The fields not mapped to a known key, when they are scalars; top level wins."""
    extra: dict[str, str | int | float | bool] = {}
    for source in sources:
        for key, value in source.items():
            if key in _MAPPED_KEYS or key == METADATA_KEY or key in extra:
                continue
            scalar = _scalar(value)
            if scalar is not None:
                extra[key] = scalar
    return extra


def _scalar(value: object) -> str | int | float | bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # NaN is not valid JSON
    return _raw(value)


def _raw(value: object) -> str | None:
    """A string value as given (stripped, lone surrogates replaced), or None."""
    if not isinstance(value, str):
        return None
    value = _LONE_SURROGATE.sub("\ufffd", value.strip())
    return None if value.casefold() in NULL_STRINGS else value


def _body(value: object) -> str | None:
    """Article text: entities decoded, normalized, paragraphs kept."""
    raw = _raw(value)
    if raw is None:
        return None
    text = normalize_text(unescape_entities(raw)).strip("\n")
    return None if text.strip().casefold() in NULL_STRINGS else text


def _line(value: object) -> str | None:
    """A one-line field (title, name, site): like `_body`, with whitespace collapsed."""
    text = _body(value)
    return " ".join(text.split()) if text else None


def _authors(value: object) -> list[str] | None:
    return split_authors(value) or None


def _from_iso(raw: str) -> str | None:
    match = _ISO_DATE.fullmatch(raw)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        if hour is None:
            return date(int(year), int(month), int(day)).isoformat()
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute))
        moment = moment.replace(
            second=int(second or "0"),
            microsecond=int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=_utc_offset(offset),
        )
    except ValueError:
        return None
    return moment.isoformat()


def _utc_offset(offset: str | None) -> timezone | None:
    if offset is None:
        return None
    if offset.upper() == "Z":
        return timezone.utc
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return timezone(-delta if offset.startswith("-") else delta)


def _from_rfc2822(raw: str) -> str | None:
    try:
        return parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _from_timestamp(value: float) -> str | None:
    if not math.isfinite(value):
        return None
    seconds = value / 1000 if abs(value) > EPOCH_MILLISECONDS_ABOVE else value
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError):
        return str(value)


def _unterminated_string(error: Exception) -> bool:
    return isinstance(error, json.JSONDecodeError) and error.msg.startswith("Unterminated string")


def _skip_space(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _error_text(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        where = f"line {error.lineno}, column {error.colno}" if error.lineno > 1 else ""
        at = "" if error.msg.endswith(" at") else " at"  # "Unterminated string starting at"
        return f"{error.msg}{at} {where or f'column {error.colno}'}"
    return "nested too deeply"


def _bad_json(error: Exception) -> IngestError:
    return IngestError(
        "bad-json",
        f"not valid JSON ({_error_text(error)}); check that the file is complete, "
        "or name it .jsonl if it holds one object per line",
    )
