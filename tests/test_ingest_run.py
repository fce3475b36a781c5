import gzip
import json
import os
from pathlib import Path

from tests.conftest import Cli

STORY = (
    "Ferry resumes service to Skarholm\n\n"
    "Ferry resumes service to Skarholm\n\n"
    "The ferry between Port Elms and Skarholm returned to its timetable on Thursday.\n\n"
    "Islanders had relied on a smaller chartered boat that carried no cars at all.\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_ingest_reads_every_kind_recursively(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    _write(news, "a.txt", STORY)
    _write(news, "sub/b.html", "<html><head><title>Library reopens</title></head><body><article>"
           "<h1>Library reopens</h1><p>The public library reopened on Saturday after a "
           "renovation that took two years and replaced its roof.</p></article></body></html>")
    _write(news, "sub/c.jsonl", json.dumps({"title": "Bridge closes", "maintext":
           "The old bridge closed on Monday for repairs that will take a year."}) + "\n")
    (news / "d.json.gz").write_bytes(gzip.compress(json.dumps({"title": "Port grows", "text":
        "The port handled a record number of containers last year, its owner said."}).encode()))
    (news / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    cli("ingest", str(news))
    by_source = {a["source"]: a for a in cli.articles()}
    assert sorted(by_source) == ["a.txt", "d.json.gz", "sub/b.html", "sub/c.jsonl"]
    assert by_source["a.txt"]["title"] == "Ferry resumes service to Skarholm"
    assert by_source["sub/b.html"]["title"] == "Library reopens"
    assert by_source["sub/c.jsonl"]["title"] == "Bridge closes"
    for article in by_source.values():
        assert set(article) >= {"id", "source", "title", "text", "authors", "date", "site",
                                "url", "captions", "removed"}
    failures = cli("failures")
    assert "logo.png" in failures and "skipped" in failures


def test_second_run_reads_nothing_and_changes_nothing(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    _write(news, "a.txt", STORY)
    cli("ingest", str(news))
    before = cli.articles()
    result = cli("ingest", str(news))
    assert "1 unchanged" in result
    assert cli.articles() == before


def test_touched_but_identical_file_is_unchanged(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    path = _write(news, "a.txt", STORY)
    cli("ingest", str(news))
    os.utime(path, ns=(1, 1))
    assert "1 unchanged" in cli("ingest", str(news))


def test_changed_file_replaces_its_articles(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    path = _write(news, "a.txt", STORY)
    cli("ingest", str(news))
    path.write_text(STORY.replace("Thursday", "Friday morning"), encoding="utf-8")
    assert "1 replaced" in cli("ingest", str(news))
    [article] = cli.articles()
    assert "Friday morning" in article["text"]


def test_vanished_file_is_marked_missing(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    path = _write(news, "a.txt", STORY)
    _write(news, "b.txt", STORY.replace("Skarholm", "Norholm"))
    cli("ingest", str(news))
    path.unlink()
    cli("ingest", str(news))
    assert [a["source"] for a in cli.articles()] == ["b.txt"]
    assert "missing" in cli("stats")


def test_bad_json_line_is_reported_and_good_lines_kept(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    good = json.dumps({"title": "Bridge closes", "text": "The old bridge closed on Monday."})
    _write(news, "feed.jsonl", f"{good}\n{{not json\n{good.replace('Monday', 'Tuesday')}\n")
    cli("ingest", str(news))
    assert len(cli.articles()) == 2
    assert "line 2" in cli("failures")


def test_failed_file_gives_exit_code_3(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    _write(news, "a.txt", STORY)
    (news / "broken.txt.gz").write_bytes(gzip.compress(STORY.encode())[:30])
    output = cli("ingest", str(news), code=3)
    assert "broken.txt.gz" in output
    assert len(cli.articles()) == 1


def test_a_file_over_the_size_limit_is_skipped_not_failed(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    _write(news, "a.txt", STORY)
    _write(news, "long.txt", STORY * 20)
    (news / "long.txt.gz").write_bytes(gzip.compress((STORY * 20).encode()))  # small on disk
    for _ in range(2):  # the next run too: a cron job sees exit code 0
        assert "2 skipped" in cli("ingest", str(news), "--max-bytes", "2000")
    assert [a["source"] for a in cli.articles()] == ["a.txt"]
    failures = cli("failures")
    assert "long.txt" in failures and "long.txt.gz" in failures and "failed" not in failures


def test_corpus_boilerplate_arriving_over_several_runs(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    template = "Port Elms Gazette, 4 Harbour Street, Port Elms"
    topics = ["ferry", "bridge", "library", "harbor", "school", "market"]
    for n, topic in enumerate(topics):
        _write(news, f"{n}.txt", (
            f"News about the {topic}\n\n"
            f"The {topic} in Port Elms was in the news on day {n} for a reason of its own.\n\n"
            f"People who use the {topic} said they were pleased with how things turned out.\n\n"
            f"{template}\n"
        ))
        cli("ingest", str(news))  # one more file each run
    articles = cli.articles()
    assert len(articles) == len(topics)
    for article in articles:
        assert template not in article["text"]
        assert {"line": template, "reason": "corpus-boilerplate"} in article["removed"]


DISCLAIMER = (
    "The Port Elms Gazette publishes reader contributions as received. Opinions expressed in "
    "them are those of their authors and not of the Gazette, its editors or its owners. The "
    "Gazette accepts no liability for errors in contributions, and reserves the right to edit "
    "or remove any of them without notice. Reproduction of any part of this page without the "
    "written permission of the publisher is prohibited. Contact the newsroom to correct an error."
)


CLOSING = "The council will meet again next month to decide what happens next."


def test_a_long_paragraph_under_every_article_is_boilerplate(tmp_path: Path, cli: Cli) -> None:
    # Longer than any sentence, and the longest line of the short ones: counted all the same.
    news = tmp_path / "news"
    background = (
        "The harbour, dredged in 1911, handles most of the region's grain exports and employs "
        "about two thousand people, many of them from families that have worked there for "
        "generations, the port authority said in its annual report last spring."
    )
    topics = ["ferry", "bridge", "library", "harbor", "school", "market", "museum"]
    for n, topic in enumerate(topics):
        # Each brief's own line is its second longest (the rule counts the template under it).
        body = f"The {topic} in Port Elms closed on day {n} for reasons of its own, the town said."
        if n % 2:  # a longer story, with a recurring paragraph inside it
            body += f"\n\n{background}\n\nPeople who use the {topic} said they would wait."
        _write(news, f"{n}.txt", f"News about the {topic}\n\n{body}\n\n{CLOSING}\n\n{DISCLAIMER}\n")
    cli("ingest", str(news))
    for article in cli.articles():
        assert DISCLAIMER not in article["text"], article["source"]
        assert {"line": DISCLAIMER, "reason": "corpus-boilerplate"} in article["removed"]
        assert "closed on day" in article["text"]
        assert article["text"].endswith(CLOSING)  # a sentence many articles end with
    with_background = [a for a in cli.articles() if background in a["text"]]
    assert len(with_background) == len(topics) // 2  # article text between article text


def test_a_moved_folder_keeps_its_articles(tmp_path: Path, cli: Cli) -> None:
    _write(tmp_path / "old", "a.txt", STORY)
    _write(tmp_path / "old", "sub/b.txt", STORY.replace("Thursday", "Friday"))
    cli("run", str(tmp_path / "old"))
    before = cli.articles()
    (tmp_path / "old").rename(tmp_path / "new")
    result = cli("run", str(tmp_path / "new"))
    assert "2 unchanged" in result and "0 articles added" in result
    assert cli.articles() == before
    _write(tmp_path / "new", "c.txt", STORY.replace("ferry", "bus"))
    assert "1 ingested" in cli("run", str(tmp_path / "new"))


def test_a_moved_folder_takes_its_edited_files_too(tmp_path: Path, cli: Cli) -> None:
    _write(tmp_path / "old", "a.txt", STORY)
    _write(tmp_path / "old", "b.txt", STORY.replace("Thursday", "Friday"))
    cli("run", str(tmp_path / "old"))
    (tmp_path / "old").rename(tmp_path / "new")
    _write(tmp_path / "new", "b.txt", STORY.replace("Thursday", "Saturday afternoon"))
    result = cli("run", str(tmp_path / "new"))
    assert "1 unchanged" in result and "1 ingested" in result and "1 replaced" in result
    texts = sorted(a["text"] for a in cli.articles())
    assert len(texts) == 2 and any("Saturday afternoon" in t for t in texts)  # no old b.txt
    assert str(tmp_path / "old") not in cli("stats")


def test_a_copied_folder_stores_each_article_once(tmp_path: Path, cli: Cli) -> None:
    bridge = json.dumps({"title": "Bridge closes", "text":
                         "The old bridge closed on Monday for repairs that will take a year."})
    port = json.dumps({"title": "Port grows", "text":
                       "The port handled a record number of containers last year."})
    _write(tmp_path / "one", "a.jsonl", bridge + "\n")
    _write(tmp_path / "two", "a.jsonl", bridge + "\n" + port + "\n")  # a copy, grown since
    cli("ingest", str(tmp_path / "one"))
    cli("ingest", str(tmp_path / "two"))
    assert sorted(a["title"] for a in cli.articles()) == ["Bridge closes", "Port grows"]
    failures = cli("failures")
    assert "1 of its articles are stored already, from " in failures
    assert str((tmp_path / "one" / "a.jsonl").resolve()) in failures
    # Read again, it defers as before: nothing is written, so nothing looks new.
    assert "1 unchanged" in cli("ingest", str(tmp_path / "two"))
    assert cli("export", "articles", "--since", "3") == ""
    # The file the copy deferred to goes: the copy's own articles are stored, all of them.
    (tmp_path / "one" / "a.jsonl").unlink()
    cli("ingest", str(tmp_path / "two"))
    assert sorted((a["title"], a["source"]) for a in cli.articles()) == [
        ("Bridge closes", "a.jsonl"), ("Port grows", "a.jsonl")]
    assert "stored already" not in cli("failures")
    assert "1 unchanged" in cli("ingest", str(tmp_path / "two"))


def test_a_moved_folder_takes_only_its_own_files(tmp_path: Path, cli: Cli) -> None:
    _write(tmp_path / "old", "a.txt", STORY)
    cli("ingest", str(tmp_path / "old"))
    (tmp_path / "old").rename(tmp_path / "gone")
    _write(tmp_path / "other", "a.txt", STORY.replace("Thursday", "Friday at last"))
    cli("ingest", str(tmp_path / "other"))  # another file at that path: not a move
    assert sorted(a["text"].count("Friday") for a in cli.articles()) == [0, 1]


def test_an_empty_folder_changes_nothing_unless_allowed(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    _write(news, "a.txt", STORY)
    cli("run", str(news))
    before = cli.articles()
    (news / "a.txt").rename(tmp_path / "a.txt")  # as if the disk were not mounted
    assert "Is a disk not mounted?" in cli("run", str(news), code=1)
    assert cli.articles() == before
    assert "1 missing" in cli("run", str(news), "--allow-empty")
    assert cli.articles() == []
