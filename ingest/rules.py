"""Line rules of the cleaner: what a widget, a footer, a credit and a caption look like.

Each rule is a pure predicate (or parser) of one line. The patterns are general
shapes of news-page furniture, not strings of particular sites.
"""

from __future__ import annotations

import re

from ingest.lines import fold, is_prose, words

# Lines longer than this are never treated as furniture by the short-line rules.
SHORT_LINE_WORDS = 25
CREDIT_MAX_WORDS = 30
CAPTION_MAX_WORDS = 70
WIDGET_MAX_TOKENS = 6

AGENCIES = (
    "Associated Press",
    "Agence France-Presse",
    "Agence France Presse",
    "Reuters",
    "AFP",
    "AP",
    "Bloomberg",
    "dpa",
    "EFE",
    "ANSA",
    "Xinhua",
    "UPI",
    "Kyodo",
    "Yonhap",
    "TASS",
    "Sputnik",
    "Press Association",
    "PA Media",
    "CNN",
    "BBC",
)
_AGENCY = "|".join(re.escape(a) for a in AGENCIES)
_AGENCY_LINE = re.compile(rf"^[\s(—–-]*(?:{_AGENCY})[\s)]*$", re.IGNORECASE)

# Words that make up share bars, counters and page chrome when they stand alone.
WIDGET_WORDS = frozenset(
    """
    share shares shared tweet tweets retweet email e mail print printer friendly advertisement
    advertisements ad ads sponsored comment comments reply replies facebook twitter x linkedin
    whatsapp pinterest reddit telegram tumblr messenger pin save saved bookmark copy link
    listen audio video play pause follow subscribe menu search close open home more next
    previous prev back top up like likes loading views view gallery photos photo toggle
    font size text a zoom on this to the us via article story page and or in of our
    related tags tag topics
    """.split()
)

_FOOTER = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bbloggers? like this\b",
        r"%[ds]\b",  # an unrendered template placeholder
        r"^click (?:here )?(?:to|for) ",
        r"^(?:read|see|watch|listen) (?:more|also|next|the full)\b",
        r"^(?:related|recommended|more)(?: (?:stories|articles|news|coverage|content|reading|links))?"
        r"(?: (?:from|on|about) .*)?:?$",
        r"^(?:also read|don't miss|trending|most (?:read|popular|viewed))\b",
        r"^(?:story|article) continues\b",
        r"^(?:sign up|subscribe|register)\b.*\b(?:newsletter|updates|email|inbox|free)\b",
        r"\bnewsletter\b",
        r"^follow (?:us|@|the)\b",
        r"^(?:leave|post|add) a (?:comment|reply)\b",
        r"^(?:tags?|topics?|filed under|categories)\s*:",
        r"^(?:posted|published|updated|last updated)\s*(?:on|at|:)",
    )
]
# Always furniture, even when the line reads like a sentence.
_LEGAL = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?:copyright|©|\(c\))\s",
        r"\ball rights reserved\b",
        r"\bmay not be (?:re)?published, broadcast\b",
        r"\bcookies?\b.*\b(?:we use|this (?:web)?site|accept|consent|privacy policy)\b",
        r"\bwe use cookies\b",
        r"^(?:privacy policy|terms of (?:use|service)|contact us|about us)\b",
    )
]

_PHOTO_CREDIT = re.compile(
    r"(?:\b(?:REUTERS|AFP|AP|EPA|ANSA|Getty Images|Bloomberg|XINHUA)\s*/\s*\w"
    r"|\((?:AP|AFP|Reuters|EPA|Getty)(?: Photo)?[/ ]"
    r"|\bAP Photo\b|\bAFP via Getty\b|\bGetty Images\b|\bShutterstock\b"
    r"|^(?:photo|image|picture|photograph|illustration|credit|file photo)s?\s*(?::|by\b)"
    r"|\b(?:photo|image|picture|credit)s?\s*:\s*\S|\bphoto(?:graph)?s? by\b"
    r"|\((?:file )?photo\b)",
    re.IGNORECASE,
)
_TRAILING_PAREN = re.compile(r"\([^()]{2,60}\)\s*$")

_NAME = r"(?:[A-Z][\w'’.-]*|(?:de|da|van|von|der|al|el|bin|ibn|le|la|du|di)-?)"
_NAMES = rf"{_NAME}(?:\s+{_NAME}){{0,4}}"
_BYLINE = re.compile(
    rf"^(?:[Bb]y|BY)\s+(?P<names>{_NAMES}(?:\s*(?:,|and|&)\s*{_NAMES})*)"
    rf"(?:\s*(?:,|\||/|—|–|-|\bof\b|\bfor\b)\s*(?P<org>.+))?$",
)
_BIO = re.compile(
    rf"^(?P<names>{_NAMES}(?:\s*(?:,|and|&)\s*{_NAMES})*)\s+(?:is|are)\s+(?:an?\s+|the\s+)?"
    r"(?P<org>.*?)\s*\b(?:staff\s+)?(?:writer|reporter|correspondent|editor|journalist|"
    r"contributor|columnist|producer|photographer)s?\b.*$"
)
_TAGLINE = re.compile(
    r"^\(?\s*(?:(?:additional\s+)?reporting|writing|written|editing|edited|compiled|"
    r"contributing|research)\s+by\b.*\)?\.?$",
    re.IGNORECASE,
)
_TAGLINE_ROLE = re.compile(
    r"(?P<role>(?:additional\s+)?reporting|writing|written|editing|edited|compiled|contributing"
    r"|research)\s+by\s+(?P<names>[^;)]+)",
    re.IGNORECASE,
)
_CONTRIBUTED = re.compile(
    rf"^(?:(?P<org>{_AGENCY})\s+)?(?:staff\s+)?(?:writers?|reporters?|correspondents?)\s+"
    r"(?P<names>.+?)\s+contributed\b.*$",
    re.IGNORECASE,
)
_AUTHOR_ROLES = ("reporting", "additional reporting", "writing", "written", "contributing")


def is_widget(line: str) -> bool:
    """Share bars, counters, font toggles: a few tokens that say nothing."""
    tokens = fold(line).split()
    if not tokens:
        return True
    if len(tokens) > WIDGET_MAX_TOKENS:
        return False
    if all(t.isdigit() for t in tokens) or all(len(t) <= 2 for t in tokens):
        return len(tokens) <= 3
    return all(t in WIDGET_WORDS or t.isdigit() for t in tokens)


def is_footer(line: str) -> bool:
    """Share prompts, related-link headers, newsletter and legal lines."""
    if any(p.search(line) for p in _LEGAL):
        return True
    if len(words(line)) > SHORT_LINE_WORDS or is_prose(line):
        return False
    return any(p.search(line.strip()) for p in _FOOTER)


def is_agency_line(line: str) -> bool:
    return bool(_AGENCY_LINE.match(line))


def has_photo_credit(line: str) -> bool:
    return len(words(line)) <= CAPTION_MAX_WORDS and bool(_PHOTO_CREDIT.search(line))


def has_trailing_credit(line: str) -> bool:
    """`Part of the event (Turkish Embassy in Cairo)`: a caption's source in brackets."""
    return (
        len(words(line)) <= CREDIT_MAX_WORDS
        and not is_prose(line)
        and bool(_TRAILING_PAREN.search(line))
    )


def parse_credit(line: str) -> tuple[tuple[str, ...], str | None] | None:
    """Authors and agency named by a byline or credit line; None if it is not one."""
    stripped = line.strip().rstrip(".")
    if len(words(stripped)) > CREDIT_MAX_WORDS:
        return None
    if m := _BYLINE.match(stripped):
        names = _names(m["names"])
        agencies = [n for n in names if _agency(n) == n]
        people = tuple(n for n in names if n not in agencies)
        return people, _agency(m["org"]) or (agencies[0] if agencies else None)
    if (m := _BIO.match(stripped)) and all(len(n.split()) >= 2 for n in _names(m["names"])):
        return _names(m["names"]), _agency(m["org"])
    if _TAGLINE.match(stripped):
        names: list[str] = []
        for role in _TAGLINE_ROLE.finditer(stripped):
            if role["role"].lower() in _AUTHOR_ROLES:
                names.extend(_names(role["names"]))
        return tuple(names), None
    if m := _CONTRIBUTED.match(stripped):
        return _names(m["names"]), _agency(m["org"])
    return None


def _names(text: str) -> tuple[str, ...]:
    parts = re.split(r"\s*(?:,|;|\band\b|&)\s*", text.strip())
    names = []
    for part in parts:
        part = re.sub(r"\s+in\s+[A-Z][\w\s.-]*$", "", part.strip())  # "Jane Doe in Beirut"
        if not part or len(part.split()) > 5:
            continue
        names.append(part.title() if part.isupper() else part)
    return tuple(names)


def _agency(text: str | None) -> str | None:
    if not text:
        return None
    for agency in AGENCIES:
        if re.search(rf"\b{re.escape(agency)}\b", text, re.IGNORECASE):
            return agency
    return None
