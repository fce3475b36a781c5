"""Line rules of the cleaner: what a widget, a footer, a credit and a caption look like.

Each rule is a pure predicate (or parser) of one line. The patterns are general
shapes of news-page furniture, not strings of particular sites.
"""

from __future__ import annotations

import re

from ingest.lines import Cue, ends_sentence, fold, is_prose, lowered, word_count
from ingest.mainrun import EMBED_SIGNATURE_RE, MONTHS, count_words, has_date_cue, is_date_line

# Lines longer than this are never treated as furniture by the short-line rules.
SHORT_LINE_WORDS = 25
CREDIT_MAX_WORDS = 30
CAPTION_MAX_WORDS = 70
WIDGET_MAX_TOKENS = 6
SHOUTED_LINK_MIN_WORDS = 9  # a line in capitals this long is a link, not a subheading

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
    (
        "share", "shares", "shared", "tweet", "tweets", "retweet", "email", "e", "mail", "print",
        "printer", "friendly", "advertisement", "advertisements", "ad", "ads", "sponsored",
        "comment", "comments", "reply", "replies", "facebook", "twitter", "x", "linkedin",
        "whatsapp", "pinterest", "reddit", "telegram", "tumblr", "messenger", "pin", "save",
        "saved", "bookmark", "copy", "link", "listen", "audio", "video", "play", "pause",
        "follow", "subscribe", "menu", "search", "close", "open", "home", "more", "next",
        "previous", "prev", "back", "top", "up", "like", "likes", "loading", "views", "view",
        "gallery", "photos", "photo", "toggle", "font", "size", "text", "a", "zoom", "on",
        "this", "to", "the", "us", "via", "article", "story", "page", "and", "or", "in", "of",
        "our", "related", "tags", "tag", "topics", "image", "images", "caption", "slide",
    )
)

def _cue(pattern: str, *needles: str) -> Cue:
    return Cue(re.compile(pattern, re.IGNORECASE), needles)


class Cues:
    """Cues of which one matching is enough, searched as few times as can be: the ones
    without needles as one pattern, the others only under a needle the line holds."""

    def __init__(self, cues: list[Cue]) -> None:
        self.cues = tuple(cues)
        plain = [cue.pattern for cue in cues if not cue.needles]
        if any(p.flags != re.IGNORECASE | re.UNICODE or p.groups for p in plain):
            raise ValueError("a cue without needles must ignore case, with no other flag or group")
        joined = "|".join(f"(?:{p.pattern})" for p in plain)
        self._plain = re.compile(joined, re.IGNORECASE) if plain else None
        by_needle: dict[str, list[re.Pattern[str]]] = {}
        for cue in cues:
            for needle in cue.needles:
                by_needle.setdefault(needle, []).append(cue.pattern)
        self._by_needle = tuple((needle, tuple(ps)) for needle, ps in by_needle.items())

    def search(self, line: str, lower: str) -> bool:
        """Whether one of the cues matches `line`; `lower` is `lowered(line)`."""
        if self._plain is not None and self._plain.search(line):
            return True
        for needle, patterns in self._by_needle:
            if needle in lower and any(p.search(line) for p in patterns):
                return True
        return False


_FOOTER = Cues([
    _cue(r"\bbloggers? like this\b", "like this"),
    _cue(r"%[ds]\b", "%"),  # an unrendered template placeholder
    _cue(r"^click (?:here )?(?:to|for) "),
    _cue(r"^(?:read|see|watch|listen) (?:more|also|next|the full)\b"),
    _cue(
        r"^(?:related|recommended|more)"
        r"(?: (?:stories|articles|news|coverage|content|reading|links))?"
        r"(?: (?:from|on|about) .*)?:?$"
    ),
    _cue(r"^(?:also read|don't miss|trending|most (?:read|popular|viewed))\b"),
    _cue(r"^(?:story|article) continues\b"),
    _cue(r"^(?:sign up|subscribe|register)\b.*\b(?:newsletter|updates|email|inbox|free)\b"),
    _cue(r"\bnewsletter\b", "newsletter"),
    _cue(r"^follow (?:us|@|the)\b"),
    _cue(r"^(?:leave|post|add) a (?:comment|reply)\b"),
    _cue(r"^(?:tags?|topics?|filed under|categories)\s*:"),
    _cue(r"^(?:posted|published|updated|last updated)\s*(?:on|at|:)"),
    _cue(r"^\W*(?:related|see also|also read|read also|recommended|more)\s*:\s*\S"),  # a teaser
    _cue(r"^(?:tags?|tagged|filed under|in this article)\b"),  # a tag list, colon or not
    _cue(r"^(?:previous|next|prev)\s+(?:article|post|story|page)\b"),
    _cue(r"^continue reading\b"),
    _cue(r"^write to .{1,60}\S+@\S+"),  # a reporter's address at the foot
    _cue(r"^about the authors?\b"),
    _cue(r"^sources?\s*:\s*\S"),  # "SOURCE: News agencies", the credit under a story or chart
    _cue(r"\[/?[a-z_]+\s+[a-z_]+\s*=[^\]]*\]", "["),  # an unrendered shortcode: [button link=...]
    _cue(r"^also on \S+\.\w{2,}\b"),  # a teaser from the same site: "Also on example.com ..."
    # a teaser link marked as a video, gallery... ("... [VIDEO]", "... (3:05)")
    _cue(
        r"\[(?:video|insight|pics?|photos?|reaction|watch|gallery|poll|listen|analysis|live)\]\W*$",
        "[",
    ),
    _cue(r"\(\d{1,2}:\d{2}\)\s*$", ":"),
])
_PUBLICATION_STAMP = re.compile(r"^(?:posted|published|updated|last updated)\s*(?:on|at|:)", re.I)
_TAGS_LABEL = re.compile(
    r"^(?:tags?|tagged|topics?|filed under|categories|keywords|related topics)\s*:?$", re.I
)
TAG_MAX_WORDS = 4  # a tag under its label is this short
# A promotion is furniture even when it reads like a sentence: a prompt to sign up for a
# newsletter or alerts, or to follow the site, anywhere in a line of at most this many words.
PROMOTION_MAX_WORDS = 60
_PROMOTION = re.compile(
    r"(?:^|[.!?]\s+)\W*(?:(?:sign up|subscribe|register|get|receive|join|download|never miss"
    r"|don.t miss|want|stay (?:up to date|informed|connected))\b[^.!?]{0,120}\b(?:newsletters?"
    r"|inbox|e-?mail alerts|news alerts|our app|podcast|forums?|letterbox|youtube channel)"
    r"|(?:follow|like|find)\b[^.!?]{0,80}\b(?:on|via) (?:twitter|facebook|instagram|linkedin"
    r"|youtube|social media)"
    r"|share (?:it|this(?: story| article| post)?) with (?:a|your) friends?)\b",
    re.IGNORECASE,
)
# Always furniture, even when the line reads like a sentence.
_LEGAL = Cues([
    _cue(r"^(?:copyright|©|\(c\))\s"),
    _cue(r"\ball rights reserved\b", "all rights reserved"),
    _cue(r"\bmay not be (?:re)?published, broadcast\b", "published, broadcast"),
    _cue(r"\bcookies?\b.*\b(?:we use|this (?:web)?site|accept|consent|privacy policy)\b", "cookie"),
    _cue(r"\bwe use cookies\b", "we use cookies"),
    _cue(r"^(?:privacy policy|terms of (?:use|service)|contact us|about us)\b"),
    # the comment form and the fine print under it
    _cue(
        r"\byour email address will not be published\b|\brequired fields are marked\b",
        "your email address", "required fields",
    ),
    _cue(
        r"\bsave my name, email\b|\b(?:log|sign) ?in to (?:post a )?comment\b",
        "save my name", "comment",
    ),
    _cue(r"\blogged in to (?:post|leave|add|write) a (?:comment|reply)\b", "logged in to"),
    _cue(r"\bcomments? (?:are|is) (?:subject to|moderated)\b", "comment"),
    _cue(r"\bour community (?:guidelines|standards)\b", "our community"),
    _cue(r"\bas you comment\b|\brespectful of other commenters\b", "as you comment", "commenters"),
    _cue(
        r"\bsubject to copyright\b|\bno part may be reproduced\b|\bprotected by recaptcha",
        "subject to copyright", "no part may be reproduced", "protected by recaptcha",
    ),
    _cue(
        r"\bby (?:signing up|subscribing|submitting|registering)\b.{0,80}\b(?:agree|consent)\b",
        "agree", "consent",
    ),
    _cue(
        r"\bmoderates? (?:all )?comments\b|\bcomments? (?:are|will be) (?:reviewed|moderated)\b",
        "comment",
    ),
    _cue(r"\bcomments?\b.{0,120}\bapproved by (?:a|the|our) moderator", "moderator"),
    _cue(r"\bcoment\w+\b.{0,120}\bmoderador", "moderador"),
    _cue(
        r"\brevoke (?:this|your) consent\b|\byour (?:personal )?data will (?:only )?be\b",
        "consent", "data will",
    ),
    # what a browser shows in place of a video or a slideshow
    _cue(
        r"\b(?:requires|enable) javascript\b|\bplayback is (?:not supported|unsupported)\b",
        "javascript", "playback is",
    ),
    _cue(r"\byour browser does not support\b", "your browser does not support"),
    # "Citation: ... retrieved 20 November 2019 from"
    _cue(r"\bretrieved \d{1,2} \w+ \d{4} from\b", "retrieved"),
])

_PICTURE_WORDS = ("photo", "image", "picture", "credit")
_PHOTO_CREDIT = Cues([
    _cue(r"\b(?:REUTERS|AFP|AP|EPA|ANSA|Getty Images|Bloomberg|XINHUA)\s*/\s*\w", "/"),
    _cue(r"\((?:AP|AFP|Reuters|EPA|Getty)(?: Photo)?[/ ]", "("),
    _cue(
        r"\bAP Photo\b|\bAFP via Getty\b|\bGetty Images\b|\bShutterstock\b",
        "ap photo", "afp via getty", "getty images", "shutterstock",
    ),
    _cue(r"^(?:photo|image|picture|photograph|illustration|credit|file photo)s?\s*(?::|by\b)"),
    _cue(r"\b(?:photo|image|picture|credit)s?\s*:\s*\S", *_PICTURE_WORDS),
    _cue(r"\bphoto(?:graph)?s? by\b|\((?:file )?photo\b", "photo"),
    # "...in MayCredit: Getty": a credit run on, told by its capital
    Cue(re.compile(r"[a-z.)](?:Credit|Photo|Image|Picture)s?:\s*\S"), _PICTURE_WORDS),
    _cue(
        r"/\s*(?:AP|AFP|Reuters|EPA|Getty Images|Shutterstock)(?:\s+(?:file|photo|images?))?\W*$",
        "/",
    ),
    _cue(r"\b(?:submitted|file|handout) photo\b", "photo"),
    # "2of4A shopper looks...": a slideshow's counter run on, told by the capital after it
    Cue(re.compile(r"^\d+\s*(?i:of)\s*\d+(?=[A-Z])"), ("of",)),
])
# A picture's credit on a line of its own: "(Image credit: NASA/JPL)", "Photo credit: Jane Doe".
_CREDIT_ONLY = re.compile(
    r"^\W*\((?:image|photo|picture)s?(?: credit)?\s*:[^)]*\)\W*$"
    r"|^\W*(?:(?:photo|image|picture) )?credits?\s*:",
    re.IGNORECASE,
)
_PLACE = r"[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}"  # "ST. JOSEPH", "SIOUX FALLS"
_DATELINE = re.compile(
    rf"^{_PLACE}(?:,(?: [A-Z][\w.'’-]*){{1,4}})?\s*(?:\([^()]{{1,40}}\))?\s*(?:[—–]|--?)\s+(?=\S)"
)
_DATELINE_ALONE = re.compile(rf"^{_PLACE}, {_PLACE}$")
HOVER_NAME_WORDS = 4  # the card repeats one of the name's last this many words ...
HOVER_NAME_CHARS = 60
HOVER_CARD_MAX_CHARS = 1000  # ... and closes with "MORE" within this many characters
_GLUED = re.compile(r"[a-z](?=[A-Z])")  # "OmarIlhan": a word run into the next
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*?(?=[A-Z\s]|$)")
_CARD_END = re.compile(r" MORE\b")
_TRAILING_PAREN = re.compile(r"\([^()]{2,60}\)\s*$")

_NAME = r"(?:[A-Z][\w'’.-]*|(?:de|da|van|von|der|al|el|bin|ibn|le|la|du|di)-?)"
_NAMES = rf"{_NAME}(?:\s+{_NAME}){{0,4}}"
# one token of lower-case letters and digits with an underscore, a digit or two hyphens in
# it (a phone number, "02-751-1500", has no letter; "e-mail" has one hyphen)
_IDENTIFIER = re.compile(r"^(?=.*(?:_|\d|-.*-))(?=.*[a-z])[a-z0-9]+(?:[-_][a-z0-9]+)+$")
_COMPANY_PROFILE = re.compile(
    rf"^(?P<name>{_NAMES}),? (?:is|are) (?:a|an|the) (?:[\w-]+ ){{0,4}}?"
    r"(?:provider|company|leader|firm|manufacturer|developer|supplier|maker|operator"
    r"|organi[sz]ation|group)s?\b"
)
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
# "Keith Bradsher contributed reporting from Hong Kong."
_CONTRIBUTED_BY_NAME = re.compile(
    rf"^(?P<names>{_NAMES}(?:\s*(?:,|and|&)\s*{_NAMES})*)\s+contributed\s+"
    r"(?:reporting|research|to this (?:report|story|article))\b.*$"
)
# "Tom Davies, Associated Press": a name and the agency it writes for (a one-word agency
# needs the comma: "Discover Thomson Reuters" is a menu item).
_STAFF_CREDIT = re.compile(rf"^(?P<names>{_NAMES})(?:,\s*|\s+(?=\w+\s))(?P<org>(?i:{_AGENCY}))$")
# "Natasha Turak @NatashaTurak": an author's name and her social-media handle, alone.
_HANDLE_CREDIT = re.compile(rf"^(?P<names>{_NAME}(?:\s+{_NAME}){{1,3}})\s*@\w{{2,}}$")
# A byline run on with its date, handle or site: "By Mike Wall 2019-11-18T20:51Z Science",
# "By Chris Doe@ChrisDoe Nov 18, 2019", "By Jane Doe smithsonian.com".
_BYLINE_START = re.compile(
    rf"^(?:[Bb]y|BY)\s+(?P<names>{_NAMES}(?:\s*(?:,|and|&)\s*{_NAMES})*)(?P<rest>\W.*)$"
)
BYLINE_DATE_WITHIN = 30  # a run-on byline's date starts within this many characters of its names
_BYLINE_TRAIL = re.compile(r"^\W*(?:@\w|\S*\w\.(?:com|org|net|co|news)\b)")
# Where a run-on byline's names end: "By Jane Doe On 11/13/19", "By Jane Doe Updated Nov 13".
_BYLINE_NAME_END = re.compile(
    rf"^(?:on|updated|published|posted|last|(?:{MONTHS})\.?|(?:mon|tue|wed|thu|fri|sat|sun)\w*)$",
    re.IGNORECASE,
)
_FIRST_SENTENCE = re.compile(r"^(?:[^.!?]|\b[A-Z]\.)+(?=[.!?])")
_AUTHOR_ROLES = ("reporting", "additional reporting", "writing", "written", "contributing")


def is_widget(line: str) -> bool:
    """Share bars, counters, font toggles: a few tokens that say nothing."""
    tokens = fold(line).split()
    if not tokens or is_identifier(line):
        return True
    if len(tokens) > WIDGET_MAX_TOKENS:
        return False
    if all(t.isdigit() for t in tokens) or all(len(t) <= 2 for t in tokens):
        return len(tokens) <= 3
    return all(t in WIDGET_WORDS or t.isdigit() for t in tokens)


def is_identifier(line: str) -> bool:
    """A name from the page's code standing alone ("narrow-browser-and-phone", "dp3_1_en"):
    lower-case letters and digits joined by '-' or '_', never a word of the text."""
    return bool(_IDENTIFIER.match(line.strip()))


def is_shouted_link(line: str) -> bool:
    """A headline-length line all in capitals that is no sentence ("SEAN SPICER ELIMINATED
    FROM 'DANCING WITH THE STARS'"): a link to another story set in the body. A subheading
    in capitals is shorter ("HOW TO USE A WATER BATH CANNER")."""
    text = line.strip()
    return (
        word_count(text) >= SHOUTED_LINK_MIN_WORDS
        and any(c.isupper() for c in text)
        and not any(c.islower() for c in text)
        and not ends_sentence(text)
    )


def is_footer(line: str) -> bool:
    """Share prompts, related-link headers, newsletter and legal lines."""
    lower = lowered(line)
    if _LEGAL.search(line, lower):
        return True
    if word_count(line) <= PROMOTION_MAX_WORDS and _PROMOTION.search(line):
        return True
    if word_count(line) > SHORT_LINE_WORDS or is_prose(line):
        return False
    text = line.strip()
    return _FOOTER.search(text, lower)


def is_tags_label(line: str) -> bool:
    """ "Tags:", "Filed under:" alone on its line, over the tags one a line."""
    return bool(_TAGS_LABEL.match(line.strip()))


def is_publication_stamp(line: str) -> bool:
    """ "Updated on: November 19, 2019 / 10:07 AM", "Published: Nov. 19, 2019": when the page
    says it was published."""
    return bool(_PUBLICATION_STAMP.match(line.strip()))


def is_dateline(line: str) -> bool:
    """A date or time standing alone ("Nov 19, 2019 at 9:12 am", "Updated 2 hours ago"); the
    signature of an embedded post ("— Jane Doe (@jdoe) May 2, 2019") is text."""
    text = line.strip()
    return is_date_line(text, count_words(text)) and not EMBED_SIGNATURE_RE.search(text)


def opens_with_dateline(line: str) -> bool:
    """A paragraph that opens with a news dateline ("DUBAI, United Arab Emirates — The...",
    "WASHINGTON (Reuters) - ..."), or a dateline on a line of its own ("BAAR, SWITZERLAND"):
    where a news report's first paragraph starts. A promotion in capitals is no dateline."""
    text = line.strip()
    if _DATELINE_ALONE.match(text):
        return True
    match = _DATELINE.match(text)
    return match is not None and not text[match.end() :].isupper() and is_prose(text)


def hover_cards(line: str) -> list[tuple[int, int]]:
    """Spans of the hover cards a page dump ran into a paragraph: a name, glued to its own
    card (the name again, headlines about the person) up to the card's closing 'MORE':
    "Rep. Ilhan OmarIlhan OmarProgressives oppose ... MORE (D-Minn.) said"."""
    spans: list[tuple[int, int]] = []
    for glue in _GLUED.finditer(line):
        start = glue.end()
        if spans and start < spans[-1][1]:
            continue
        first = _CAPITALISED.match(line, start)
        before = line[max(0, start - HOVER_NAME_CHARS) : start].split()
        end = _CARD_END.search(line, start, start + HOVER_CARD_MAX_CHARS)
        if first and end and first[0] in before[-HOVER_NAME_WORDS:]:
            spans.append((start, end.end()))
    return spans


def company_profile(line: str) -> str | None:
    """The company a press release's closing profile describes ("Ascom is a global
    solutions provider focused on ..."), else None."""
    match = _COMPANY_PROFILE.match(line.strip())
    return match["name"] if match and is_prose(line) else None


def is_agency_line(line: str) -> bool:
    return bool(_AGENCY_LINE.match(line))


def has_photo_credit(line: str) -> bool:
    if word_count(line) > CAPTION_MAX_WORDS:
        return False
    lower = lowered(line)
    return _PHOTO_CREDIT.search(line, lower)


def is_credit_only(line: str) -> bool:
    """A picture's credit standing alone under its caption: "(Image: © NASA/ESA)"."""
    return word_count(line) <= CREDIT_MAX_WORDS and bool(_CREDIT_ONLY.search(line))


def has_trailing_credit(line: str) -> bool:
    """`Part of the event (Turkish Embassy in Cairo)`: a caption's source in brackets."""
    return (
        word_count(line) <= CREDIT_MAX_WORDS
        and not is_prose(line)
        and bool(_TRAILING_PAREN.search(line))
    )


def parse_credit(line: str) -> tuple[tuple[str, ...], str | None] | None:
    """Authors and agency named by a byline or credit line; None if it is not one."""
    stripped = line.strip().rstrip(".")
    if word_count(stripped) > CREDIT_MAX_WORDS:
        return _bio_box(stripped)
    if (m := _BYLINE.match(stripped)) and not _BYLINE_NAME_END.match(m["names"].split()[0]):
        names = _names(m["names"])
        agencies = [n for n in names if _agency(n) == n]
        people = tuple(n for n in names if n not in agencies)
        return people, _agency(m["org"]) or (agencies[0] if agencies else None)
    if (m := _BIO.match(stripped)) and all(len(n.split()) >= 2 for n in _names(m["names"])):
        return _names(m["names"]), _agency(m["org"])
    if _TAGLINE.match(stripped):
        tagged: list[str] = []
        for role in _TAGLINE_ROLE.finditer(stripped):
            if role["role"].lower() in _AUTHOR_ROLES:
                tagged.extend(_names(role["names"]))
        return tuple(tagged), None
    if m := _CONTRIBUTED.match(stripped):
        return _names(m["names"]), _agency(m["org"])
    if m := _CONTRIBUTED_BY_NAME.match(stripped):
        return _names(m["names"]), None
    if m := _STAFF_CREDIT.match(stripped):
        return _names(m["names"]), _agency(m["org"])
    if m := _BYLINE_START.match(stripped):
        return _run_on_byline(m["names"], m["rest"])
    if m := _HANDLE_CREDIT.match(stripped):
        return _names(m["names"]), None
    return None


def _bio_box(text: str) -> tuple[tuple[str, ...], str | None] | None:
    """An author's bio opening with "Jane Doe is a freelance writer based in Oslo." """
    first = _FIRST_SENTENCE.match(text)
    if not first or word_count(first[0]) > CREDIT_MAX_WORDS or not (m := _BIO.match(first[0])):
        return None
    names = _names(m["names"])
    if not names or any(len(n.split()) < 2 or n.split()[0] == "The" for n in names):
        return None
    return names, _agency(m["org"])


def _run_on_byline(names: str, rest: str) -> tuple[tuple[str, ...], str | None] | None:
    """A byline followed by its date, handle or site, or None."""
    tokens = names.split()
    end = next((i for i, token in enumerate(tokens) if _BYLINE_NAME_END.match(token)), len(tokens))
    rest = " ".join(tokens[end:]) + rest
    people = _names(" ".join(tokens[:end]))
    if not people or any(len(name.split()) < 2 for name in people):
        return None
    dated = has_date_cue(rest[:BYLINE_DATE_WITHIN])
    return (people, _agency(rest)) if dated or _BYLINE_TRAIL.search(rest) else None


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
