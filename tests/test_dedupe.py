"""Duplicates and stories through the store: fixtures written for these tests."""

import json
import random
import sqlite3
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import Cli

ORIGINAL = [
    "SKARHOLM — Ferry crews on the Skarholm line walked off the job on Monday morning, "
    "stranding about 1,200 commuters on the island and halting fuel deliveries for the "
    "third time this year, the operator Nordsund Ferries said.",
    "The strike began at 5:40 a.m., when the first crossing of the day was due to leave "
    "Port Elms. Union leader Astrid Mælum said the crews had not been paid overtime for "
    "the winter storms and would stay ashore until the company opened its books.",
    "Nordsund's chief executive, Henrik Brattli, called the walkout illegal and said the "
    "company would ask the labour court on Tuesday to order the crews back to work.",
    "Islanders queued for the single water taxi, which can carry twelve passengers and no "
    "cars. The island's school closed at noon because half of its teachers live on the "
    "mainland, the municipality said.",
    "A fuel tanker that was to cross on Monday afternoon was turned back, and the island's "
    "only petrol station said it had enough diesel for four days.",
    "The regional government said it was watching the dispute closely and had asked both "
    "sides to meet a state mediator before the end of the week.",
]
OTHER_STORY = [
    "PORT ELMS — A car ferry ran aground on a sandbank outside Port Elms harbour on "
    "Saturday night with 86 passengers on board, the coast guard said. No one was hurt.",
    "The ferry, Vestbris, had left the harbour for the crossing to Lindøya at 9 p.m. in "
    "thick fog. Tugs pulled it free at high tide shortly after 2 a.m.",
    "The Maritime Authority said it had opened an investigation and that the captain had "
    "been tested for alcohol, as is routine after an accident at sea.",
    "Passengers were taken back to Port Elms by lifeboat and put up in hotels by the "
    "operator, Fjordlink, which cancelled Sunday's first two crossings.",
]


def _article(title: str, paragraphs: list[str]) -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def _typos(text: str, count: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    chars = list(text)
    for i in rng.sample([i for i, c in enumerate(chars) if c.isalpha()], count):
        chars[i] = "x"
    return "".join(chars)


def _corpus(folder: Path) -> None:
    title = "Ferry crews strike, stranding Skarholm commuters"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "original.txt").write_text(_article(title, ORIGINAL), encoding="utf-8")
    (folder / "repost.txt").write_text(
        "Home | News | Local\n\nShare\nTweet\n\n"
        + _article(title, ORIGINAL)
        + "\nSign up for our newsletter\n\nCopyright 2025 Island Post. All rights reserved.\n",
        encoding="utf-8",
    )
    wrapped = "\n\n".join(textwrap.fill(p, 64) for p in ORIGINAL)
    (folder / "rewrapped.txt").write_text(f"{title}\n\n{wrapped}\n", encoding="utf-8")
    (folder / "shortened.json").write_text(
        json.dumps({"title": title, "text": "\n".join(ORIGINAL[:-1])}), encoding="utf-8"
    )
    (folder / "typos.txt").write_text(_typos(_article(title, ORIGINAL), 10), encoding="utf-8")
    (folder / "aground.txt").write_text(
        _article("Ferry runs aground outside Port Elms in fog", OTHER_STORY), encoding="utf-8"
    )


def _by_source(cli: Cli) -> dict[str, str]:
    return {a["id"]: a["source"] for a in cli.articles()}


def _clusters(cli: Cli) -> list[dict]:
    return [json.loads(line) for line in cli("export", "clusters").splitlines()]


def test_copies_are_duplicates_and_another_story_is_not(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("run", str(tmp_path / "news"), "-q")
    source = _by_source(cli)
    clusters = _clusters(cli)
    duplicates = [c for c in clusters if c["kind"] == "duplicate"]
    assert len(duplicates) == 1
    assert sorted(source[m] for m in duplicates[0]["members"]) == [
        "original.txt",
        "repost.txt",
        "rewrapped.txt",
        "shortened.json",
        "typos.txt",
    ]
    for cluster in clusters:
        assert "aground.txt" not in {source[m] for m in cluster["members"]}


def test_a_duplicate_cluster_lies_within_one_story_cluster(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("run", str(tmp_path / "news"), "-q")
    clusters = _clusters(cli)
    stories = [set(c["members"]) for c in clusters if c["kind"] == "story"]
    for cluster in clusters:
        if cluster["kind"] == "duplicate":
            assert any(set(cluster["members"]) <= story for story in stories)
        assert cluster["canonical"] in cluster["members"]
        assert len(cluster["members"]) >= 2


def test_pairs_and_explain(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("run", str(tmp_path / "news"), "-q")
    ids = {v: k for k, v in _by_source(cli).items()}
    pairs = [json.loads(line) for line in cli("export", "pairs").splitlines()]
    assert {(p["kind"]) for p in pairs} <= {"duplicate", "story"}
    assert all(p["a"] < p["b"] and 0 < p["score"] <= 1 for p in pairs)
    text = cli("explain", ids["original.txt"], ids["typos.txt"])
    assert "duplicate" in text and "longest shared passage" in text
    assert "containment (shorter in longer):" in text
    result = json.loads(cli("explain", ids["original.txt"], ids["aground.txt"], "--json"))
    assert result["verdict"] == "not flagged"
    assert result["duplicate_score"] < 0.1


def test_explain_unknown_article_says_what_to_try(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("run", str(tmp_path / "news"), "-q")
    assert "export articles" in cli("explain", "nope", "nope2", code=1)


def test_dedupe_twice_changes_nothing(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("ingest", str(tmp_path / "news"), "-q")
    cli("dedupe", "-q")
    before = (cli("export", "clusters"), cli("export", "pairs"))
    cli("dedupe", "-q")
    assert (cli("export", "clusters"), cli("export", "pairs")) == before


def test_removing_a_source_updates_clusters(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    _corpus(news)
    cli("run", str(news), "-q")
    for name in ("repost.txt", "rewrapped.txt", "shortened.json", "typos.txt"):
        (news / name).unlink()
    cli("run", str(news), "-q")
    assert _clusters(cli) == []
    assert cli("export", "pairs") == ""


def test_a_copy_cut_short_is_a_duplicate_by_containment(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    config = tmp_path / "settings.toml"
    config.write_text("[duplicate]\nthreshold = 0.99\n")  # Jaccard alone: exact copies only
    cli("run", str(tmp_path / "news"), "-q", "--config", str(config))
    source = _by_source(cli)
    [duplicates] = [c for c in _clusters(cli) if c["kind"] == "duplicate"]
    assert "shortened.json" in {source[m] for m in duplicates["members"]}


def test_changed_settings_need_a_rebuild(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("run", str(tmp_path / "news"), "-q")
    assert "--rebuild" in cli("dedupe", "--duplicate-threshold", "0.9", code=1)
    last = json.loads(cli("stats", "--json"))["last_run"]
    assert (last["command"], last["status"]) == ("dedupe", "failed")  # not "running"
    # A run finds out before its ingest: a new file waits for a run that can dedupe it.
    (tmp_path / "news" / "late.txt").write_text(_article("Late", OTHER_STORY), encoding="utf-8")
    assert "--rebuild" in cli("run", str(tmp_path / "news"), "--no-stories", code=1)
    assert "late.txt" not in _by_source(cli).values()
    cli("dedupe", "--duplicate-threshold", "0.9", "--rebuild", "-q")


def test_config_file_sets_thresholds(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    config = tmp_path / "settings.toml"
    # Containment off (only equal lengths, every word held), the Jaccard bar near 1.
    config.write_text(
        "[duplicate]\nthreshold = 0.99\nmin_length_ratio = 1.0\ncontainment = 1.0\n"
    )
    cli("run", str(tmp_path / "news"), "-q", "--config", str(config))
    source = _by_source(cli)
    [duplicates] = [c for c in _clusters(cli) if c["kind"] == "duplicate"]
    # Only copies whose clean text is the same word for word are that close.
    assert sorted(source[m] for m in duplicates["members"]) == [
        "original.txt",
        "repost.txt",
        "rewrapped.txt",
    ]
    config.write_text("[duplicate]\nthreshhold = 0.5\n")
    assert "unknown setting" in cli("dedupe", "--config", str(config), code=1)


BAD_CONFIGS = {
    "[ingset]\nmax_bytes = 10\n": "not a section of settings",
    "ingest = 5\n": "not a section of settings",
    "[ingest]\nmax_bytes = \"x\"\n": "max_bytes must be a whole number",
    "[ingest]\nmax_bytes = 0\n": "max_bytes must be a whole number",
    "[ingest]\nextract_timeout = -5\n": "extract_timeout must be a number of seconds > 0",
    "[duplicate]\nthreshold = \"high\"\n": "threshold must be a number",
    "[duplicate]\nshingle_size = 2.5\n": "shingle_size must be a whole number",
    "[story]\nenabled = 1\n": "enabled must be true or false",
    "[linkage]\nneighbours = 0\n": "neighbours must be >= 1",
}


@pytest.mark.parametrize("text", BAD_CONFIGS, ids=range(len(BAD_CONFIGS)))
def test_a_bad_config_file_is_an_error_before_any_work(
    tmp_path: Path, cli: Cli, text: str
) -> None:
    _corpus(tmp_path / "news")
    config = tmp_path / "settings.toml"
    config.write_text(text)
    output = cli("run", str(tmp_path / "news"), "--config", str(config), code=1)
    assert BAD_CONFIGS[text] in output and "Traceback" not in output
    assert not cli.db.exists() or cli("export", "articles") == ""


def test_a_config_file_that_is_not_utf8_says_so(tmp_path: Path, cli: Cli) -> None:
    config = tmp_path / "settings.toml"
    config.write_bytes(b"[ingest]\nmax_bytes = 10 # \xff\xfe\n")
    assert "cannot read the config file" in cli("dedupe", "--config", str(config), code=1)


def test_report_lists_clusters_with_titles(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("run", str(tmp_path / "news"), "-q")
    report = cli("report")
    assert "Ferry crews strike, stranding Skarholm commuters" in report
    assert "repost.txt" in report and "*" in report


def _work_left(db: Path) -> tuple[list[str], list[str]]:
    """(stale, unsigned) as the store tracks them, after checking them against a read
    of every article and signature."""
    import sqlite3

    from store.dedupe import DedupeStore
    from store.store import Store

    with sqlite3.connect(db) as conn:
        stale = [a for (a,) in conn.execute(
            "SELECT s.article FROM signatures s LEFT JOIN articles a ON a.id = s.article "
            "WHERE a.id IS NULL OR a.text_hash IS NOT s.text_hash ORDER BY s.article"
        )]
        unsigned = [a for (a,) in conn.execute(
            "SELECT a.id FROM articles a LEFT JOIN signatures s ON s.article = a.id "
            "WHERE s.article IS NULL ORDER BY a.id"
        )]
    with Store.open(db) as store:
        ds = DedupeStore(store)
        assert (ds.stale(), ds.unsigned()) == (stale, unsigned)
    return stale, unsigned


def test_a_run_finds_the_work_a_read_of_every_article_would(tmp_path: Path, cli: Cli) -> None:
    import sqlite3

    news = tmp_path / "news"
    _corpus(news)
    db = tmp_path / "store.db"
    cli("ingest", str(news), "-q")
    assert len(_work_left(db)[1]) == 6
    cli("dedupe", "-q")
    assert _work_left(db) == ([], [])
    (news / "typos.txt").write_text(_article("A new title", OTHER_STORY[:2]), encoding="utf-8")
    (news / "aground.txt").unlink()
    (news / "extra.txt").write_text(_article("Fog", OTHER_STORY[1:]), encoding="utf-8")
    cli("ingest", str(news), "-q")
    stale, unsigned = _work_left(db)
    assert len(stale) == 2 and len(unsigned) == 2  # two texts gone, two new
    cli("dedupe", "-q")
    assert _work_left(db) == ([], [])
    # A line turns boilerplate: the signed articles holding it are cleaned again, and stale.
    template = "Port Elms Gazette, 4 Harbour Street, Port Elms"
    stale_counts = []
    for n, topic in enumerate(["ferry", "bridge", "library", "harbor", "school", "market"]):
        (news / f"gazette-{n}.txt").write_text(
            f"News about the {topic}\n\nThe {topic} in Port Elms was in the news on day {n} "
            f"for a reason of its own.\n\n{template}\n",
            encoding="utf-8",
        )
        cli("ingest", str(news), "-q")
        stale_counts.append(len(_work_left(db)[0]))
        cli("dedupe", "-q")
    assert stale_counts == [0, 0, 0, 0, 4, 0]  # the fifth made the line boilerplate
    assert _work_left(db) == ([], [])
    cli("dedupe", "--rebuild", "-q")
    assert _work_left(db) == ([], [])
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM changed").fetchone() == (0,)


def test_a_new_date_on_the_same_text_moves_the_canonical_member(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    news.mkdir()
    text = "\n\n".join(ORIGINAL)

    def write(name: str, date: str) -> None:
        record = {"title": "Ferry crews strike", "text": text, "date_publish": date}
        (news / name).write_text(json.dumps(record), encoding="utf-8")

    write("a.json", "2024-01-05")
    write("b.json", "2024-01-03")
    cli("run", str(news), "-q")
    source = _by_source(cli)
    [cluster] = [c for c in _clusters(cli) if c["kind"] == "duplicate"]
    assert source[cluster["canonical"]] == "b.json"  # the earlier one
    write("b.json", "2024-02-01")
    cli("run", str(news), "-q")
    batch = Cli(tmp_path / "batch.db")
    batch("run", str(news), "-q")
    [cluster] = [c for c in _clusters(cli) if c["kind"] == "duplicate"]
    assert source[cluster["canonical"]] == "a.json"
    assert _clusters(cli) == _clusters(batch)


def test_report_after_an_ingest_alone_says_clusters_are_behind(tmp_path: Path, cli: Cli) -> None:
    news = tmp_path / "news"
    _corpus(news)
    cli("run", str(news), "-q")
    (news / "repost.txt").unlink()
    cli("ingest", str(news), "-q")
    result = CliRunner().invoke(main, ["report", "--db", str(cli.db)])
    assert result.exit_code == 0, result.output
    assert "run `newsdedup dedupe`" in result.stderr
    assert "repost.txt" not in result.stdout


def test_explain_judges_with_the_settings_the_store_was_made_with(
    tmp_path: Path, cli: Cli
) -> None:
    _corpus(tmp_path / "news")
    config = tmp_path / "settings.toml"
    config.write_text("[duplicate]\nthreshold = 0.99\n")
    cli("run", str(tmp_path / "news"), "-q", "--config", str(config))
    by_name = {name: id_ for id_, name in _by_source(cli).items()}
    a, b = by_name["original.txt"], by_name["typos.txt"]
    found = json.loads(cli("explain", a, b, "--json"))  # no --config: the store's settings
    assert found["duplicate_threshold"] == 0.99
    assert "one article" in cli("explain", a, a, code=2)


def test_explain_on_a_store_with_settings_it_does_not_know(tmp_path: Path, cli: Cli) -> None:
    _corpus(tmp_path / "news")
    cli("run", str(tmp_path / "news"), "-q")
    ids = sorted(_by_source(cli))
    conn = sqlite3.connect(cli.db)
    [(stored,)] = conn.execute("SELECT value FROM meta WHERE key = 'dedupe_params'")
    params = json.loads(stored)
    params["duplicate"]["new_knob"] = 1  # as a newer newsdedup might write
    conn.execute("UPDATE meta SET value = ? WHERE key = 'dedupe_params'", (json.dumps(params),))
    conn.commit()
    conn.close()
    assert "upgrade newsdedup" in cli("explain", ids[0], ids[1], code=1)
