"""Dedupe acceptance checks on the shared data: the user's seeds and ECB+ in chunks."""

import json
import random
import shutil
from pathlib import Path

from tests.conftest import Cli, needs_shared


def test_seeds_ap_and_qusayr_reports_are_one_story(cli: Cli) -> None:
    cli("run", str(needs_shared("seeds")), "-q")
    titles = {a["id"]: a["title"] for a in cli.articles()}
    clusters = [json.loads(line) for line in cli("export", "clusters").splitlines()]
    assert [c["kind"] for c in clusters] == ["story"]
    assert sorted(titles[m] for m in clusters[0]["members"]) == [
        "Syria: Deployment of Russian Forces in Qusayr Causes Friction with Hezbollah",
        "Tensions flare between Syrian leader’s foreign backers",
    ]


def _by_source(cli: Cli, what: str) -> list[tuple]:
    source = {a["id"]: a["source"] for a in cli.articles()}
    rows = [json.loads(line) for line in cli("export", what).splitlines()]
    if what == "clusters":
        return sorted(
            (r["kind"], source[r["canonical"]], sorted(source[m] for m in r["members"]))
            for r in rows
        )
    return sorted(
        (sorted((source[r["a"]], source[r["b"]])), r["kind"], round(r["score"], 6)) for r in rows
    )


def test_ecbplus_in_five_chunks_equals_one_batch(tmp_path: Path) -> None:
    docs = needs_shared("data/ecbplus-dev/docs")
    batch = Cli(tmp_path / "batch.db")
    batch("run", str(docs), "-q")
    files = sorted(docs.glob("*/*.json"))
    random.Random(5).shuffle(files)
    growing = tmp_path / "docs"
    chunked = Cli(tmp_path / "chunked.db")
    size = -(-len(files) // 5)
    for start in range(0, len(files), size):
        for path in files[start : start + size]:
            (growing / path.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, growing / path.parent.name / path.name)
        chunked("run", str(growing), "-q")
    assert _by_source(chunked, "clusters") == _by_source(batch, "clusters")
    assert _by_source(chunked, "pairs") == _by_source(batch, "pairs")
    assert _story_f1(batch, docs.parent / "index.tsv") >= 0.90


def _story_f1(cli: Cli, index: Path) -> float:
    """B³ F1 of the story clusters against ECB+'s event clusters (singletons count)."""
    from bench.stories import b_cubed

    gold = {}
    for line in index.read_text().splitlines()[1:]:
        path, _, cluster, _ = line.split("\t")
        gold[path.removeprefix("docs/")] = cluster
    source = {a["id"]: a["source"] for a in cli.articles()}
    predicted = {path: f"alone:{path}" for path in source.values()}
    for line in cli("export", "clusters").splitlines():
        cluster = json.loads(line)
        if cluster["kind"] == "story":
            for member in cluster["members"]:
                predicted[source[member]] = cluster["id"]
    return b_cubed(predicted, gold)[2]
