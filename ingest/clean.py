"""Clean one article's text into a title, body paragraphs, captions and authors.

Every line the cleaner takes out of the body is kept with the reason, so a user
can audit it. The steps, in order:
  1. furniture: widgets, footers, credit lines, captions with a photo credit, the author's
     bio under "About Jane Doe", the tags under "Tags:";
  2. the title: given by the source's metadata, or a headline repeated above the body;
  3. captions above the body that end in a bracketed credit;
  4. repeats: the title again, repeated captions, a paragraph printed twice;
  5. corpus boilerplate: lines that recur across many different articles;
  6. navigation around the article in full-page dumps (the main run of prose);
  7. in a scrape that shows no page chrome (and came with no title): its header above the
     first paragraph, or the whole of a teaser card with no paragraph at all;
  8. the title, when still unknown: a headline just above the body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Sequence
from dataclasses import dataclass

from ingest import rules
from ingest.lines import ends_sentence, fold, is_headline_like, is_prose, line_key, word_count
from ingest.mainrun import describe, is_page_dump, select_main_run, table_lines
from ingest.records import Removed

# How far above the body a headline may stand when it is not repeated.
TITLE_WINDOW = 4
# The first line of the text is its title only when this short: a longer line without a full
# stop is a first paragraph that lacks one.
FIRST_LINE_TITLE_MAX_WORDS = 20
# A body line is the title with a site suffix cut when it covers this share of it.
TITLE_PREFIX_SHARE = 0.6
# A line this long is body text, not a header line, even when it does not end a sentence.
HEADER_MAX_WORDS = 40
# A scrape of at most this many short lines (fewer words each than the second), none of them
# a paragraph, is a teaser card, not an article.
CARD_MAX_LINES = 5
CARD_LINE_MAX_WORDS = 15
# A standfirst (the summary between headline and byline) is one paragraph of at most this many
# words.
STANDFIRST_MAX_WORDS = 60
# A paragraph opening with a dateline among a scrape's first this many kept lines starts the
# body: what is kept above it is the header (summary points, a standfirst, captions).
DATELINE_WITHIN = 5
# A line of this many words that is no sentence, printed this many times through the body
# and each time between two paragraphs, is the caption the page prints under its pictures.
CAPTION_REPEATS = 3
REPEATED_CAPTION_MIN_WORDS = 6

# Longer recurring lines are template paragraphs (a disclaimer, an "about us"), not
# a sentence articles share: they stay only with article text after them.
TEMPLATE_PARAGRAPH_CHARS = 300

_BLOCK_BREAK = re.compile(r"\n\s*\n")
_INNER_SPACE = re.compile(r"[ \t]+")
_WEB_ADDRESS = re.compile(r"\bwww\.|https?://|\S@\S+\.\w")
# "About Jane Doe", "Über Jane Doe": a person's name of two to four words under "about".
_ABOUT_NAME = re.compile(
    r"^(?i:about|über|à propos de|sobre|acerca de|informazioni su)\s+"
    r"(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})\s*$"
)
_PERSON = re.compile(
    r"\b(?:he|she|his|her|him|er|sie|ihr|ihre|sein|seine|il|elle|él|ella|ele|writer|reporter"
    r"|journalist|editor|author|columnist|correspondent|freelance|joined)\b",
    re.IGNORECASE,
)
_CUT_SHORT = re.compile(r"\w[,;:]?\s?(?:\.{3}|…)$")
_WRAP_END = re.compile(r"[.!?:;…\"'”’)\]]$")


@dataclass(frozen=True)
class Cleaned:
    title: str
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    authors: tuple[str, ...]
    agency: str | None
    removed: tuple[Removed, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def clean_text(
    text: str,
    *,
    title: str | None = None,
    boilerplate: Container[int] = frozenset(),
) -> Cleaned:
    """Clean an article's text; `title` comes from metadata when the source has one."""
    lines, cards = _cut_hover_cards(paragraph_lines(text))
    cells = table_lines(lines)  # a table's numbers and labels are text, not widgets
    furniture = [
        None if cell else _furniture(line) for line, cell in zip(lines, cells, strict=True)
    ]
    marks = _mark_author_bio(lines, _mark_captions_above_credits(lines, furniture))
    marks = _mark_tags(lines, marks)
    counts = Counter(fold(line) for line, mark in zip(lines, marks, strict=True) if mark is None)
    body = _first_body_line(lines, marks)

    title_index = None
    scraped = not title  # no title from the source: a scrape, whose body must be found
    if title:
        title = _INNER_SPACE.sub(" ", title).strip()
    else:
        title_index = _repeated_headline(lines, marks, counts, body)
        title = lines[title_index] if title_index is not None else ""
    marks = _mark_header_captions(lines, marks, body, title)
    marks = _mark_repeats(lines, marks, counts, body, title, title_index, cells)
    marks = _mark_corpus_boilerplate(lines, marks, body, boilerplate, cells)
    marks = _mark_navigation(lines, marks, cells)
    # what the navigation took out can leave a line next to its own repeat
    marks = _mark_repeats(lines, marks, counts, body, title, title_index, cells)
    marks = _mark_company_profile(lines, marks)
    if scraped:
        marks = _mark_standfirst(lines, _mark_header(lines, marks))
        marks = _mark_above_dateline(lines, marks)
    if not title and (title_index := _headline_above_body(lines, marks)) is not None:
        title = lines[title_index]
        marks = _mark_repeats(lines, marks, counts, body, title, title_index, cells)
    return _assemble(lines, marks, title, cards)


def _cut_hover_cards(lines: Sequence[str]) -> tuple[list[str], list[Removed]]:
    """The lines without the hover cards run into them (`rules.hover_cards`), and the cards."""
    out: list[str] = []
    cards: list[Removed] = []
    for line in lines:
        spans = rules.hover_cards(line)
        for start, end in reversed(spans):
            cards.append(Removed(line[start:end].strip(), "hover card"))
            line = line[:start] + line[end:]
        out.append(line)
    return out, cards


def paragraph_lines(text: str) -> list[str]:
    """Non-empty lines, with hard-wrapped prose joined back into paragraphs."""
    out: list[str] = []
    for block in _BLOCK_BREAK.split(text):
        pending = ""
        for raw in block.split("\n"):
            line = _INNER_SPACE.sub(" ", raw).strip()
            if not line:
                continue
            if pending and _is_wrapped(pending, line):
                pending = f"{pending} {line}"
                continue
            if pending:
                out.append(pending)
            pending = line
        if pending:
            out.append(pending)
    return out


def _is_wrapped(previous: str, line: str) -> bool:
    """A line break inside a sentence: no closing punctuation, next line lower-case."""
    return not _WRAP_END.search(previous) and line[0].islower() and not rules.is_identifier(line)


def _furniture(line: str) -> str | None:
    if rules.is_widget(line):
        return "widget"
    if rules.is_footer(line):
        return "footer"
    if rules.is_shouted_link(line):
        return "teaser link"
    if rules.parse_credit(line) is not None or rules.is_agency_line(line):
        return "credit"
    if rules.has_photo_credit(line):
        return "caption"
    if rules.is_dateline(line):
        return "date"
    return None


def _mark_captions_above_credits(
    lines: Sequence[str], marks: Sequence[str | None]
) -> list[str | None]:
    """A line just above a picture's credit standing alone is that picture's caption."""
    out = list(marks)
    for i in range(len(lines) - 1):
        short = word_count(lines[i]) <= rules.CAPTION_MAX_WORDS
        if out[i] is None and short and rules.is_credit_only(lines[i + 1]):
            out[i] = "caption"
    return out


def _mark_tags(lines: Sequence[str], marks: Sequence[str | None]) -> list[str | None]:
    """The tags one a line under their label ("Tags:", "Minnesota Wild", "Bill Hoppe")."""
    out = list(marks)
    for i, line in enumerate(lines):
        if not rules.is_tags_label(line):
            continue
        out[i] = out[i] or "footer"
        j = i + 1
        while j < len(lines) and out[j] is None and _is_tag(lines[j]):
            out[j] = "tags"
            j += 1
    return out


def _is_tag(line: str) -> bool:
    return word_count(line) <= rules.TAG_MAX_WORDS and not ends_sentence(line)


def _mark_author_bio(lines: Sequence[str], marks: Sequence[str | None]) -> list[str | None]:
    """'About Jane Doe' over a paragraph that names her as a person: the author's bio, not
    the article ("About Skarholm Ferries" over what the firm does is the article's)."""
    out = list(marks)
    for i in range(len(lines) - 1):
        about = _ABOUT_NAME.match(lines[i])
        bio = lines[i + 1]
        if out[i] is None and about and about["name"] in bio and _PERSON.search(bio):
            out[i] = "author bio"
            out[i + 1] = out[i + 1] or "author bio"
    return out


def _first_body_line(lines: Sequence[str], marks: Sequence[str | None]) -> int:
    """Index of the first paragraph of running text: where the header zone ends."""
    return next(
        (i for i, line in enumerate(lines) if marks[i] is None and is_prose(line)), len(lines)
    )


def _repeated_headline(
    lines: Sequence[str], marks: Sequence[str | None], counts: Counter[str], body: int
) -> int | None:
    """A headline above the body that the page prints twice: the strongest title signal."""
    for i in range(body):
        if marks[i] is None and _is_headline(lines[i]):
            key = fold(lines[i])
            if counts[key] > 1 and any(fold(lines[j]) == key for j in range(i + 1, body)):
                return i
    return None


def _headline_above_body(lines: Sequence[str], marks: Sequence[str | None]) -> int | None:
    """The first kept line when it is a headline; else a headline just above the body."""
    kept = [i for i, mark in enumerate(marks) if mark is None]
    first = lines[kept[0]] if kept else ""
    short = word_count(first) <= FIRST_LINE_TITLE_MAX_WORDS
    if kept and _is_headline(first) and not is_prose(first) and short:
        return kept[0]
    if not kept:  # a teaser card: its headline
        cards = (i for i, mark in enumerate(marks) if mark == "teaser card")
        return next((i for i in cards if _is_headline(lines[i])), None)
    start = kept[0]
    for i in range(start - 1, max(start - TITLE_WINDOW, 0) - 1, -1):
        if marks[i] in ("navigation", "header") and _is_headline(lines[i]):
            return i
    return None


def _is_headline(line: str) -> bool:
    """A headline: not a caption ending in its bracketed credit, nor a line with an address,
    nor a dateline standing alone ("BAAR, SWITZERLAND")."""
    return (
        is_headline_like(line)
        and not rules.has_trailing_credit(line)
        and not _WEB_ADDRESS.search(line)
        and not rules.opens_with_dateline(line)
    )


def _is_title(line: str, title_key: str) -> bool:
    key = fold(line)
    if not key:
        return False
    return key == title_key or (
        title_key.startswith(key)
        and len(key) >= TITLE_PREFIX_SHARE * len(title_key)
        and is_headline_like(line)
    )


def _mark_repeats(
    lines: Sequence[str],
    marks: Sequence[str | None],
    counts: Counter[str],
    body: int,
    title: str,
    title_index: int | None,
    cells: Sequence[bool],
) -> list[str | None]:
    """The title's repeats, and lines printed twice.

    A short line repeated above the body is a caption. Elsewhere only a stutter (the
    same line twice in a row) is furniture: a question repeated through an interview
    round-up is text, and so is a table's cell repeated ("0", "0"); but a caption-sized
    line that is no sentence, printed three times between paragraphs, is a caption.
    """
    out = list(marks)
    title_key = fold(title)
    for i, line in enumerate(lines):
        if out[i] in (None, "navigation") and title_key and _is_title(line, title_key):
            out[i] = "title" if i == title_index else "repeated-title"
    keys = [fold(line) for line in lines]
    paragraphs = {key for key, line in zip(keys, lines, strict=True) if key and is_prose(line)}
    changed = True
    while changed:  # what one removal leaves behind can be a repeat of its own
        changed = False
        neighbours = _neighbours(keys, out)
        last_seen = {key: i for i, key in enumerate(keys) if out[i] is None}
        for i, line in enumerate(lines):
            key = keys[i]
            if out[i] is not None or counts[key] < 2 or cells[i]:
                continue
            if rules.has_photo_credit(line) or (last_seen[key] < body and not is_prose(line)):
                out[i] = "repeated-caption"
            elif neighbours[i][0] == key:
                out[i] = "repeated-line" if is_prose(line) else "repeated-caption"
            elif neighbours[i][1] == key and not is_prose(line):
                out[i] = "repeated-caption"  # the first of a caption printed twice
            elif counts[key] >= CAPTION_REPEATS and _between_paragraphs(
                line, neighbours[i], paragraphs
            ):
                out[i] = "repeated-caption"
            changed = changed or out[i] is not None
    return out


def _between_paragraphs(line: str, neighbours: tuple[str, str], paragraphs: set[str]) -> bool:
    """A line that is no sentence, long enough to be a caption, with a paragraph of prose
    kept on either side of it (an item of a list stands among other items)."""
    if ends_sentence(line) or word_count(line) < REPEATED_CAPTION_MIN_WORDS:
        return False
    return all(key in paragraphs for key in neighbours)


def _neighbours(keys: Sequence[str], marks: Sequence[str | None]) -> list[tuple[str, str]]:
    """For each line, the keys of the nearest kept lines before and after it."""
    kept = [i for i, mark in enumerate(marks) if mark is None]
    out = [("", "")] * len(keys)
    for n, i in enumerate(kept):
        before = keys[kept[n - 1]] if n > 0 else ""
        after = keys[kept[n + 1]] if n + 1 < len(kept) else ""
        out[i] = (before, after)
    return out


def _mark_header_captions(
    lines: Sequence[str], marks: Sequence[str | None], body: int, title: str
) -> list[str | None]:
    """Above the body, a line ending in a bracketed credit is a caption."""
    if body == len(lines):
        return list(marks)  # no body, so nothing stands above it
    title_key = fold(title)
    return [
        "caption"
        if mark is None
        and i < body
        and rules.has_trailing_credit(lines[i])
        and not (title_key and _is_title(lines[i], title_key))
        else mark
        for i, mark in enumerate(marks)
    ]


def _mark_corpus_boilerplate(
    lines: Sequence[str],
    marks: Sequence[str | None],
    body: int,
    boilerplate: Container[int],
    cells: Sequence[bool],
) -> list[str | None]:
    """Lines seen across many articles. A sentence inside the body is kept all the same,
    and so is a table's cell. A short one may close the body (a sentence many articles
    end with); a template paragraph, longer, needs article text after it."""
    seen = [
        mark is None and line_key(line) in boilerplate
        for line, mark in zip(lines, marks, strict=True)
    ]
    prose = [i for i, mark in enumerate(marks) if mark is None and is_prose(lines[i])]
    last = prose[-1] if prose else -1
    last_text = max((i for i in prose if not seen[i]), default=-1)
    out = list(marks)
    for i, line in enumerate(lines):
        if out[i] is None and not cells[i] and seen[i]:
            end = last if len(line) <= TEMPLATE_PARAGRAPH_CHARS else last_text
            if not (body <= i <= end and is_prose(line)):
                out[i] = "corpus-boilerplate"
    return out


def _mark_navigation(
    lines: Sequence[str], marks: Sequence[str | None], cells: Sequence[bool]
) -> list[str | None]:
    """The main run is found on all lines: the furniture around it is what gives a page away."""
    verdicts = select_main_run(lines, cells)
    return [
        mark if mark is not None or verdict is None else "navigation"
        for mark, verdict in zip(marks, verdicts, strict=True)
    ]


def _mark_header(lines: Sequence[str], marks: Sequence[str | None]) -> list[str | None]:
    """In a scrape that shows no page chrome, the lines above its first paragraph.

    Only for text whose source gave no title: a source that names the title also
    delimited the body (an HTML extractor, a JSON record), so what stands first is text.
    Above the first paragraph of a scrape stand its header (headline, kicker, byline, date,
    captions): nothing of the body. A few lines without any paragraph, or whose only
    paragraph is a summary cut short ("...,..."), are a teaser card or a comment (what a
    scraper saves when a page's article region holds no article), while a longer text
    without one is a list or a table, and stays.
    """
    if is_page_dump(lines):
        return list(marks)  # the main run has decided
    body = next((i for i, line in enumerate(lines) if marks[i] is None and _opens_body(line)), None)
    kept = [line for line, mark in zip(lines, marks, strict=True) if mark is None]
    card = len(kept) <= CARD_MAX_LINES and all(
        describe(line).words < CARD_LINE_MAX_WORDS for line in kept
    )
    # a card's summary is cut short: "Two people were taken to hospital,..."
    excerpt = all(_CUT_SHORT.search(line) for line in kept if _opens_body(line))
    if body is None or (card and excerpt):
        return ["teaser card" if mark is None and card else mark for mark in marks]
    return ["header" if mark is None and i < body else mark for i, mark in enumerate(marks)]


def _mark_standfirst(lines: Sequence[str], marks: Sequence[str | None]) -> list[str | None]:
    """In a scrape, a first paragraph standing above the byline or the date is the article's
    standfirst (its summary under the headline), part of the header."""
    kept = [i for i, mark in enumerate(marks) if mark is None]
    if len(kept) < 2 or word_count(lines[kept[0]]) > STANDFIRST_MAX_WORDS:
        return list(marks)
    first, second = kept[0], kept[1]
    under = any(_is_byline_or_date(lines[i], marks[i]) for i in range(first + 1, second))
    if not under or not is_prose(lines[second]):  # the body starts under the byline
        return list(marks)
    return ["standfirst" if i == first else mark for i, mark in enumerate(marks)]


def _mark_company_profile(lines: Sequence[str], marks: Sequence[str | None]) -> list[str | None]:
    """A press release's closing profile of the company it is about ("Ascom is a global
    solutions provider ...", "Ascom is headquartered in ..."): the last paragraphs, each
    opening with the name of a company the article named before."""
    kept = [i for i, mark in enumerate(marks) if mark is None and is_prose(lines[i])]
    for n, i in enumerate(kept):
        name = rules.company_profile(lines[i])
        if name is None or not any(name in lines[j] for j in kept[:n]):
            continue
        rest = set(kept[n:])
        if all(lines[j].startswith(name) for j in rest):
            return ["company profile" if j in rest else mark for j, mark in enumerate(marks)]
    return list(marks)


def _mark_above_dateline(lines: Sequence[str], marks: Sequence[str | None]) -> list[str | None]:
    """In a scrape, the lines kept above the paragraph that opens with the dateline
    ("DUBAI, United Arab Emirates — ...") are its header: a report's text starts there."""
    kept = [i for i, mark in enumerate(marks) if mark is None][:DATELINE_WITHIN]
    start = next((i for i in kept if rules.opens_with_dateline(lines[i])), None)
    if start is None:
        return list(marks)
    return ["header" if mark is None and i < start else mark for i, mark in enumerate(marks)]


def _is_byline_or_date(line: str, mark: str | None) -> bool:
    return mark in ("credit", "date") or (mark == "footer" and rules.is_publication_stamp(line))


def _opens_body(line: str) -> bool:
    """A paragraph of running text (in any script), or a line too long for a header."""
    info = describe(line)
    return info.prose or info.words >= HEADER_MAX_WORDS


def _assemble(
    lines: Sequence[str], marks: Sequence[str | None], title: str, cards: Sequence[Removed]
) -> Cleaned:
    paragraphs: list[str] = []
    captions: list[str] = []
    authors: list[str] = []
    removed: list[Removed] = list(cards)
    agency = None
    seen_captions: set[str] = set()
    for line, mark in zip(lines, marks, strict=True):
        if mark is None:
            paragraphs.append(line)
            continue
        removed.append(Removed(line, mark))
        if mark in ("caption", "repeated-caption") and fold(line) not in seen_captions:
            seen_captions.add(fold(line))
            captions.append(line)
        elif mark == "credit" and (credit := rules.parse_credit(line)):
            names, named_agency = credit
            authors.extend(n for n in names if n not in authors)
            agency = agency or named_agency
        elif mark == "credit":
            agency = agency or line.strip(" ()—–-")
    return Cleaned(
        title, tuple(paragraphs), tuple(captions), tuple(authors), agency, tuple(removed)
    )
