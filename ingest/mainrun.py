"""Find the article body in a plain-text dump of a whole web page.

A page scraped to plain text holds the article between menus, share buttons, teasers,
footers and comments. `select_main_run` gives every line a verdict: None to keep it, or a
short reason for dropping it. Pure functions, no I/O.

How it decides:

1. Describe each line: its words (in scripts without spaces, characters stand in for
   words), whether it reads like prose (enough words, ends like a sentence), whether it is
   page boilerplate (a share widget, "Sign in", "Home | News | Sport", "Related: ...", a photo
   credit...), a heading that opens comments or teasers ("Related", "12 Comments"), or page
   furniture (a date alone, a byline, a copyright line, "Jane says:"; the signature under
   a post embedded in the article, "— Jane (@jane) May 2, 2019", is text).
2. A text without page chrome (fewer than `EVIDENCE_LINES` widget/navigation lines and no
   menu of `MENU_BLOCK_LINES` short lines) is already an article: every line is kept.
3. Otherwise score the lines (Finn et al.'s Body Text Extraction, with lines for tags):
   prose earns its words, other lines a fraction of theirs, every line pays `LINE_COST`,
   boilerplate and furniture pay more, and a line repeated elsewhere on the page counts as
   boilerplate. The main run is the span with the largest total (maximum subarray), searched
   before the comment section when an article-sized run precedes its heading.
4. Trim and extend the run's end: cut it at a teasers heading or a block of menu-like lines
   when what follows reads like teasers (little prose, dates and bylines) and the article
   does not resume with consecutive paragraphs; extend it over a list right after it (tour
   dates, ingredients) up to the next boilerplate or furniture line.
5. Drop everything outside the run, and boilerplate anywhere; inside the run, short lines
   (subheadings, list items, one-sentence quotes, datelines) stay.

`boilerplate_verdicts` applies only the per-line boilerplate rules, for text that an HTML
extractor already narrowed down to the article.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.lines import LINE_CACHE_SIZE, Cue, lowered, word_count

# --- line scoring -----------------------------------------------------------------------------

LINE_COST = 5.0  # every line pays this; a paragraph earns it back with its words
PROSE_WORD_GAIN = 1.0  # per word of a line that reads like prose
OTHER_WORD_GAIN = 0.3  # per word of a line that does not (titles, labels, menu items)
PROSE_MIN_WORDS = 6  # fewer words than this never count as prose
BOILERPLATE_COST = 12.0  # cost of a boilerplate line, a section heading or a repeated line
FURNITURE_COST = 8.0  # cost of a furniture line (a date alone, a byline, "X says:")
CJK_CHARS_PER_WORD = 2  # in scripts without spaces this many characters count as one word
REPEAT_MIN_CHARS = 12  # a line this long seen twice on a page is navigation or a teaser

# --- is this a page dump at all? --------------------------------------------------------------

EVIDENCE_LINES = 2  # this many widget or navigation lines make a text a page dump ...
MENU_BLOCK_LINES = 10  # ... and so do this many menu-like lines in a row
MENU_LINE_MAX_WORDS = 3  # a menu item has at most this many words (and no digits)

# --- the end of the run -----------------------------------------------------------------------

ARTICLE_MIN_SCORE = 25.0  # a run scoring this much is an article: comments/teasers may follow
TAG_BLOCK_LINES = 5  # this many menu-like lines in a row inside the run may open teasers
TEASER_MAX_PROSE_SHARE = 0.5  # what follows reads like teasers with less prose than this ...
TEASER_MIN_FURNITURE = 2  # ... or with this many dates and bylines
RESUME_SENTENCE_LINES = 3  # this many sentence lines in a row after a box: the article goes on ...
RESUME_WITHIN_LINES = 30  # ... when they start within this many lines of text after it
RESUME_PARAGRAPH_WORDS = 30  # one paragraph this long right after a box: the article goes on too
RESUME_PARAGRAPH_WITHIN = 5  # (within this many lines of text of the heading)
SIGNUP_LABEL_MAX_WORDS = 8  # a sign-up prompt over a line this short opens a sign-up box
LIST_MIN_ITEMS = 6  # a block of this many lines right after the run is a list to keep
LEAD_IN_MIN_LINES = 10  # a menu of teasers the run took in before the article: this many lines,
LEAD_IN_MENU_SHARE = 0.3  # this share of them menu-like

# --- boxes of teaser links --------------------------------------------------------------------

BOX_MIN_LINKS = 2  # a teasers heading over this many headlines is a box of links ...
BOX_LINK_MIN_WORDS = 3  # ... each of this many words ...
BOX_LINK_MAX_WORDS = 20  # ... to this many, not ending in a full stop
BOX_LABEL_WORDS = 3  # a label of this many words and a colon heads a box too ("More:")

# --- tables dumped one cell a line ------------------------------------------------------------

TABLE_MIN_ROWS = 3  # a table repeats its row's shape of cells at least this many times ...
TABLE_MAX_COLUMNS = 12  # ... a row has 2 to this many cells ...
TABLE_MIN_NUMBER_COLUMNS = 2  # ... of which this many hold a number alone, and one some text
TABLE_CELL_MAX_WORDS = 20  # a longer line is not a cell
TABLE_HEADER_ROWS = 2  # header rows above the first row (a header printed twice) ...
TABLE_HEADER_MAX_WORDS = 4  # ... of short labels

TOKEN_RE = re.compile(r"\w+")
CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
# Full stops of several scripts (\u3002, \uff01, \uff1f: the CJK ones), then closing quotes.
NUMBER_CELL_RE = re.compile(r"^[^\w]*\d[\d\s.,:/%+\-–$€£¥]*$")
SENTENCE_END_RE = re.compile("[.!?…\u3002\uff01\uff1f:;][\"'”’»)\\]]*$")


def _whole_line(*alternatives: str) -> Cue:
    """A line that is just one of the alternatives, give or take counts and punctuation."""
    return Cue(re.compile(rf"^[\W\d_]*(?:{'|'.join(alternatives)})[\W\d_]*$", re.IGNORECASE))


SOCIAL = r"facebook|twitter|linkedin|pinterest|whatsapp|reddit|flipboard|pocket|e-?mail|print"
BOILERPLATE_PATTERNS: tuple[tuple[str, Cue], ...] = (
    # "Home | News | Sport", "Home » World » Europe" (\u203a: the single angle quote)
    (
        "navigation",
        Cue(re.compile("^(?:[^|•»\u203a]{1,40}[|•»\u203a]\\s*){2,}[^|•»\u203a]{0,40}$")),
    ),
    (
        "share widget",
        _whole_line(
            rf"share(?: this(?: article| story| post| page)?| on \w+| it)?|tweet|{SOCIAL}",
            rf"(?!.*[.!?]\W*$)(?:{SOCIAL}|share|tweet)(?:\W+\w+){{1,5}}",
            r"compartilh\w*|compartir|partager|teilen|condividi",
            r"click to (?:share|email|print)\b.*|sharing is caring|\d+ shares",
        ),
    ),
    (
        "account link",
        _whole_line(r"sign ?in|sign ?up|log ?in|log ?out|register|subscribe(?: now)?|my account"),
    ),
    (
        "advertising",
        _whole_line(
            r"advert|advertisement|advertising|sponsored(?: \w+)?|anzeige",
            r"スポンサー(?:ド)?リンク|広告|广告|광고",
        ),
    ),
    (
        "navigation",
        _whole_line(
            r"menu|search|home|close|skip to (?:main )?content|back to top|top of page",
            r"privacy policy|cookie policy|terms (?:of use|of service|and conditions)|contact us",
            r"about us|advertise|sitemap|loading|post navigation|back to gallery",
            r"read more|more|load more|show more|see more|next|previous",
            r"(?:next|previous|prev) (?:post|article|story|page)",
            r"(?:image|photo|slide)?\s*\d+ (?:of|/) \d+",
        ),
    ),
    (
        "teaser link",
        Cue(
            re.compile(
                r"^\W*(?:related(?: \w+)?|read more|read also|also read|see also|see more|more|also"
                r"|also on \S+|watch|listen|recommended|on \S+\.com|leia (?:também|mais)|lire aussi"
                r"|mehr zum thema|lee también)\s*:",
                re.IGNORECASE,
            )
        ),
    ),
    (
        "tags",
        Cue(
            re.compile(
                r"^\W*(?:tags?|tagged|filed under|categories|topics|タグ|标签|標籤|태그)\s*:?\s",
                re.I,
            )
        ),
    ),
    (
        "photo credit",
        Cue(
            re.compile(
                r"^\W*(?:image|photo|picture|media|foto)s?\s*(?:copyright|caption|credit)"
                r"|^\W*(?:photo|image|picture|foto|credit)s?\s*(?:by|:)"
                r"|\((?:image|photo|picture|credit|foto)s?\b[^)]*\)\W*$",
                re.IGNORECASE,
            )
        ),
    ),
    (
        "photo credit",
        Cue(
            re.compile(
                r"\b(?:getty images?|shutterstock|istock(?:photo)?|ap photo)\W*$", re.IGNORECASE
            ),
            ("getty", "shutterstock", "istock", "ap photo"),
        ),
    ),
    (
        "promotion",
        Cue(
            re.compile(
                r"^(?=.{0,200}$)\W*(?:follow|subscribe|sign up|join|get|download|like|stay"
                r"|never miss|want|click|tap|receive)\b.*\b(?:newsletters?|inbox|twitter|facebook"
                r"|instagram|youtube|linkedin|app|podcast|updates|e-?mails?|alerts)\b",
                re.IGNORECASE,
            )
        ),
    ),
)
# Boilerplate only a web page has: an article may quote a promotion or credit, not a menu.
PAGE_CHROME = frozenset({"navigation", "share widget", "account link", "advertising"})
# Lines an HTML extractor keeps often belong to the article ("Follow him on Twitter").
KEPT_IN_EXTRACTS = frozenset({"promotion"})

HEADING_PATTERNS: tuple[tuple[str, Cue], ...] = (
    (
        "comments heading",
        _whole_line(
            r"comments?|responses?|replies|reply|leave a (?:comment|reply).*|comments are closed",
            r"(?:view|show|load|top rated|all|latest|newest|oldest|reader) comments",
            r"join the (?:discussion|conversation)|(?:add|post|write) a comment",
            r"comentários|comentarios|commentaires|kommentare|commenti",
            r"\d+ (?:comments?|responses?|replies|reactions|thoughts) (?:on|to|for) .*",
        ),
    ),
    (
        "teasers heading",
        _whole_line(
            r"related(?: articles| stories| posts| content| coverage| news| links)?",
            r"(?:more|latest|top)(?: \w+){0,2} (?:stories|news|articles|headlines|videos|reads)"
            r"(?: .{1,30})?",
            r"more from .{1,40}|more in .{1,40}|more on .{1,40}|read these next|read next",
            r"most (?:read|popular|viewed|shared)(?: .{1,30})?|explore further",
            r"you (?:may|might) (?:also )?like|recommended(?: for you)?",
            r"trending(?: now| news| stories| articles| topics)?",
            r"popular(?: .{1,30})?|also read|see also|don't miss|don’t miss|what to read next",
            r"você (?:pode|também pode) gostar|leia (?:também|mais)|te puede interesar",
            r"à lire aussi|lire aussi|das könnte sie auch interessieren|mehr zum thema",
            r"next up(?: in .{1,40})?|elsewhere on .{1,40}|we recommend",
            # the same headings in Japanese, Chinese and Korean
            r"関連(?:する)?記事|関連エントリー?|おすすめ記事|人気記事|こちらの記事も.{0,20}",
            r"相[关關](?:文章|阅读|閱讀|新闻|新聞)|推荐阅读|推薦閱讀|관련\s?기사|추천\s?기사|인기\s?기사",
        ),
    ),
)
# Headings that certainly open a comment section (a bare "Comments" may be a share button).
COMMENTS_START_RE = re.compile(
    r"^\W*(?:\d+\s+(?:comments?|responses?|replies|reactions|thoughts)\b.*"
    r"|(?:top rated|latest|newest|oldest|reader|all \d+) comments"
    r"|leave a (?:comment|reply)(?: cancel reply)?|comments are closed"
    r"|join the (?:discussion|conversation)"
    r"|(?:post|add|write) a comment|\d+ (?:kommentare?|comentários?|commentaires?|commenti))\W*$",
    re.IGNORECASE,
)

MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july"
    "|august|september|october|november|december|janeiro|fevereiro|março|abril|maio|junho|julho"
    "|agosto|setembro|outubro|novembro|dezembro|enero|febrero|marzo|mayo|junio|julio|septiembre"
    "|octubre|noviembre|diciembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre"
    "|octobre|novembre|décembre|januar|februar|märz|juni|juli|oktober|dezember|gennaio|febbraio"
    "|aprile|maggio|giugno|luglio|settembre|ottobre"
)
# What makes a line look dated (`has_date_cue`): one of these words, in any case...
DATE_CUE_WORDS = frozenset(MONTHS.split("|")) | {"ago", "yesterday", "today"}
# ...or digits as in 19/11/2019 or 9:12 (\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4} or \d{1,2}:\d{2}
# somewhere, written to open with one digit, which `re` scans for fast).
DATE_DIGITS_RE = re.compile(r"\d(?:[/.-]\d{1,2}[/.-]|:\d)\d")
# The words of a date, matched in the `lowered` line: what IGNORECASE would find in the
# line, three times as fast.
LOWERED_DATE_WORD_RE = re.compile(
    rf"\b(?=\w)(?:\d{{1,4}}(?:[/.:-]\d{{1,4}})*|(?:{MONTHS})\.?|[ap]\.?m|gmt|utc|[a-z]st|[a-z]dt"
    r"|at|de|às|um|on|updated|published|posted|ago|days?|hours?|minutes?|mins?|weeks?|months?"
    r"|years?|yesterday|today)\b"
)
DATE_LINE_OTHER_WORDS = 2  # a "date alone" line may hold this many other words (a weekday)
# "— Jane Doe (@jdoe) November 19, 2019": the signature under a social-media post embedded in
# an article. It is article text, and the same account's signature may stand twice.
EMBED_SIGNATURE_RE = re.compile(r"^\W*.{0,80}\(@\w+\)\s*(?:\w+\.?\s+\d{1,2},\s+\d{4})?\W*$")
COPYRIGHT_RE = re.compile(r"^\W*(?:©|\(c\)|copyright\b)|all rights reserved", re.IGNORECASE)
COMMENT_META_RE = re.compile(r"^.{1,60}\b(?:says|said|wrote|replied):?$", re.IGNORECASE)
BYLINE_RE = re.compile(r"^(?:by|por|par|von|di|written by)\s+\S.{0,60}$", re.IGNORECASE)


@dataclass(frozen=True)
class LineInfo:
    """What `select_main_run` needs to know about one line."""

    words: int
    prose: bool  # enough words and ends like a sentence
    digits: bool
    sentence: bool = False  # ends like a sentence, however short
    boilerplate: str | None = None  # a widget, promo, credit...: dropped wherever it stands
    heading: str | None = None  # a heading that opens comments or teasers: dropped too
    furniture: str | None = None  # a date alone, a byline...: dropped outside the run
    opens_comments: bool = False  # certainly the start of a comment section


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def count_words(line: str) -> int:
    """Words of a line; in scripts written without spaces, characters stand in for words."""
    tokens = word_count(line)  # the same \w+ runs, cached with the other rules' counts
    if line.isascii():  # no character of a script written without spaces
        return tokens
    return max(tokens, len(CJK_RE.findall(line)) // CJK_CHARS_PER_WORD)


def has_date_cue(text: str) -> bool:
    """A month or "ago", "yesterday", "today" as a word, or the digits of a date or a
    time. The words are looked up, not searched for: `re` searches a line slowly for
    words in any case."""
    if DATE_DIGITS_RE.search(text):
        return True
    return not DATE_CUE_WORDS.isdisjoint(TOKEN_RE.findall(lowered(text)))


def _first_match(text: str, lower: str, patterns: Sequence[tuple[str, Cue]]) -> str | None:
    return next((name for name, cue in patterns if cue.search(text, lower)), None)


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def is_date_line(text: str, words: int) -> bool:
    """A date or time standing alone ("Nov 19, 2019 at 9:12 am", "2 days ago"); a bare
    number is not one."""
    if not has_date_cue(text):
        return False
    return words - len(LOWERED_DATE_WORD_RE.findall(lowered(text))) <= DATE_LINE_OTHER_WORDS


def furniture_label(text: str, words: int) -> str | None:
    """'date', 'copyright', 'comment header' or 'byline' for page furniture, else None."""
    if EMBED_SIGNATURE_RE.search(text):
        return None  # the signature of a post quoted in the article, not the page's date
    if is_date_line(text, words):
        return "date"
    if COPYRIGHT_RE.search(text):
        return "copyright"
    if COMMENT_META_RE.search(text):
        return "comment header"
    if BYLINE_RE.search(text):
        return "byline"
    return None


@functools.lru_cache(maxsize=LINE_CACHE_SIZE)
def describe(line: str) -> LineInfo:
    """The features of one line (`LineInfo`, immutable: one instance serves every caller)."""
    text = line.strip()
    words = count_words(text)
    sentence = words > 0 and SENTENCE_END_RE.search(text) is not None
    prose = sentence and words >= PROSE_MIN_WORDS
    digits = any(map(str.isdigit, text))
    if not text:
        return LineInfo(words, prose, digits, sentence)
    lower = lowered(text)
    boilerplate = _first_match(text, lower, BOILERPLATE_PATTERNS)
    heading = None if boilerplate else _first_match(text, lower, HEADING_PATTERNS)
    furniture = None if boilerplate or heading else furniture_label(text, words)
    opens_comments = bool(COMMENTS_START_RE.search(text)) or furniture == "comment header"
    return LineInfo(words, prose, digits, sentence, boilerplate, heading, furniture, opens_comments)


def is_menu_line(info: LineInfo) -> bool:
    return 0 < info.words <= MENU_LINE_MAX_WORDS and not info.prose and not info.digits


def looks_like_page(infos: Sequence[LineInfo]) -> bool:
    """Whether the text carries page chrome at all: a clean article does not."""
    chrome = sum(1 for info in infos if info.heading or info.boilerplate in PAGE_CHROME)
    if chrome >= EVIDENCE_LINES:
        return True
    menu = 0
    for info in infos:
        if info.words:
            menu = menu + 1 if is_menu_line(info) else 0
            if menu >= MENU_BLOCK_LINES:
                return True
    return False


def is_page_dump(lines: Sequence[str]) -> bool:
    """Whether a text is a scrape of a whole page (menus, share bars), not just articles."""
    return looks_like_page([describe(line) for line in lines])


def repeated_lines(lines: Sequence[str]) -> list[bool]:
    """Lines whose text occurs more than once (menus and teasers shown twice on a page)."""
    keys = [" ".join(line.split()).casefold() for line in lines]
    counts = Counter(key for key in keys if len(key) >= REPEAT_MIN_CHARS)
    return [counts[key] > 1 and not EMBED_SIGNATURE_RE.search(key) for key in keys]


def line_score(info: LineInfo, repeated: bool = False) -> float:
    if info.boilerplate or info.heading or repeated:
        return -BOILERPLATE_COST
    if info.words == 0:
        return 0.0
    if info.furniture:
        return -FURNITURE_COST
    return info.words * (PROSE_WORD_GAIN if info.prose else OTHER_WORD_GAIN) - LINE_COST


# --- the run ----------------------------------------------------------------------------------


def max_run(scores: Sequence[float]) -> tuple[int, int]:
    """[start, stop) of the span with the largest total (Kadane); (0, 0) when none is > 0."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, score in enumerate(scores):
        if total <= 0:
            total, start = 0.0, i
        total += score
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


def comments_start(infos: Sequence[LineInfo], scores: Sequence[float]) -> int:
    """Index of the first comment-section heading after an article-sized run, else len."""
    best = total = 0.0
    for i, (info, score) in enumerate(zip(infos, scores, strict=True)):
        if info.opens_comments and best >= ARTICLE_MIN_SCORE:
            return i
        total = max(0.0, total + score)
        best = max(best, total)
    return len(infos)


def section_breaks(
    infos: Sequence[LineInfo], start: int, stop: int, table: Sequence[bool]
) -> list[int]:
    """Where a new section may begin inside the run: a comments or teasers heading, or the
    first line of a block of menu-like lines (tags, section names; a table's labels are not)."""
    breaks = []
    menu = 0
    for i in range(start, stop):
        if infos[i].heading or _opens_signup_box(infos, i):
            breaks.append(i)
        if infos[i].words:
            menu = menu + 1 if is_menu_line(infos[i]) and not table[i] else 0
            if menu == TAG_BLOCK_LINES:
                breaks.append(i - menu + 1)
    return sorted(set(breaks))


def _opens_signup_box(infos: Sequence[LineInfo], i: int) -> bool:
    """A prompt to sign up over the form's short labels and buttons ("Subscribe", "No thanks"),
    not over a paragraph of the article."""
    if infos[i].boilerplate != "promotion":
        return False
    after = next((info for info in infos[i + 1 :] if info.words), None)
    return after is not None and after.words < SIGNUP_LABEL_MAX_WORDS


def reads_like_teasers(infos: Sequence[LineInfo]) -> bool:
    """Teaser lists and comment threads: little prose, broken up by dates and bylines."""
    text_lines = [info for info in infos if info.words]
    if not text_lines:
        return True
    prose_share = sum(info.prose for info in text_lines) / len(text_lines)
    furniture = sum(1 for info in text_lines if info.furniture in {"date", "byline"})
    return prose_share < TEASER_MAX_PROSE_SHARE or furniture >= TEASER_MIN_FURNITURE


def resumes_article(infos: Sequence[LineInfo]) -> bool:
    """Whether consecutive paragraphs of sentences start soon (widgets between them do not
    count), or one long paragraph follows a few links with no date or byline among them: an
    article goes on after an inline box of links, a teaser list does not."""
    text_lines = [info for info in infos if info.words and not info.boilerplate]
    stretch = 0
    dated = False  # a teaser's summary stands under its date or byline
    for seen, info in enumerate(text_lines):
        dated = dated or info.furniture is not None
        long = info.prose and info.words >= RESUME_PARAGRAPH_WORDS
        if long and not dated and seen < RESUME_PARAGRAPH_WITHIN:
            return True
        stretch = stretch + 1 if info.sentence and not info.furniture else 0
        if stretch >= RESUME_SENTENCE_LINES:
            return True
        if stretch == 0 and seen >= RESUME_WITHIN_LINES:
            return False
    return False


def trim_teasers(
    infos: Sequence[LineInfo],
    scores: Sequence[float],
    span: tuple[int, int],
    table: Sequence[bool],
) -> int:
    """The run's new end: the first section break after an article-sized part where the rest
    reads like teasers (or is a sign-up box) and the article does not resume."""
    start, stop = span
    for cut in section_breaks(infos, start, stop, table):
        rest = infos[cut:stop]
        if (
            sum(scores[start:cut]) >= ARTICLE_MIN_SCORE
            and (_opens_signup_box(infos, cut) or reads_like_teasers(rest))
            and not resumes_article(rest)
        ):
            return cut
    return stop


def trim_lead_in(
    lines: Sequence[str],
    infos: Sequence[LineInfo],
    scores: Sequence[float],
    span: tuple[int, int],
    table: Sequence[bool],
) -> int:
    """The run's new start: past a menu of teasers the run took in before the article (section
    names and headlines with their summaries), at the last section break or article header
    (a date or a byline) with at least `LEAD_IN_MIN_LINES` lines before it, a share of
    `LEAD_IN_MENU_SHARE` of them menu-like, and an article-sized part after it that does not
    read like teasers and holds paragraphs in a row."""
    start, stop = span
    headers = [i + 1 for i in range(start, stop) if infos[i].furniture in {"date", "byline"}]
    for cut in sorted({*section_breaks(infos, start, stop, table), *headers}, reverse=True):
        before = [
            info
            for info, cell in zip(infos[start:cut], table[start:cut], strict=True)
            if info.words and not cell
        ]
        menus = sum(1 for info in before if is_menu_line(info))
        if (
            len(before) >= LEAD_IN_MIN_LINES
            and menus >= LEAD_IN_MENU_SHARE * len(before)
            and sum(scores[cut:stop]) >= ARTICLE_MIN_SCORE
            and not reads_like_teasers(infos[cut:stop])
            and _paragraphs_in_a_row(lines[cut:stop], infos[cut:stop])
        ):
            return cut
    return start


def _paragraphs_in_a_row(lines: Sequence[str], infos: Sequence[LineInfo]) -> bool:
    """Whether `RESUME_SENTENCE_LINES` paragraphs of prose follow one another (boilerplate
    between them does not count): an article's, not a teaser list's with its headlines and
    summaries cut short ("...")."""
    stretch = 0
    for line, info in zip(lines, infos, strict=True):
        if info.words and not info.boilerplate:
            whole = info.prose and not line.rstrip().endswith(("...", "…"))
            stretch = stretch + 1 if whole else 0
            if stretch >= RESUME_SENTENCE_LINES:
                return True
    return False


def extend_over_list(infos: Sequence[LineInfo], stop: int, end: int) -> int:
    """The run's new end: past the block right after it when the block is a list of items
    (no boilerplate, furniture or menu-like lines), else unchanged."""
    block_end = stop
    while block_end < end:
        info = infos[block_end]
        if info.boilerplate or info.heading or info.furniture or is_menu_line(info):
            break
        block_end += 1
    items = sum(1 for info in infos[stop:block_end] if info.words)
    return block_end if items >= LIST_MIN_ITEMS else stop


def longest_list(infos: Sequence[LineInfo], repeated: Sequence[bool], end: int) -> tuple[int, int]:
    """[start, stop) of the longest list of items before `end` (as `extend_over_list` reads
    one; a line repeated on the page is no item), or (0, 0) when there is none of
    `LIST_MIN_ITEMS` items that are not paragraphs."""
    best, start = (0, 0), 0
    for i in range(end + 1):
        info = infos[i] if i < end else None
        if (
            info is None
            or repeated[i]
            or info.boilerplate
            or info.heading
            or info.furniture
            or is_menu_line(info)
        ):
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = i + 1
    items = sum(1 for info in infos[best[0] : best[1]] if info.words and not info.prose)
    return best if items >= LIST_MIN_ITEMS else (0, 0)


def _cell_shape(line: str) -> str:
    """'n' for a cell holding a number alone ("5040", "85%", "$139.00"), 't' for text, '' for a
    line too long to be a cell."""
    text = line.strip()
    if not text or count_words(text) > TABLE_CELL_MAX_WORDS:
        return ""
    return "n" if NUMBER_CELL_RE.match(text) else "t"


def table_lines(lines: Sequence[str]) -> list[bool]:
    """Lines that are the cells of a table dumped one cell a line.

    A table shows itself by its rows: the same sequence of number and text cells, repeated
    (standings, results, statistics). The header row above the first row is part of it.
    Share counters ("Facebook", "12", "Twitter", "5") repeat with one number per period,
    page numbers with no text: neither is a table.
    """
    shapes = [_cell_shape(line) for line in lines]
    n = len(shapes)
    if not any(a and b for a, b in itertools.pairwise(shapes)):
        return [False] * n  # a row holds two cells or more, one a line
    # same[p][j]: how many lines from j on repeat the shape of the line p above them
    same: dict[int, list[int]] = {}
    for p in range(2, TABLE_MAX_COLUMNS + 1):
        run = [0] * (n + 1)
        for j in range(n - 1, p - 1, -1):
            run[j] = run[j + 1] + 1 if shapes[j] and shapes[j] == shapes[j - p] else 0
        same[p] = run
    labels = [_is_label(line) for line in lines]
    out = [False] * n
    i = 0
    while i < n:
        block = _table_at(shapes, same, labels, i)
        if block is None:
            i += 1
            continue
        period, stop = block
        header = i
        while header > max(0, i - TABLE_HEADER_ROWS * period) and labels[header - 1]:
            header -= 1
        out[header:stop] = [True] * (stop - header)
        i = stop
    return out


def _table_at(
    shapes: Sequence[str], same: dict[int, list[int]], labels: Sequence[bool], i: int
) -> tuple[int, int] | None:
    """(period, end) of a table whose first row starts at line i, else None. A header row of
    as many labels as the row has cells counts as one of its rows."""
    for p in range(2, TABLE_MAX_COLUMNS + 1):
        if i + p >= len(shapes) or not all(shapes[i : i + p]):
            return None
        length = p + same[p][i + p]
        header = i >= p and all(labels[i - p : i])
        if length >= (TABLE_MIN_ROWS - header) * p:
            row = shapes[i : i + p]
            numbers = row.count("n")
            if numbers < TABLE_MIN_NUMBER_COLUMNS or numbers == p:
                return None
            return p, i + length
    return None


def _is_label(line: str) -> bool:
    """A column's label: a few words that are not a sentence ("Pos." is an abbreviation)."""
    words = count_words(line)
    sentence = SENTENCE_END_RE.search(line.strip()) is not None
    short = words <= TABLE_HEADER_MAX_WORDS
    return _cell_shape(line) == "t" and short and (words == 1 or not sentence)


def _is_link(text: str, info: LineInfo) -> bool:
    """A teaser's headline: a few words, not a sentence ending in a full stop (nor a line
    leading in to what follows, "Here are the highlights:"); a headline cut short with an
    ellipsis is one."""
    end = text.rstrip("\"'”’»)]")
    full_stop = end.endswith((".", ":")) and not end.endswith("...")
    return BOX_LINK_MIN_WORDS <= info.words <= BOX_LINK_MAX_WORDS and not full_stop


def teaser_boxes(lines: Sequence[str], infos: Sequence[LineInfo]) -> list[bool]:
    """Lines of boxes of teaser links: a teasers heading ("Related", "Trending News", "More:")
    and the headlines right under it (with their dates and kickers), up to the next paragraph
    or heading."""
    out = [False] * len(lines)
    links = [_is_link(line.strip(), info) for line, info in zip(lines, infos, strict=True)]
    kickers = [False] * (len(lines) + 1)
    for j in range(len(lines) - 1, -1, -1):  # "TIME TRAVELLER" over a headline
        short = infos[j].words < BOX_LINK_MIN_WORDS and not infos[j].sentence
        above = j + 1 < len(lines) and (links[j + 1] or kickers[j + 1])
        kickers[j] = short and (lines[j].isupper() or above)
    for i, info in enumerate(infos):
        label = info.boilerplate in {"navigation", "teaser link"} and lines[i].rstrip().endswith(
            ":"
        )
        if info.heading != "teasers heading" and not (label and info.words <= BOX_LABEL_WORDS):
            continue
        j, count = i + 1, 0
        while j < len(lines) and not infos[j].heading:
            text, line = lines[j].strip(), infos[j]
            if line.furniture or line.boilerplate or kickers[j] or not text:
                j += 1
            elif links[j]:
                count += 1
                j += 1
            else:
                break
        if count >= BOX_MIN_LINKS:
            out[i:j] = [True] * (j - i)
    return out


def extend_over_tables(table: Sequence[bool], start: int, stop: int, end: int) -> tuple[int, int]:
    """The run's new bounds: over a table that ends right before it or starts right after it."""
    while start > 0 and table[start - 1]:
        start -= 1
    while stop < end and table[stop]:
        stop += 1
    return start, stop


def select_main_run(
    lines: Sequence[str], table: Sequence[bool] | None = None
) -> list[str | None]:
    """For each line of a text: None to keep it, or a short reason for dropping it.

    Lines may be empty (paragraph separators). A text without page chrome is kept whole,
    but for boxes of teaser links under their heading (`teaser_boxes`). `table` is
    `table_lines(lines)`, when the caller has it.
    """
    infos = [describe(line) for line in lines]
    boxes = teaser_boxes(lines, infos)
    if not looks_like_page(infos):
        return ["teaser box" if box else None for box in boxes]
    repeated = repeated_lines(lines)
    table = table_lines(lines) if table is None else table
    scores = [
        0.0 if cell else line_score(info, again)
        for info, again, cell in zip(infos, repeated, table, strict=True)
    ]
    end = comments_start(infos, scores)
    start, stop = max_run(scores[:end])
    if sum(scores[start:stop]) < ARTICLE_MIN_SCORE:  # no article in prose: a list may be one
        listed = longest_list(infos, repeated, end)
        start, stop = listed if listed[1] else (start, stop)
    if stop == 0:
        return [info.boilerplate or info.heading or "no main text" for info in infos]
    trimmed = trim_teasers(infos, scores, (start, stop), table)
    stop = extend_over_list(infos, stop, end) if trimmed == stop else trimmed
    start = trim_lead_in(lines, infos, scores, (start, stop), table)
    start, stop = extend_over_tables(table, start, stop, end)
    return [
        "teaser box" if box and start <= i < stop else _verdict(i, info, start, stop, end)
        for i, (info, box) in enumerate(zip(infos, boxes, strict=True))
    ]


def _verdict(i: int, info: LineInfo, start: int, stop: int, end: int) -> str | None:
    if info.boilerplate or info.heading:
        return info.boilerplate or info.heading
    if i < start:
        return "before main text"
    if i >= end:
        return "comment section"
    if i >= stop:
        return "after main text"
    return None


def boilerplate_verdicts(lines: Sequence[str]) -> list[str | None]:
    """For each line: None, or why it is page boilerplate wherever it stands.

    Only the per-line rules, for text an HTML extractor already cut down to the article;
    promotions ("Follow him on Twitter") are kept there.
    """
    verdicts: list[str | None] = []
    for line in lines:
        info = describe(line)
        label = info.boilerplate or info.heading
        verdicts.append(None if label is None or label in KEPT_IN_EXTRACTS else label)
    return verdicts
