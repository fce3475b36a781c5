"""Duplicates alone (`--no-stories`): the duplicates of a full run, and nothing of stories."""

import json
import sqlite3
from pathlib import Path

import pytest

from dedupe.signature import EMPTY_HASH, STORY_PARAMS, StoryParams, signature_batch
from store.dedupe import LSH_KINDS
from tests.conftest import Cli
from tests.corpus import Corpus
from tests.processes import exports


def _kinds(db: Path, table: str) -> set[str | int]:
    conn = sqlite3.connect(db)
    try:
        return {kind for (kind,) in conn.execute(f"SELECT DISTINCT kind FROM {table}")}
    finally:
        conn.close()


def _duplicate_pairs(found: dict[str, list[dict]]) -> set[tuple[str, str]]:
    return {(p["a"], p["b"]) for p in found["pairs"] if p["kind"] == "duplicate"}


def test_no_stories_finds_duplicates_of_a_full_run_and_no_story(
    news: tuple[Path, Corpus, dict[str, list[dict]]], cli: Cli
) -> None:
    folder, _, full = news
    assert any(c["kind"] == "story" for c in full["clusters"])  # there are stories to miss
    cli("run", str(folder), "-q", "--no-stories")
    found = exports(cli.db)
    assert {c["kind"] for c in found["clusters"]} == {"duplicate"}
    assert {p["kind"] for p in found["pairs"]} == {"duplicate"}
    assert _kinds(cli.db, "lsh") == {LSH_KINDS["duplicate"]}
    # The same verdicts on fewer candidates: a full run also verifies the story candidates,
    # among which are copies cut short whose shingle sets are far apart.
    assert _duplicate_pairs(found) and _duplicate_pairs(found) <= _duplicate_pairs(full)
    assert len(_duplicate_pairs(found)) >= 0.6 * len(_duplicate_pairs(full))


def test_turning_stories_off_or_on_needs_a_rebuild(
    news: tuple[Path, Corpus, dict[str, list[dict]]], cli: Cli
) -> None:
    folder, _, full = news
    cli("run", str(folder), "-q")
    message = cli("dedupe", "--no-stories", code=1)
    assert "story.enabled (store true, now false)" in message and "--rebuild" in message
    cli("dedupe", "--no-stories", "--rebuild", "-q")
    assert _kinds(cli.db, "clusters") == {"duplicate"}
    assert "story.enabled" in cli("dedupe", code=1)  # the store is duplicates-only now
    cli("dedupe", "--no-stories", "-q")  # as it was made: nothing to do
    cli("dedupe", "--stories", "--rebuild", "-q")
    assert exports(cli.db)["clusters"] == full["clusters"]


def test_a_store_made_before_a_setting_existed_has_its_default(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "a.txt").write_text("Harbour cranes idle as dock strike enters third week.\n")
    cli("run", str(folder), "-q")
    conn = sqlite3.connect(cli.db)
    with conn:
        [value] = conn.execute("SELECT value FROM meta WHERE key = 'dedupe_params'").fetchone()
        stored = json.loads(value)
        del stored["story"]["enabled"]
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'dedupe_params'", (json.dumps(stored),)
        )
    conn.close()
    cli("dedupe", "-q")  # enabled = True is what the store was made with
    assert "story.enabled" in cli("dedupe", "--no-stories", code=1)


def test_config_file_turns_stories_off(
    news: tuple[Path, Corpus, dict[str, list[dict]]], tmp_path: Path, cli: Cli
) -> None:
    folder, _, _ = news
    config = tmp_path / "settings.toml"
    config.write_text("[story]\nenabled = false\n")
    cli("run", str(folder), "-q", "--config", str(config))
    assert _kinds(cli.db, "clusters") == {"duplicate"}
    assert "story.enabled" in cli("dedupe", code=1)
    cli("dedupe", "-q", "--config", str(config))
    config.write_text('[story]\nenabled = "false"\n')  # a string is no setting
    assert "enabled must be true or false" in cli("dedupe", "--config", str(config), code=1)


def test_explain_on_a_store_without_stories_leaves_stories_out(
    news: tuple[Path, Corpus, dict[str, list[dict]]], cli: Cli
) -> None:
    folder, _, _ = news
    cli("run", str(folder), "-q", "--no-stories")
    pairs = exports(cli.db)["pairs"]
    flagged = next(p for p in pairs if p["kind"] == "duplicate")
    text = cli("explain", flagged["a"], flagged["b"])
    assert ": duplicate" in text and "stories:" in text and "off" in text
    assert "story" not in text.replace("stories", "").split("LSH bands shared:")[1]
    ids = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})
    known = {(p["a"], p["b"]) for p in pairs}
    a, b = next((a, b) for a in ids for b in ids if a < b and (a, b) not in known)
    explained = json.loads(cli("explain", a, b, "--json"))
    assert explained["verdict"] == "not flagged"
    assert set(explained["shared_bands"]) == {"duplicate"}
    assert "stories are off" in explained["reason"] and "cosine" not in explained["reason"]


@pytest.mark.parametrize("title, text", [("Dock strike", "Cranes idle at Port Elms. " * 40),
                                         ("", "")])
def test_signatures_without_stories_keep_the_duplicate_sketch(title: str, text: str) -> None:
    off = StoryParams(enabled=False)
    [full] = signature_batch([(title, text)], story=STORY_PARAMS)
    [alone] = signature_batch([(title, text)], story=off)
    assert (alone.duplicate == full.duplicate).all()
    assert alone.terms == {}
    assert alone.story.shape == (off.num_perm,) and (alone.story == EMPTY_HASH).all()


def test_dask_engine_without_stories_equals_the_local_engine(
    news: tuple[Path, Corpus, dict[str, list[dict]]], tmp_path: Path, cli: Cli
) -> None:
    pytest.importorskip("distributed", reason="the Dask engine needs newsdedup[dask]")
    folder, _, _ = news
    cli("run", str(folder), "-q", "--no-stories")
    dask = Cli(tmp_path / "dask.db")
    dask("ingest", str(folder), "-q")
    dask("dedupe", "-q", "--no-stories", "--engine", "dask", "--workers", "2")
    local, found = exports(cli.db), exports(dask.db)
    assert found["pairs"] == local["pairs"] and found["clusters"] == local["clusters"]
