"""The Dask engine gives the local engine's pairs and clusters, batch and incremental."""

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import Cli
from tests.corpus import Corpus
from tests.processes import exports

pytest.importorskip("distributed", reason="the Dask engine needs newsdedup[dask]")

DASK = ("--engine", "dask", "--workers", "2", "-q")


def _results(db: Path) -> dict[str, list[dict]]:
    found = exports(db)
    return {"clusters": found["clusters"], "pairs": found["pairs"]}


def _copy(files: list[Path], folder: Path, into: Path) -> None:
    for path in files:
        target = into / path.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def test_dask_engine_on_two_workers_equals_the_local_engine(
    news: tuple[Path, Corpus, dict[str, list[dict]]], cli: Cli
) -> None:
    folder, _, local = news
    cli("ingest", str(folder), "-q")
    cli("dedupe", *DASK)
    found = _results(cli.db)
    assert found["pairs"] and found["clusters"]
    assert found == {"clusters": local["clusters"], "pairs": local["pairs"]}


def test_dask_engine_grows_a_local_store_as_one_batch_would(
    news: tuple[Path, Corpus, dict[str, list[dict]]], tmp_path: Path, cli: Cli
) -> None:
    folder, _, local = news
    growing = tmp_path / "growing"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for part, engine in ((files[::2], ()), (files[1::2], DASK)):
        _copy(part, folder, growing)
        cli("run", str(growing), "-q", *engine)
    found = _results(cli.db)
    assert found == {"clusters": local["clusters"], "pairs": local["pairs"]}
    again = json.loads(cli("run", str(growing), "--json", *DASK))  # nothing new
    assert again["signed"] == 0
    assert _results(cli.db) == found


def test_dask_engine_without_dask_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "dedupe.dask_engine", None)  # import fails
    (tmp_path / "news").mkdir()
    result = CliRunner().invoke(
        main, ["run", str(tmp_path / "news"), "--engine", "dask", "--db", str(tmp_path / "s.db")]
    )
    assert result.exit_code == 1
    assert "pip install 'newsdedup[dask]'" in result.output


def test_small_blocks_find_each_pair_once(
    news: tuple[Path, Corpus, dict[str, list[dict]]],
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dedupe import dask_engine
    from dedupe.run import DedupeParams
    from store.store import Store

    folder, _, local = news
    cli("ingest", str(folder), "-q")
    with dask_engine.dask_client(workers=2) as client, Store.open(cli.db) as store:
        summary = dask_engine.dedupe_dask(
            store, store.start_run("dedupe", None), DedupeParams(), client, block=30
        )
    assert summary.signed > 4 * 30
    assert sum(summary.pairs.values()) == len(local["pairs"])  # none found twice
    assert _results(cli.db) == {"clusters": local["clusters"], "pairs": local["pairs"]}


def test_small_blocks_of_stored_and_new_articles_give_the_local_results(
    news: tuple[Path, Corpus, dict[str, list[dict]]], tmp_path: Path, cli: Cli
) -> None:
    """Several stored blocks against several new ones (the stored come as blocks too)."""
    from dedupe import dask_engine
    from dedupe.run import DedupeParams
    from store.store import Store

    folder, _, local = news
    growing = tmp_path / "growing"
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    _copy(files[::2], folder, growing)
    cli("run", str(growing), "-q")  # the local engine signs and matches half
    _copy(files[1::2], folder, growing)
    cli("ingest", str(growing), "-q")
    with dask_engine.dask_client(workers=2) as client, Store.open(cli.db) as store:
        summary = dask_engine.dedupe_dask(
            store, store.start_run("dedupe", None), DedupeParams(), client, block=30
        )
    assert summary.signed > 2 * 30
    assert _results(cli.db) == {"clusters": local["clusters"], "pairs": local["pairs"]}
