"""Read a source file's bytes and turn them into clean Unicode text.

Three steps, each usable on its own:

- `read_source`: the bytes of a file, gunzipped when needed, never more than a limit.
- `decode_text`: bytes -> str (BOM, else strict UTF-8, else a declared or detected
  legacy encoding); rejects binary and empty content. It does not change the text.
- `normalize_text`: repairs mojibake and evens out characters (line ends, spaces,
  invisible and control characters, NFC). Meant for content, not for containers:
  run it on a JSON string value or extracted article text, not on the raw JSON
  Lines or HTML, since it turns U+2028 into a line break and would split a JSON
  line in two.

HTML entities: `normalize_text` leaves "&amp;" alone, because unescaping is not
idempotent ("&amp;amp;" -> "&amp;" -> "&") and would turn "&lt;p&gt;" in an HTML
source into a real tag. Scraped plain text and JSON fields often do carry
entities, so `unescape_entities` is a separate step that the parsers run exactly
once, before `normalize_text`.
"""

from __future__ import annotations

import codecs
import gzip
import html
import os
import re
import unicodedata
import zlib

import charset_normalizer
import ftfy

from ingest.errors import IngestError
from ingest.records import SourceFile

READ_CHUNK_BYTES = 1 << 16
# A share of control characters above this (once decoded) means the bytes are
# not text. Real text has next to none; 5% leaves room for stray form feeds.
MAX_CONTROL_SHARE = 0.05
# A <meta charset> or XML declaration is looked for in this many leading bytes.
DECLARATION_WINDOW_BYTES = 4096
# charset-normalizer often ranks cp1250 or cp1257 first for short Western text
# ("très" -> "trčs"). A cp1252 reading is preferred when its "chaos" is at most
# this much above the best guess and its language coherence is at least as good.
CP1252_CHAOS_TOLERANCE = 0.1
# normalize_text runs ftfy on a line again only when its own rules changed ftfy's
# output (rare but for lines with no-break or trailing spaces); this bounds the
# repeats for adversarial input.
MAX_NORMALIZE_PASSES = 4

# ftfy's defaults, minus the steps that change meaningful text: entities are
# unescaped separately (see above), curly quotes stay curly, and full-width
# punctuation stays full-width (it is normal in Chinese and Japanese text).
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels that browsers read as windows-1252 (WHATWG Encoding Standard).
_CP1252_LABELS = frozenset({"latin_1", "iso8859_1", "ascii", "cp1252"})
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_.:-]+)""",
    re.IGNORECASE,
)

_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x0b\x0c]")
_ODD_SPACES = "\u00a0\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
# Invisible characters that only get in the way of matching text: zero-width
# space/joiners, word joiner, BOM, and the soft hyphen (which splits words).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_C0_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F))
_C1_CONTROLS = "".join(chr(c) for c in range(0x80, 0xA0))
_CHARACTER_RULES = str.maketrans(
    dict.fromkeys(_ODD_SPACES, " ") | dict.fromkeys(_INVISIBLE + _C0_CONTROLS + _C1_CONTROLS)
)
# An ASCII line without these has nothing for normalize_text to change.
_ASCII_WORK = re.compile("[\x00-\x08\x0b-\x1f\x7f]|[ \t]$")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_TRAILING_SPACE = re.compile("[ \t]+$", re.MULTILINE)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BLANK_NOISE = re.compile(f"[{_INVISIBLE}{_C0_CONTROLS}{_C1_CONTROLS}]")
# Character references with their closing ";" only: "AT&T" and "&copy" stay as they are.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def read_source(src: SourceFile, max_bytes: int) -> bytes:
    """Return the bytes of `src`, decompressed when it is gzip, at most `max_bytes`.

    Raises IngestError: "unsupported-type" for a file discover() skipped,
    "too-large" / "decompression-limit" past `max_bytes` (checked while
    streaming, so a gzip bomb stops at the limit), "bad-gzip", "unreadable".
    """
    if max_bytes < 0:
        raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
    if src.kind is None:
        why = src.skip_reason or "not a text, HTML, JSON or JSON Lines file"
        raise IngestError("unsupported-type", f"{why}; it is not read")
    try:
        if src.compressed:
            return _read_gzip(src, max_bytes)
        return _read_plain(src, max_bytes)
    except OSError as exc:
        raise IngestError(
            "unreadable",
            f"cannot read the file ({exc.strerror or exc}); check that it exists and is readable",
        ) from exc


def decode_text(data: bytes) -> str:
    """Decode file bytes to text, without otherwise changing it.

    Order: a BOM (UTF-8/16/32) decides; else strict UTF-8; else an HTML/XML
    charset declaration; else charset-normalizer's guess, leaning to cp1252 for
    Western text. Raises IngestError "binary" (NUL bytes, many control
    characters, or no plausible encoding) or "empty" (nothing visible).
    """
    text = _decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text or len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise _binary()
    if not _BLANK_NOISE.sub("", text).strip():
        raise IngestError("empty", "the file holds no text (empty or only whitespace); skip it")
    return text


def normalize_text(text: str) -> str:
    """Repair and even out text: mojibake, line ends, spaces, invisibles, NFC.

    ftfy fixes mojibake ("cafÃ©" -> "café"); line ends become "\\n"; odd spaces
    (no-break, en/em, ideographic...) become " "; zero-width characters, soft
    hyphens and control characters other than "\\n" and "\\t" go; every line loses
    its trailing spaces. Curly quotes, dashes and HTML entities are kept.
    Idempotent: normalize_text(normalize_text(t)) == normalize_text(t).
    """
    lines = _LINE_BREAKS.sub("\n", text).split("\n")
    return "\n".join(_normalize_line(line) for line in lines)


def unescape_entities(text: str) -> str:
    """Replace HTML character references ("&amp;", "&#8217;", "&nbsp;") once.

    Only references closed by ";" are replaced, so "AT&T" or "R&D" stay intact.
    Not idempotent by nature ("&amp;lt;" -> "&lt;"): run it once per text.
    """
    return _ENTITY.sub(lambda m: html.unescape(m.group()), text)


def _normalize_line(line: str) -> str:
    """normalize_text for one line (ftfy works line by line too)."""
    if line.isascii() and not _ASCII_WORK.search(line):
        return line  # nothing for ftfy or the rules to change
    # ftfy sees the line as it is: no-break spaces, C1 controls and ESC are clues
    # to mojibake and terminal escapes ("voilÃ\u00a0" -> "voilà"). The rules come
    # after, and since removing characters can form new mojibake ("\x8d" between
    # two others), ftfy looks again whenever the rules changed its output.
    for _ in range(MAX_NORMALIZE_PASSES):
        fixed = ftfy.fix_text(line, config=_FTFY_CONFIG)
        line = _apply_rules(fixed)
        if line == fixed:
            break
    return line


def _apply_rules(text: str) -> str:
    text = _LINE_BREAKS.sub("\n", text).translate(_CHARACTER_RULES)
    text = unicodedata.normalize("NFC", _LONE_SURROGATE.sub("\ufffd", text))
    return _TRAILING_SPACE.sub("", text)


def _read_plain(src: SourceFile, max_bytes: int) -> bytes:
    with open(src.path, "rb") as f:
        # The size on disk is checked first so that a huge file fails without being
        # read; the bounded read covers a file that grew since it was listed.
        too_large = os.fstat(f.fileno()).st_size > max_bytes
        data = b"" if too_large else f.read(max_bytes + 1)
    if too_large or len(data) > max_bytes:
        raise IngestError(
            "too-large",
            f"the file is over the {max_bytes:,}-byte limit; raise the limit if it is genuine",
        )
    return data


def _read_gzip(src: SourceFile, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(src.path, "rb") as gz:
            # read(n) decompresses at most n bytes, so memory and time stay bounded
            # by the limit however well the file compresses.
            while chunk := gz.read(READ_CHUNK_BYTES):
                total += len(chunk)
                if total > max_bytes:
                    raise IngestError(
                        "decompression-limit",
                        f"decompresses to more than the {max_bytes:,}-byte limit "
                        "(a very large file or a gzip bomb); raise the limit if it is genuine",
                    )
                chunks.append(chunk)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise IngestError(
            "bad-gzip",
            f"not a valid gzip file ({exc}); it may be truncated: "
            "check it with `gzip -t` or fetch it again",
        ) from exc
    return b"".join(chunks)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise IngestError("empty", "the file is empty; skip it")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            # The BOM is the strongest evidence there is: a few bad sequences after it
            # are replaced rather than second-guessing the encoding.
            return data[len(bom) :].decode(encoding, "replace")
    if b"\x00" in data:
        # Text in a byte-oriented encoding has no NULs. UTF-16/32 without a BOM
        # would, but is rare enough in news archives to be treated as binary.
        raise _binary()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data)
    if declared is not None:
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration ("rot13" is a codec, but not a text encoding)
    return _detect(data)


def _declared_encoding(data: bytes) -> str | None:
    """The charset an HTML or XML file declares in its head, if Python knows it."""
    match = _DECLARED_CHARSET.search(data[:DECLARATION_WINDOW_BYTES])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii")
    try:
        encoding = codecs.lookup(label).name.replace("-", "_")
    except LookupError:
        return None
    if encoding.startswith("utf_"):
        return None  # the bytes are not UTF-8 (checked before): the label is wrong
    return "cp1252" if encoding in _CP1252_LABELS else encoding


def _detect(data: bytes) -> str:
    """charset-normalizer's reading of legacy-encoded bytes, leaning to cp1252."""
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise _binary()
    best = matches[0]
    try:
        cp1252 = data.decode("cp1252")
    except UnicodeDecodeError:
        return str(best)
    for match in matches:
        if (
            "cp1252" in match.could_be_from_charset
            and match.chaos <= best.chaos + CP1252_CHAOS_TOLERANCE
            and match.coherence >= best.coherence
        ):
            return cp1252
    return str(best)


def _binary() -> IngestError:
    return IngestError(
        "binary",
        "the content is not text (NUL bytes, control characters or no plausible encoding); "
        "if it is text, convert it to UTF-8",
    )
