"""A folder of every kind of bad input: the run finishes, and says what became of each file.

Every file found ends in exactly one recorded state (ingested, unchanged, skipped,
failed); the bad ones are listed by `newsdedup failures` with a reason, and every
good article is in the store.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli import main
from ingest.records import SourceFile
from ingest.run import IngestOptions, ingest_file
from store.store import Store
from tests.conftest import Cli, with_workers

MAX_BYTES = 1_000_000
GOOD = (
    "{place} ferry back on its timetable\n\n"
    "The ferry between Port Elms and {place} returned to its timetable on Thursday after "
    "a month of repairs to the ramp at the harbour.\n\n"
    "Islanders had relied on a smaller chartered boat that carried no cars at all, and "
    "the council said the regular service would run every hour from Monday.\n"
)
FEED_LINE = {
    "title": "Bridge at {place} closes",
    "maintext": "The old bridge at {place} closed on Monday for repairs that will take a year, "
    "the roads office said, and a ferry will run in the meantime.",
}
RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _good(place: str) -> str:
    return GOOD.format(place=place)


def _gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped (a thousandfold smaller), without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip container
    chunk = bytes(1 << 20)
    return b"".join([*(packer.compress(chunk) for _ in range(size >> 20)), packer.flush()])


def _bad_folder(news: Path) -> dict[str, tuple[str, str]]:
    """Write every case; returns relpath -> (expected status, a word of the reason)."""
    news.mkdir()
    expected: dict[str, tuple[str, str]] = {}

    def put(name: str | bytes, data: bytes, status: str, why: str) -> None:
        path = os.path.join(os.fsencode(news), os.fsencode(name))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        relpath = name if isinstance(name, str) else name.decode("utf-8", "backslashreplace")
        expected[relpath] = (status, why)

    # Good articles, in each format.
    put("good/a.txt", _good("Skarholm").encode(), "ingested", "")
    put(
        "good/b.json",
        json.dumps({"title": "Veldmoor library reopens", "text": _good("Veldmoor")}).encode(),
        "ingested",
        "",
    )
    put(
        "good/c.html",
        (
            "<html><head><title>Quillby market</title></head><body><article><h1>Quillby market"
            "</h1>"
            + "".join(f"<p>{p}</p>" for p in _good("Quillby").split("\n\n")[1:])
            + "</article></body></html>"
        ).encode(),
        "ingested",
        "",
    )
    put("good/d.txt.gz", gzip.compress(_good("Tarnwick").encode()), "ingested", "")
    # Legacy-encoded text (cp1252): not UTF-8, still an article.
    put(
        "cp1252.txt",
        _good("Felsgård").replace("ferry", "café ferry – “Saga”").encode("cp1252"),
        "ingested",
        "",
    )
    # A non-UTF-8 file name holding a good article.
    put(b"caf\xe9-morrow.txt", _good("Morrowdale").encode(), "ingested", "")
    # JSON Lines with one bad line among good ones.
    lines = [
        json.dumps({k: v.format(place=p) for k, v in FEED_LINE.items()})
        for p in ("Hallowby", "Dunmere")
    ]
    put("feed.jsonl", f'{lines[0]}\n{{"title": "cut off\n{lines[1]}\n'.encode(), "ingested", "")

    put("empty.txt", b"", "skipped", "empty")
    put("binary.txt", bytes(range(256)) * 40, "skipped", "not text")
    put("truncated.txt.gz", gzip.compress(_good("Pellworth").encode())[:40], "failed", "gzip")
    put("bomb.txt.gz", _gzip_bomb(100 << 20), "skipped", "gzip bomb")
    put("huge.txt", (_good("Kestrelford") * (MAX_BYTES // 300)).encode(), "skipped", "limit")
    # 5,000 nested <div>s: the text is out of the extractor's reach; no article, no hang.
    put(
        "nested.html",
        (
            "<html><body>"
            + "<div>" * 5000
            + "<p>Deep text.</p>"
            + "</div>" * 5000
            + "</body></html>"
        ).encode(),
        "skipped",
        "no main text",
    )
    put(
        "malformed.html",
        (
            "<html><body><p>Unclosed <b>bold <div><p>"
            + _good("Ambermouth").replace("\n\n", "<p>")
            + "<table><tr><td>cell</p></b></html></div>"
        ).encode(),
        "ingested",
        "",
    )

    # A symlink loop through a directory, and two file links pointing at each other.
    os.symlink(".", news / "loop")
    expected["loop"] = ("skipped", "symlink loop")
    os.symlink("ping.txt", news / "pong.txt")
    os.symlink("pong.txt", news / "ping.txt")
    # Named like article files that cannot be read: failed, unlike the loop of folders.
    expected["ping.txt"] = expected["pong.txt"] = ("failed", "symlink loop")
    if not RUNNING_AS_ROOT:
        put("locked.txt", _good("Straddock").encode(), "failed", "permission denied")
        (news / "locked.txt").chmod(0)
    return expected


@pytest.mark.parametrize("workers", [False, True], ids=["one-process", "workers"])
def test_a_folder_of_bad_input_finishes_with_code_3_and_every_file_accounted_for(
    tmp_path: Path, cli: Cli, workers: bool
) -> None:
    news = tmp_path / "news"
    expected = _bad_folder(news)
    extra = with_workers(tmp_path) if workers else []
    files = _run_json(news, cli.db, *extra)["files"]

    # Every file found ends in exactly one state, recorded in the store.
    assert files["seen"] == len(expected)
    outcomes = {k: n for k, n in files.items() if k not in ("seen", "new", "changed")}
    assert set(outcomes) <= {"ingested", "unchanged", "skipped", "failed"}
    assert sum(outcomes.values()) == files["seen"]
    states = {row["source"]: row for row in _sources(cli.db)}
    assert {path: row["status"] for path, row in states.items()} == {
        path: status for path, (status, _) in expected.items()
    }

    # `failures` lists each bad file with its state and a reason saying what went wrong.
    listed = [json.loads(line) for line in cli("failures", "--json").splitlines()]
    problems = {item["source"]: item for item in listed}
    for path, (status, why) in expected.items():
        if status == "ingested":
            continue
        assert problems[path]["status"] == status
        assert why in problems[path]["reason"], (path, problems[path]["reason"])
    assert problems["feed.jsonl"]["status"] == "ingested"
    [bad_line] = problems["feed.jsonl"]["problems"]
    assert bad_line.startswith("line 2: bad-json Unterminated string starting at column")
    text = cli("failures")
    assert "failed   truncated.txt.gz: not a valid gzip file" in text
    assert "line 2: bad-json" in text

    # Every good article is there, decoded right, under a printable name.
    articles = cli.articles()
    sources = sorted(a["source"] for a in articles)
    good = sorted(p for p, (status, _) in expected.items() if status == "ingested")
    assert sorted(set(sources)) == good
    assert sources.count("feed.jsonl") == 2  # the good lines around the bad one
    [cp1252] = [a for a in articles if a["source"] == "cp1252.txt"]
    assert cp1252["title"] == "Felsgård café ferry – “Saga” back on its timetable"
    assert "café ferry – “Saga”" in cp1252["text"]
    assert "caf\\xe9-morrow.txt" in sources

    # The run over the same folder again reads no good file again and changes nothing.
    again = _run_json(news, cli.db, *extra)
    assert again["files"]["unchanged"] == outcomes["ingested"]
    assert again["files"].get("ingested", 0) == 0 and again["signed"] == 0
    assert {row["source"]: row for row in _sources(cli.db)} == states
    assert cli.articles() == articles


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="root reads any file, whatever its permissions")
def test_an_unreadable_article_file_fails_with_a_reason(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(_good("Skarholm"), encoding="utf-8")
    locked = news / "locked.txt"
    locked.write_text(_good("Straddock"), encoding="utf-8")
    locked.chmod(0)
    try:
        cli("run", str(news), "--quiet", code=3)
        assert "failed   locked.txt: cannot read file: permission denied" in cli("failures")
        assert [a["source"] for a in cli.articles()] == ["a.txt"]
    finally:
        locked.chmod(0o600)


def test_a_file_that_vanishes_before_it_is_read_fails_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text(_good("Skarholm"), encoding="utf-8")
    stat = path.stat()
    src = SourceFile(path, "gone.txt", stat.st_size, stat.st_mtime_ns, "text")
    path.unlink()  # after discovery listed it, before it is read
    with Store.open(tmp_path / "store.db") as store:
        run_id = store.start_run("ingest", str(tmp_path))
        outcome = ingest_file(store, str(tmp_path), src, run_id, frozenset(), IngestOptions())
        assert (outcome.outcome, outcome.articles) == ("failed", 0)
        assert "cannot read the file" in (outcome.reason or "")
        [problem] = store.problems()
        assert problem["source"] == "gone.txt" and problem["status"] == "failed"
        assert store.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 0


def _run_json(news: Path, db: Path, *extra: str) -> dict[str, Any]:
    """`newsdedup run --json` over the folder: some files fail, so the exit code is 3."""
    args = ["run", str(news), "--db", str(db), "--json", "--quiet", "--max-bytes", str(MAX_BYTES)]
    result = CliRunner().invoke(main, [*args, *extra])
    assert result.exit_code == 3, (result.output, result.exception)
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def _sources(db: Path) -> list[dict[str, object]]:
    with Store.open(db) as store:
        rows = store.conn.execute(
            "SELECT path, status, reason, problems FROM sources ORDER BY path"
        ).fetchall()
    return [dict(zip(("source", "status", "reason", "problems"), r, strict=True)) for r in rows]
