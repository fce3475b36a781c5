"""`newsdedup run` as cron runs it: the --json summary, --report-new, and idle reruns."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli import main
from tests.corpus import write_corpus
from tests.processes import export

SUMMARY_KEYS = {
    "command",
    "run",
    "status",
    "seconds",
    "files",
    "articles",
    "signed",
    "pairs_added",
    "clusters_changed",
}


def _run(folder: Path, db: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, ["run", str(folder), "--db", str(db), *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def _report(stdout: str) -> list[tuple[str, list[str]]]:
    """The clusters a report prints: (kind, member ids)."""
    clusters: list[tuple[str, list[str]]] = []
    for line in stdout.splitlines():
        if line.startswith("   "):
            clusters[-1][1].append(line[5:].split()[0])
        else:
            clusters.append((line.split()[0], []))
    return clusters


def test_run_json_summary_counts_every_file_and_a_rerun_reads_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = write_corpus(tmp_path / "news", events=12)
    db = tmp_path / "store.db"
    seen = len(corpus.files)

    first = _run(tmp_path / "news", db, "--json")
    [line] = first.stdout.splitlines()  # stdout: the summary object alone
    summary = json.loads(line)
    assert set(summary) == SUMMARY_KEYS
    assert (summary["command"], summary["run"], summary["status"]) == ("run", 1, "done")
    assert isinstance(summary["seconds"], float)
    assert summary["files"] == {"seen": seen, "new": seen, "changed": 0, "ingested": seen}
    assert summary["articles"] == {
        "added": corpus.articles,
        "replaced": 0,
        "cleaned_again": summary["articles"]["cleaned_again"],
    }
    assert summary["signed"] == corpus.articles
    assert summary["pairs_added"]["duplicate"] > 0 and summary["pairs_added"]["story"] > 0
    pairs = export(db, "pairs")
    assert sum(summary["pairs_added"].values()) == len(pairs)
    clusters = export(db, "clusters")
    assert summary["clusters_changed"] == {
        kind: sum(c["kind"] == kind for c in clusters) for kind in ("duplicate", "story")
    }
    assert f"{seen} files ({seen} ingested)" in first.stderr  # the human summary

    # Over the same folder: not one file is opened, nothing is signed or written.
    def no_reading(*args: Any) -> bytes:
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr("ingest.run.read_source", no_reading)
    again = json.loads(_run(tmp_path / "news", db, "--json", "--quiet").stdout)
    assert again["run"] == 2
    assert again["files"] == {"seen": seen, "new": 0, "changed": 0, "unchanged": seen}
    assert again["articles"] == {"added": 0, "replaced": 0, "cleaned_again": 0}
    assert again["signed"] == 0
    assert again["pairs_added"] == again["clusters_changed"] == {"duplicate": 0, "story": 0}
    assert export(db, "pairs") == pairs and export(db, "clusters") == clusters


def test_report_new_prints_only_the_clusters_that_gained_members_in_the_run(
    tmp_path: Path,
) -> None:
    news = tmp_path / "news"
    write_corpus(news, events=12)
    db = tmp_path / "store.db"

    # The first run: every cluster is new, so the report is the whole report.
    first = _run(news, db, "--report-new", "--quiet")
    whole = CliRunner().invoke(main, ["report", "--db", str(db)])
    assert first.stdout == whole.stdout
    assert {kind for kind, _ in _report(first.stdout)} == {"duplicate", "story"}

    # Beside --json, which owns stdout, the report goes to stderr.
    both = _run(news, tmp_path / "again.db", "--report-new", "--quiet", "--json")
    assert json.loads(both.stdout)["status"] == "done"
    assert both.stderr.startswith(whole.stdout)

    # Nothing changed: no cluster, and a word on stderr saying so.
    second = _run(news, db, "--report-new")
    assert second.stdout == ""
    assert "no clusters new in that run" in second.stderr

    # One more copy of a clustered article: its clusters, and only those.
    source_of = {a["id"]: a["source"] for a in export(db, "articles")}
    source = next(  # a file of one article, so that the copy adds one
        source_of[c["canonical"]]
        for c in export(db, "clusters")
        if c["kind"] == "duplicate" and not source_of[c["canonical"]].endswith(".jsonl")
    )
    (news / "late").mkdir()
    shutil.copy(news / source, news / "late" / Path(source).name)
    third = _run(news, db, "--report-new", "--quiet")
    [copy] = [a["id"] for a in export(db, "articles") if a["source"].startswith("late/")]
    printed = _report(third.stdout)
    expected = [(c["kind"], c["members"]) for c in export(db, "clusters") if copy in c["members"]]
    assert {kind for kind, _ in expected} == {"duplicate", "story"}
    assert sorted((k, sorted(m)) for k, m in printed) == sorted(expected)


def test_a_store_in_a_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    db = tmp_path / "no-such-folder" / "store.db"
    result = CliRunner().invoke(main, ["run", str(tmp_path / "news"), "--db", str(db)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # handled: no traceback
    [message] = result.stderr.splitlines()
    assert "no-such-folder" in message and "pick another --db" in message
