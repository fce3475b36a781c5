import json
from typing import Any

import pytest

from ingest.decode import normalize_text
from ingest.errors import IngestError
from ingest.parse import (
    LineProblem,
    normalize_date,
    parse_json,
    parse_json_items,
    parse_jsonl,
    parse_text,
    split_authors,
    to_document,
)
from ingest.records import Document

# What news-please writes for one article (fields it could not fill are null or "None").
NEWS_PLEASE: dict[str, Any] = {
    "authors": ["Jane Doe", "By John Roe", "None"],
    "date_download": "2017-02-08 10:00:00",
    "date_modify": "None",
    "date_publish": "2017-02-07 17:32:00",
    "description": "Tom &amp; Jerry  return.",
    "filename": "https%3A%2F%2Fexample.com%2Fa.json",
    "image_url": None,
    "language": "en",
    "localpath": None,
    "maintext": "First paragraph.\u00a0 \r\n\r\nSecond paragraph.",
    "source_domain": "example.com",
    "text": None,
    "title": "  Storm\n hits   coast ",
    "title_page": None,
    "title_rss": "null",
    "url": "https://example.com/a",
}

# What datatrove writes: text and id at the top, everything else under "metadata".
DATATROVE: dict[str, Any] = {
    "text": "Datatrove body.",
    "id": "<urn:uuid:1>",
    "media": [],
    "metadata": {
        "url": "https://example.org/b",
        "date": "2023-01-02T03:04:05Z",
        "dump": "CC-MAIN-2023-06",
        "language_score": 0.93,
        "token_count": 3,
        "nested": {"dropped": True},
        "id": "metadata loses to the top level",
    },
}


def documents(items: list[Document | LineProblem]) -> list[Document]:
    return [item for item in items if isinstance(item, Document)]


def problems(items: list[Document | LineProblem]) -> list[LineProblem]:
    return [item for item in items if isinstance(item, LineProblem)]


def test_news_please_record() -> None:
    [document] = parse_json(json.dumps(NEWS_PLEASE))
    assert document.text == "First paragraph.\n\nSecond paragraph."
    assert document.position == 0
    assert document.metadata == {
        "title": "Storm hits coast",
        "authors": ["Jane Doe", "John Roe"],
        "date": "2017-02-07T17:32:00",
        "site": "example.com",
        "url": "https://example.com/a",
        "description": "Tom & Jerry return.",
        "extra": {
            "date_download": "2017-02-08 10:00:00",
            "filename": "https%3A%2F%2Fexample.com%2Fa.json",
            "language": "en",
        },
    }


def test_datatrove_record_looks_under_metadata() -> None:
    [document] = parse_json(json.dumps(DATATROVE))
    assert document.text == "Datatrove body."
    assert document.metadata["url"] == "https://example.org/b"
    assert document.metadata["date"] == "2023-01-02T03:04:05+00:00"
    assert document.metadata["title"] is None
    assert document.metadata["authors"] == []
    assert document.metadata["extra"] == {
        "id": "<urn:uuid:1>",
        "dump": "CC-MAIN-2023-06",
        "language_score": 0.93,
        "token_count": 3,
    }
    json.dumps(dict(document.metadata))  # only JSON values


def test_alternative_keys() -> None:
    record = {
        "text": "Body.",
        "title_page": "From the page",
        "published": "Tue, 07 Feb 2017 17:32:00 GMT",
        "author": "Ann Lee and Bob Ray",
        "sitename": "Daily",
    }
    document = to_document(record)
    assert document is not None
    assert document.metadata["title"] == "From the page"
    assert document.metadata["date"] == "2017-02-07T17:32:00+00:00"
    assert document.metadata["authors"] == ["Ann Lee", "Bob Ray"]
    assert document.metadata["site"] == "Daily"


def test_maintext_wins_over_text_and_a_null_maintext_falls_back() -> None:
    assert to_document({"maintext": "main", "text": "other"}) == to_document({"maintext": "main"})
    document = to_document({"maintext": "None", "text": "fallback"})
    assert document is not None
    assert document.text == "fallback"


def test_a_list_of_objects_gives_one_document_each() -> None:
    items = list(parse_json_items(json.dumps([NEWS_PLEASE, DATATROVE], indent=2)))
    assert [(d.position, d.text) for d in documents(items)] == [
        (0, "First paragraph.\n\nSecond paragraph."),
        (1, "Datatrove body."),
    ]
    assert problems(items) == []


def test_records_without_text_or_title_are_reported_with_their_line() -> None:
    text = '[\n  {"text": "one"},\n  {"url": "https://x"},\n  42,\n  {"title": "only a title"}\n]'
    items = list(parse_json_items(text))
    assert problems(items) == [
        LineProblem(3, "no-text", "the record has no text and no title"),
        LineProblem(4, "not-an-object", "expected an object, found a number"),
    ]
    kept = documents(items)
    assert [(d.position, d.text, d.metadata["title"]) for d in kept] == [
        (0, "one", None),
        (3, "", "only a title"),
    ]
    assert list(parse_json(text)) == kept


@pytest.mark.parametrize(
    "text", ['{"text": "a",}', '[{"text": "a"}', '"just a string"', "[1] [2]", ""]
)
def test_a_json_file_that_is_not_objects_is_bad_json(text: str) -> None:
    with pytest.raises(IngestError) as excinfo:
        list(parse_json(text))
    assert excinfo.value.reason == "bad-json"


def test_a_json_file_holding_json_lines_is_read_as_json_lines() -> None:
    text = '{"text": "one"}\n{"text": "two"}\n'
    assert [d.text for d in parse_json(text)] == ["one", "two"]


def test_json_lines_with_a_bad_line_keeps_the_good_ones() -> None:
    text = "\n".join(
        [
            json.dumps(NEWS_PLEASE),
            '{"text": "cut off", "title": ',
            "",
            json.dumps(DATATROVE),
            '["not", "an", "object"]',
            '{"url": "https://no-text"}',
        ]
    )
    items = list(parse_jsonl(text))
    assert [(d.position, d.text) for d in documents(items)] == [
        (0, "First paragraph.\n\nSecond paragraph."),
        (2, "Datatrove body."),  # blank lines do not count; the bad line does
    ]
    assert [(p.line_number, p.reason) for p in problems(items)] == [
        (2, "bad-json"),
        (5, "not-an-object"),
        (6, "no-text"),
    ]
    assert problems(items)[0].detail.startswith("Expecting value at column")


def test_a_record_split_over_lines_is_joined_again() -> None:
    # A raw U+2028 inside a JSON string is valid JSON; normalize_text makes it a
    # newline, which splits the record. The reader puts the pieces together.
    record = json.dumps({"text": "one\u2028two", "title": "t"}, ensure_ascii=False)
    text = normalize_text(record + "\n" + json.dumps({"text": "next"}))
    items = list(parse_jsonl(text))
    assert [(d.position, d.text) for d in documents(items)] == [(0, "one\ntwo"), (1, "next")]
    assert problems(items) == []


def test_an_unterminated_line_does_not_swallow_the_next_record() -> None:
    text = '{"text": "cut\n{"text": "good"}\n'
    items = list(parse_jsonl(text))
    assert [(p.line_number, p.reason) for p in problems(items)] == [(1, "bad-json")]
    assert [(d.position, d.text) for d in documents(items)] == [(1, "good")]


def test_text_fields_are_normalized_and_entities_decoded() -> None:
    document = to_document(
        {"text": "caf\u00c3\u00a9 &amp; more\u200b  ", "title": "A&nbsp;title &#8212; here"}
    )
    assert document is not None
    assert document.text == "café & more"
    assert document.metadata["title"] == "A title — here"


@pytest.mark.parametrize("null", ["", "  ", "None", "null", "NULL", "nan", None])
def test_null_like_values_become_none(null: object) -> None:
    document = to_document({"text": "body", "title": null, "url": null, "site": null})
    assert document is not None
    assert document.metadata["title"] is None
    assert document.metadata["url"] is None
    assert document.metadata["site"] is None


def test_extra_keeps_only_json_scalars() -> None:
    record = {
        "text": "body",
        "flag": True,
        "count": 3,
        "score": 0.5,
        "bad_float": float("nan"),
        "label": "x",
        "empty": "None",
        "nothing": None,
        "list": [1, 2],
        "object": {"a": 1},
        "lone": "\ud800",
    }
    document = to_document(record)
    assert document is not None
    extra = document.metadata["extra"]
    assert extra == {"flag": True, "count": 3, "score": 0.5, "label": "x", "lone": "\ufffd"}
    json.dumps(extra, ensure_ascii=False, allow_nan=False).encode("utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("A, B", ["A", "B"]),
        ("A and B", ["A", "B"]),
        ("A; B & C", ["A", "B", "C"]),
        ("By Jane Doe", ["Jane Doe"]),
        ("Alexander Anderson", ["Alexander Anderson"]),
        (["  Jane\nDoe ", "Jane Doe", "", "None", {"name": "Org"}, 5], ["Jane Doe", "Org"]),
        (None, []),
    ],
)
def test_split_authors(value: object, expected: list[str]) -> None:
    assert split_authors(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-02-07", "2017-02-07"),
        ("2017-02-07 17:32", "2017-02-07T17:32:00"),
        ("2017-02-07T17:32:00.5+0100", "2017-02-07T17:32:00.500000+01:00"),
        ("2017-02-07T17:32:00Z", "2017-02-07T17:32:00+00:00"),
        ("Tue, 07 Feb 2017 17:32:00 GMT", "2017-02-07T17:32:00+00:00"),
        (1486488720, "2017-02-07T17:32:00+00:00"),
        (1486488720000, "2017-02-07T17:32:00+00:00"),
        ("February 7, 2017", "February 7, 2017"),  # unreadable: kept as given
        ("2017-13-45", "2017-13-45"),
        ("None", None),
        (True, None),
        (None, None),
    ],
)
def test_normalize_date(value: object, expected: str | None) -> None:
    assert normalize_date(value) == expected


def test_plain_text_is_one_document_with_entities_decoded() -> None:
    document = parse_text("Tom &amp; Jerry\u00a0 \r\nAT&T &#8220;quoted&#8221;")
    assert document == Document("Tom & Jerry\nAT&T “quoted”")


def test_plain_text_of_only_entities_for_spaces_is_empty() -> None:
    with pytest.raises(IngestError) as excinfo:
        parse_text("&nbsp;&#8203;")
    assert excinfo.value.reason == "empty"
