"""bench.peers: mapping each tool's output to clusters, scores, the table, the corpus and
the measuring wrapper. Installing and running the peers needs PyPI and minutes: those
tests run only with NEWSDEDUP_BENCH_PEERS=1."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from bench.peers import (
    PEERS_DIR,
    PeerError,
    PeerResult,
    Score,
    Settings,
    clusters_from_labels,
    fastest,
    gold_path_for,
    main,
    make_corpus,
    measure,
    newsdedup_clusters,
    normalise,
    pair_score,
    reachable_pairs,
    run_peer,
    table,
    write_corpus,
)

NETWORK = os.environ.get("NEWSDEDUP_BENCH_PEERS") == "1"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PEERS_DIR / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- output -> clusters -------------------------------------------------------------------


def test_labels_become_clusters_of_two_or_more_sorted() -> None:
    labels = {"c": 7, "a": 7, "b": 3, "d": 5, "e": 5, "f": 5}
    assert clusters_from_labels(labels) == [["a", "c"], ["d", "e", "f"]]


def test_union_find_roots_as_labels() -> None:
    # text-dedup and the datasketch baseline write {node: root}; the root is a node too
    labels = {"x2": "x1", "x1": "x1", "y": "y"}
    assert clusters_from_labels(labels) == [["x1", "x2"]]


def test_normalise_drops_repeats_and_singletons() -> None:
    assert normalise([["b", "a", "b"], ["z"], ["z", "z"], ["d", "c"]]) == [["a", "b"], ["c", "d"]]


def test_newsdedup_clusters_map_to_corpus_ids_and_keep_duplicates_only() -> None:
    articles = [
        {"id": "h1", "metadata": {"source": {"extra": {"id": "doc-1"}}}},
        {"id": "h2", "metadata": {"source": {"extra": {"id": "doc-2"}}}},
        {"id": "h3", "metadata": {"source": {"extra": {"id": "doc-3"}}}},
    ]
    clusters = [
        {"kind": "duplicate", "members": ["h2", "h1"]},
        {"kind": "story", "members": ["h1", "h2", "h3"]},
    ]
    assert newsdedup_clusters(articles, clusters) == [["doc-1", "doc-2"]]


def test_newsdedup_article_without_corpus_id_is_an_error() -> None:
    with pytest.raises(PeerError, match="no corpus id"):
        newsdedup_clusters([{"id": "h1", "metadata": {}}], [])


def test_datatrove_split_keeps_order_in_consecutive_shards(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    lines = [json.dumps({"id": str(i), "text": f"t{i}"}) + "\n" for i in range(5)]
    corpus.write_text("".join(lines))
    _script("run_datatrove").split_corpus(corpus, tmp_path / "in", 2)
    assert (tmp_path / "in" / "00000.jsonl").read_text() == "".join(lines[:3])
    assert (tmp_path / "in" / "00001.jsonl").read_text() == "".join(lines[3:])


def test_datasketch_baseline_finds_a_near_copy_only(tmp_path: Path) -> None:
    words = [f"w{i}" for i in range(300)]
    text = " ".join(words)
    near = " ".join([*words[:150], "changed", *words[151:]])
    other = " ".join(f"v{i}" for i in range(300))
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": i, "text": t}) + "\n"
                              for i, t in (("a", text), ("b", near), ("c", other))))
    labels = _script("run_datasketch").dedupe(corpus, 0.8, 128, 5)
    assert clusters_from_labels(labels) == [["a", "b"]]


# --- scores -------------------------------------------------------------------------------


def test_pair_score_counts_pairs_within_clusters() -> None:
    gold = {"a": "g1", "b": "g1", "c": "g1", "d": "g2", "e": "g2", "f": "g3"}
    # gold pairs: ab ac bc de = 4; flagged: ab, de df ef -> correct ab, de
    score = pair_score([["a", "b"], ["d", "e", "f"]], gold)
    assert (score.gold, score.flagged, score.correct) == (4, 4, 2)
    assert score.precision == 0.5
    assert score.recall == 0.5


def test_pair_score_ids_missing_from_gold_are_singletons() -> None:
    score = pair_score([["x", "y"]], {"a": "g", "b": "g"})
    assert (score.gold, score.flagged, score.correct) == (1, 1, 0)


def test_pair_score_of_nothing_found_is_perfect_precision_zero_recall() -> None:
    score = pair_score([], {"a": "g", "b": "g"})
    assert score.precision == 1.0
    assert score.recall == 0.0


def test_reachable_recall_counts_only_pairs_at_the_threshold() -> None:
    base = [f"w{i}" for i in range(100)]
    texts = {
        "a": " ".join(base),
        "b": " ".join(base[:99]),  # Jaccard 95/96
        "c": " ".join(base[:50] + [f"x{i}" for i in range(50)]),  # far
    }
    gold = {"a": "g", "b": "g", "c": "g"}
    near = reachable_pairs(texts, gold, 0.8, 5)
    assert near == [("a", "b")]
    score = pair_score([["a", "b"]], gold, near)
    assert (score.reachable, score.reached, score.reachable_recall) == (1, 1, 1.0)
    assert score.recall == pytest.approx(1 / 3)


# --- the table ----------------------------------------------------------------------------


def _result(tool: str, seconds: float, cpu: float | None = None) -> PeerResult:
    return PeerResult(tool, seconds, 100.0, [["a", "b"]], 150.0, cpu, "1.0")


def test_table_gives_newsdedup_time_as_a_multiple_of_each_tool() -> None:
    results = [_result("newsdedup", 30.0, 20.0), _result("datasketch", 10.0, 4.0)]
    scores = {r.tool: Score(2, 1, 1, 1, 1) for r in results}
    rows = table(results, scores, 0.8)
    assert rows[0].startswith("| tool | version | wall s | CPU s | newsdedup ÷ tool, wall |")
    assert rows[0].endswith("| precision | recall | recall, gold pairs with J ≥ 0.8 |")
    assert rows[3] == (
        "| datasketch | 1.0 | 10.0 | 4.0 | 3.00 | 5.00 | 100 | 150 | 1 | 1 "
        "| 1.000 | 0.500 | 1.000 |"
    )


def test_table_without_newsdedup_or_gold_leaves_those_cells_out() -> None:
    rows = table([_result("datatrove", 5.0)])
    assert len(rows) == 3
    assert rows[2] == "| datatrove | 1.0 | 5.0 |  |  |  | 100 | 150 | 1 | 1 |"


def test_fastest_keeps_each_tools_quickest_run_in_first_order() -> None:
    runs = [_result("b", 5.0), _result("a", 3.0), _result("b", 4.0), _result("a", 6.0)]
    assert [(r.tool, r.seconds) for r in fastest(runs)] == [("b", 4.0), ("a", 3.0)]


def test_comparable_bands_are_datasketchs_for_0_8() -> None:
    assert Settings().bands() == (9, 13)


def test_unknown_tool_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PeerError, match="unknown tool"):
        run_peer("nope", tmp_path / "c.jsonl", tmp_path)


# --- the synthetic corpus -----------------------------------------------------------------


def test_corpus_is_deterministic_and_copies_join_their_original() -> None:
    records, gold = make_corpus(300, seed=3)
    assert (records, gold) == make_corpus(300, seed=3)
    assert len(records) == 300
    assert sorted(gold) == sorted(r["id"] for r in records)
    copies = [r["id"] for r in records if "-" in r["id"]]
    assert copies
    for copy_id in copies:
        members = [d for d, g in gold.items() if g == gold[copy_id]]
        assert any("-" not in m for m in members)  # the original is in the group


def test_corpus_copies_are_near_and_near_misses_are_not_gold() -> None:
    records, gold = make_corpus(600, seed=5)
    texts = {r["id"]: r["text"] for r in records}
    near = reachable_pairs(texts, gold, 0.8, 5)
    gold_pairs = pair_score([], gold).gold
    assert 0.5 * gold_pairs < len(near) < gold_pairs  # most copies near, some harder


def test_make_corpus_writes_corpus_and_gold(tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    assert main(["--make-corpus", str(out), "--docs", "50"]) == 0
    gold = json.loads(gold_path_for(out).read_text())
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert sorted(ids) == sorted(gold)


def test_write_corpus_gold_beside_it(tmp_path: Path) -> None:
    path = write_corpus([{"id": "a", "text": "x"}], {"a": "g"}, tmp_path / "sub" / "c.jsonl")
    assert path == tmp_path / "sub" / "c.gold.json"


# --- measuring ----------------------------------------------------------------------------


def test_measure_counts_memory_and_cpu_of_workers_left_behind(tmp_path: Path) -> None:
    # the child starts a grandchild that outlives it: without the subreaper its CPU time
    # and memory would be lost; the wall time is the child's
    grandchild = (
        "import time; x = bytearray(80 * 2**20); t = time.process_time()\n"
        "while time.process_time() - t < 0.3: pass\n"
        "time.sleep(3)"
    )
    child = (
        "import subprocess, sys; "
        f"subprocess.Popen([sys.executable, '-c', {grandchild!r}])"
    )
    m = measure([sys.executable, "-c", child], tmp_path, tmp_path / "log", dict(os.environ))
    assert m.returncode == 0
    assert m.peak_rss_mb >= 80
    assert m.cpu_seconds >= 0.3
    assert m.seconds < 3


def test_measure_reports_the_exit_code(tmp_path: Path) -> None:
    m = measure([sys.executable, "-c", "raise SystemExit(3)"], tmp_path, tmp_path / "log",
                dict(os.environ))
    assert m.returncode == 3


# --- the peers themselves (PyPI, venvs, minutes) ------------------------------------------


@pytest.mark.skipif(not NETWORK, reason="set NEWSDEDUP_BENCH_PEERS=1 to install and run peers")
@pytest.mark.parametrize("tool", ["datatrove", "datatrove-split", "text-dedup", "datasketch",
                                  "newsdedup"])
def test_peer_finds_planted_copies(tool: str, tmp_path: Path) -> None:
    records, gold = make_corpus(400, seed=11)
    corpus = tmp_path / "c.jsonl"
    write_corpus(records, gold, corpus)
    result = run_peer(tool, corpus, tmp_path / "work")
    texts = {r["id"]: r["text"] for r in records}
    score = pair_score(result.clusters, gold, reachable_pairs(texts, gold, 0.8, 5))
    assert result.seconds > 0 and result.peak_rss_mb > 0
    assert score.precision > 0.95
    assert score.reachable_recall > 0.7
