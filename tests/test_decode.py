# Test data is typographic text on purpose (curly quotes, dashes, other scripts).
# ruff: noqa: RUF001
import codecs
import gzip
import random
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.decode import decode_text, normalize_text, read_source, unescape_entities
from ingest.errors import IngestError
from ingest.records import SourceFile

MB = 1024 * 1024


def source(path: Path, kind: str | None = "text", compressed: bool = False) -> SourceFile:
    return SourceFile(path, path.name, path.stat().st_size, 0, kind, compressed)


def reason(excinfo: pytest.ExceptionInfo[IngestError]) -> str:
    return excinfo.value.reason


# read_source


def test_reads_plain_and_gzip_files(tmp_path: Path) -> None:
    plain = tmp_path / "a.txt"
    plain.write_bytes(b"hello")
    packed = tmp_path / "a.txt.gz"
    # Two gzip members one after the other are one stream, as with `cat a.gz b.gz`.
    packed.write_bytes(gzip.compress(b"hel") + gzip.compress(b"lo"))
    assert read_source(source(plain), max_bytes=5) == b"hello"
    assert read_source(source(packed, compressed=True), max_bytes=5) == b"hello"


def test_a_file_over_the_limit_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 11)
    with pytest.raises(IngestError) as excinfo:
        read_source(source(path), max_bytes=10)
    assert reason(excinfo) == "too-large"
    assert "10-byte limit" in str(excinfo.value)


@pytest.fixture(scope="module")
def gzip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 MB of zeros, gzipped to about 200 KB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.txt.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    zeros = bytes(MB)
    with open(path, "wb") as f:
        for _ in range(200):
            f.write(packer.compress(zeros))
        f.write(packer.flush())
    return path


def test_a_gzip_bomb_stops_at_the_limit_quickly(gzip_bomb: Path) -> None:
    assert gzip_bomb.stat().st_size < MB
    started = time.perf_counter()
    with pytest.raises(IngestError) as excinfo:
        read_source(source(gzip_bomb, compressed=True), max_bytes=2 * MB)
    assert reason(excinfo) == "decompression-limit"
    # Reading all 200 MB takes far longer; stopping at 2 MB takes milliseconds.
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-8], id="missing-trailer"),
        pytest.param(lambda data: b"not gzip at all", id="not-gzip"),
        pytest.param(lambda data: data[:20] + bytes(20) + data[40:], id="corrupt"),
        pytest.param(lambda data: data[:-8] + b"\0\0\0\0" + data[-4:], id="bad-crc"),
    ],
)
def test_a_damaged_gzip_file_is_bad_gzip(tmp_path: Path, damage: object) -> None:
    assert callable(damage)
    path = tmp_path / "story.txt.gz"
    path.write_bytes(damage(gzip.compress(random.Random(0).randbytes(5000))))
    with pytest.raises(IngestError) as excinfo:
        read_source(source(path, compressed=True), max_bytes=MB)
    assert reason(excinfo) == "bad-gzip"


def test_a_file_that_cannot_be_opened_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_bytes(b"x")
    src = source(path)
    path.unlink()
    with pytest.raises(IngestError) as excinfo:
        read_source(src, max_bytes=MB)
    assert reason(excinfo) == "unreadable"


def test_a_skipped_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8")
    src = SourceFile(path, "photo.jpg", 2, 0, None, skip_reason="unsupported file type '.jpg'")
    with pytest.raises(IngestError) as excinfo:
        read_source(src, max_bytes=MB)
    assert reason(excinfo) == "unsupported-type"
    assert "'.jpg'" in str(excinfo.value)


# decode_text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_a_bom_decides_the_encoding(encoding: str) -> None:
    text = "café — “quoted” 北京"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert decode_text(data) == text


def test_utf8_is_decoded_strictly() -> None:
    assert decode_text("Grüße aus Köln".encode()) == "Grüße aus Köln"


@pytest.mark.parametrize(
    "text",
    [
        "café — “quoted”",
        # charset-normalizer's first guess for this one is cp1257 ("trčs").
        "Le café est très bon. Naïve résumé façade, déjà vu à l’école.",
        "piñata año mañana",
    ],
)
def test_cp1252_text_is_decoded(text: str) -> None:
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Vláda schválila nový zákon o daních. Příští týden začne platit.", "cp1250"),
        ("İstanbul'da bugün güneşli bir gün olacak. Hükümet yeni kararlar aldı.", "cp1254"),
        ("Привет, как дела? Это новость о погоде в Москве сегодня.", "cp1251"),
    ],
)
def test_the_cp1252_preference_leaves_other_legacy_encodings_alone(
    text: str, encoding: str
) -> None:
    assert decode_text(text.encode(encoding)) == text


def test_a_declared_charset_is_used_when_the_bytes_are_not_utf8() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body>Très “bien”</body></html>'
    # Browsers read "iso-8859-1" as windows-1252, which has the curly quotes.
    assert decode_text(page.encode("cp1252")) == page
    page = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">Привет'
    assert decode_text(page.encode("cp1251")) == page


def test_a_wrong_or_bogus_declaration_falls_back_to_detection() -> None:
    page = '<meta charset="rot13"><p>café — “quoted”</p>'
    assert decode_text(page.encode("cp1252")) == page
    page = '<meta charset="utf-8"><p>café — “quoted”</p>'
    assert decode_text(page.encode("cp1252")) == page


def test_nul_bytes_mean_binary_whatever_the_file_name() -> None:
    with pytest.raises(IngestError) as excinfo:
        decode_text(b"PK\x03\x04\x14\x00\x00\x00 looks like a zip")
    assert reason(excinfo) == "binary"


def test_many_control_characters_mean_binary() -> None:
    data = bytes(range(1, 32)) * 10 + b"some text"  # valid UTF-8, but not text
    with pytest.raises(IngestError) as excinfo:
        decode_text(data)
    assert reason(excinfo) == "binary"
    assert decode_text(b"page one\x0cpage two\n") == "page one\x0cpage two\n"


def test_bytes_with_no_plausible_encoding_are_binary() -> None:
    noise = bytes(b for b in random.Random(0).randbytes(4000) if b)
    with pytest.raises(IngestError) as excinfo:
        decode_text(noise)
    assert reason(excinfo) == "binary"


@pytest.mark.parametrize(
    "data",
    [b"", b"  \n\t\r\n", "\u00a0\u200b\u3000\n".encode(), "  \n".encode("utf-16")],
)
def test_nothing_visible_is_empty(data: bytes) -> None:
    with pytest.raises(IngestError) as excinfo:
        decode_text(data)
    assert reason(excinfo) == "empty"


def test_decode_text_does_not_normalize() -> None:
    text = "a\r\nb\u00a0c\u2028d"
    assert decode_text(text.encode()) == text


# normalize_text


def test_mojibake_is_repaired() -> None:
    assert normalize_text("cafÃ©") == "café"
    assert normalize_text("Itâ€™s â€œfineâ€\x9d") == "It’s “fine”"
    assert normalize_text("voilÃ\u00a0") == "voilà"


def test_line_ends_become_newlines() -> None:
    assert normalize_text("a\r\nb\rc\u2028d\u2029e\x0cf") == "a\nb\nc\nd\ne\nf"


def test_odd_spaces_become_plain_spaces() -> None:
    odd = "\u00a0\u2000\u2003\u2009\u200a\u202f\u205f\u3000"
    assert normalize_text(f"a{odd}b") == "a" + " " * len(odd) + "b"


def test_zero_width_characters_and_soft_hyphens_are_removed() -> None:
    assert normalize_text("\ufeffzero\u200bwidth\u200c\u200d\u2060 Zei\u00adtung") == (
        "zerowidth Zeitung"
    )


def test_control_characters_other_than_newline_and_tab_are_removed() -> None:
    assert normalize_text("a\x00b\x07c\x1b\x7fd\te\nf\x8dg") == "abcd\te\nfg"
    # ESC reaches ftfy, which removes whole terminal escapes, not just the ESC.
    assert normalize_text("\x1b[31mred\x1b[0m alert") == "red alert"


def test_trailing_spaces_are_stripped_from_every_line() -> None:
    assert normalize_text("one  \ntwo\t\n  three \u00a0") == "one\ntwo\n  three"


def test_typography_entities_and_cjk_punctuation_are_kept() -> None:
    text = "“Quoted” ‘single’ — en – dash… &amp; &lt;p&gt; 北京，你好！"
    assert normalize_text(text) == text


def test_text_is_composed_to_nfc() -> None:
    assert normalize_text("cafe\u0301") == "café"
    assert normalize_text("cafe\u200b\u0301") == "café"


MOJIBAKE_PIECES = "Ã©â€œ™Â\u00a0 \t\n\r\x85\x8d\x9bº\x00\u200b\u2028\u00ad\ufeff\u0301\u3000ﬁ€"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(MOJIBAKE_PIECES), st.characters())))
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalize_text_is_idempotent_on_mojibake(text: str) -> None:
    mojibake = text.encode("utf-8").decode("latin-1")
    once = normalize_text(mojibake)
    assert normalize_text(once) == once


# unescape_entities


def test_entities_are_unescaped_once() -> None:
    assert unescape_entities("Tom &amp; Jerry&#8217;s &#x201C;show&#x201D;") == (
        "Tom & Jerry’s “show”"
    )
    assert unescape_entities("&amp;lt;") == "&lt;"


def test_ampersands_that_are_not_entities_stay() -> None:
    text = "AT&T and R&D, &copy without a semicolon, &nosuchentity;"
    assert unescape_entities(text) == text


def test_entities_then_normalize_turn_nbsp_into_a_space() -> None:
    assert normalize_text(unescape_entities("a&nbsp;b&#8203;c")) == "a bc"
