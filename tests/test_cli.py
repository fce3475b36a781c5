import json
import sqlite3
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import Cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


COMMANDS = _commands(main)


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help_with_an_example_and_readme_docs(
    name: str, command: click.Command
) -> None:
    result = CliRunner().invoke(main, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output, f"`newsdedup {name} --help` shows no example"
    assert f"newsdedup {name}" in README, f"README does not document `newsdedup {name}`"


def test_main_help_lists_exit_codes() -> None:
    output = CliRunner().invoke(main, ["--help"]).output
    assert "Exit codes" in output and "3" in output


def test_missing_folder_is_a_usage_error(tmp_path: Path, cli: Cli) -> None:
    assert "does not exist" in cli("ingest", str(tmp_path / "nope"), code=2)


def test_store_that_is_not_a_database_says_what_to_try(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("not a database " * 100)
    output = Cli(bad)("stats", code=1)
    assert "is it a newsdedup database" in output


READERS = [["stats"], ["report"], ["failures"], ["export", "clusters"], ["explain", "a", "b"]]


@pytest.mark.parametrize("args", [*READERS, ["dedupe"]], ids=lambda a: " ".join(a))
def test_reading_a_store_that_is_not_there_makes_none(tmp_path: Path, args: list[str]) -> None:
    typo = tmp_path / "typo.db"
    assert "no store at" in Cli(typo)(*args, code=1)
    assert not typo.exists()
    typo.touch()  # an empty file is no store either
    assert "no store at" in Cli(typo)(*args, code=1)
    assert typo.stat().st_size == 0


@pytest.mark.parametrize("version", [0, 3, 7])
@pytest.mark.parametrize("args", [*READERS, ["dedupe"]], ids=lambda a: " ".join(a))
def test_a_database_of_something_else_is_left_alone(
    tmp_path: Path, args: list[str], version: int
) -> None:
    other = tmp_path / "shop.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.execute(f"PRAGMA user_version = {version}")  # apps number their schemas too
    conn.commit()
    conn.close()
    before = other.read_bytes()
    assert "not a newsdedup store" in Cli(other)(*args, code=1)
    assert other.read_bytes() == before


def test_quiet_ingest_prints_nothing(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "a.txt").write_text("The ferry returned to its normal timetable on Thursday.")
    assert cli("ingest", str(tmp_path), "--quiet") == ""


def test_stats_json(tmp_path: Path, cli: Cli) -> None:
    (tmp_path / "a.txt").write_text("The ferry returned to its normal timetable on Thursday.")
    cli("ingest", str(tmp_path))
    assert '"articles": 1' in cli("stats", "--json")


def test_exports_in_csv_and_parquet_and_since(tmp_path: Path, cli: Cli) -> None:
    import csv
    import io

    import pyarrow.parquet as pq

    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("The ferry returned to its normal timetable on Thursday.")
    cli("run", str(news), "-q")
    (news / "b.txt").write_text("The old bridge closed on Monday for a year of repairs.")
    cli("run", str(news), "-q")
    rows = list(csv.DictReader(io.StringIO(cli("export", "articles", "--format", "csv"))))
    assert [r["source"] for r in rows] == ["a.txt", "b.txt"]
    assert rows[0]["authors"] == "[]"
    assert [r["source"] for r in map(json.loads, cli("export", "articles", "--since", "2")
                                      .splitlines())] == ["b.txt"]
    out = tmp_path / "articles.parquet"
    cli("export", "articles", "--format", "parquet", "--output", str(out))
    assert pq.read_table(out).column("source").to_pylist() == ["a.txt", "b.txt"]
    assert "--output" in cli("export", "pairs", "--format", "parquet", code=2)


def test_every_export_has_its_columns_even_when_empty(tmp_path: Path, cli: Cli) -> None:
    import csv
    import io

    import pyarrow.parquet as pq

    from store.export import COLUMNS

    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("The ferry returned to its normal timetable on Thursday.")
    cli("run", str(news), "-q")  # one article: no pairs, no clusters
    for name, columns in COLUMNS.items():
        header = next(csv.reader(io.StringIO(cli("export", name, "--format", "csv"))))
        assert header == list(columns)
        out = tmp_path / f"{name}.parquet"
        cli("export", name, "--format", "parquet", "-o", str(out))
        assert pq.read_table(out).schema.names == list(columns)
    table = pq.read_table(tmp_path / "articles.parquet")
    assert table.num_rows == 1 and table.column("authors").to_pylist() == [[]]
    text = " ".join(f"The ferry number {n} returned to its normal timetable." for n in range(30))
    (news / "b.txt").write_text(text)
    (news / "c.txt").write_text(text + " Reporting by the harbour desk.")
    cli("run", str(news), "-q")
    for name, columns in COLUMNS.items():
        rows = [json.loads(line) for line in cli("export", name).splitlines()]
        assert rows and all(list(row) == list(columns) for row in rows), name


def test_paths_that_cannot_be_written_are_errors_not_tracebacks(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Bridge closes\n\nThe old bridge closed on Monday for a year.\n")
    nowhere = tmp_path / "no" / "such" / "folder"
    output = cli("ingest", str(news), "--log-file", str(nowhere / "x.log"), code=1)
    assert "cannot write the log file" in output
    cli("ingest", str(news))
    for fmt in ("jsonl", "parquet"):
        output = cli("export", "articles", "--format", fmt, "-o", str(nowhere / "x"), code=1)
        assert "cannot write" in output


def test_dask_options_without_the_dask_engine_are_a_usage_error(cli: Cli) -> None:
    assert "--engine dask" in cli("dedupe", "--workers", "2", code=2)


def test_a_second_ctrl_c_stops_at_once_with_exit_code_5(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Bridge closes\n\nThe old bridge closed on Monday for a year.\n")

    def interrupted(*args: object) -> None:  # what the second SIGINT's handler raises
        raise KeyboardInterrupt

    monkeypatch.setattr("cli._dedupe_step", interrupted)
    assert "stopped at once" in cli("run", str(news), code=5)
    last = json.loads(cli("stats", "--json"))["last_run"]
    assert (last["command"], last["status"]) == ("run", "interrupted")


def test_a_damaged_store_is_an_error_that_says_so(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    news.mkdir()
    for i in range(40):
        (news / f"{i}.txt").write_text(f"Report {i}\n\n" + f"Paragraph {i} of the report. " * 80)
    cli("ingest", str(news))
    size = cli.db.stat().st_size
    with cli.db.open("r+b") as db:  # garbage over the pages in the middle
        db.seek(size // 3)
        db.write(b"\xa5" * (size // 3))
    output = cli("export", "articles", code=1)
    assert "is damaged" in output and "Traceback" not in output


def test_parquet_goes_out_a_row_group_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import pyarrow.parquet as pq

    from store import export

    monkeypatch.setattr(export, "PARQUET_ROWS", 2)
    rows = ({"kind": "story", "id": f"c{n}", "canonical": "x", "members": ["x", f"y{n}"]}
            for n in range(5))
    out = tmp_path / "clusters.parquet"
    assert export.write(rows, export.COLUMNS["clusters"], "parquet", io.StringIO(), out) == 5
    assert pq.ParquetFile(out).num_row_groups == 3
    assert pq.read_table(out).column("id").to_pylist() == [f"c{n}" for n in range(5)]
