"""bench.results, the runner behind `make bench`: a small run end to end (no timings
checked), so that the harness keeps working."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_small_run_writes_every_table_and_the_plot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    results = importlib.import_module("bench.results")
    speed = importlib.import_module("bench.speed")
    monkeypatch.setattr(results, "OUT", tmp_path / "out")  # caches stay out of bench/out
    monkeypatch.setattr(speed, "OUT", tmp_path / "out")
    plot = importlib.util.find_spec("matplotlib") is not None
    code = results.main([
        "--sizes", "1000", "--peer-sizes", "200", "--tools", "newsdedup", "--new", "50",
        "--repeats", "1", "--sign-count", "50", "--no-quality", "--no-seeds",  # tested apart
        "--output", str(tmp_path),
        *([] if plot else ["--no-plot"]),
    ])
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert code == 0, [line for line in text.splitlines() if "**Failed**" in line]
    assert "## Targets" in text and "articles/s" in text
    assert "| 1,000 |" in text  # the incremental run into the 1,000-article store
    assert "| newsdedup | " in text  # its whole run on the 200-document corpus
    assert "- machine:" in text and "datasketch" in text
    if plot:
        assert (tmp_path / "results.png").stat().st_size > 1000


def test_seeds_check_finds_the_qusair_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    results = importlib.import_module("bench.results")
    seeds = REPO_ROOT.parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip(f"{seeds} is absent")
    check = results.seeds_check(seeds, tmp_path)
    assert check.ok, check
    assert "| AP and Reuters in one story cluster | yes |" in results.seeds_lines(check)


def test_targets_hold_each_of_our_runs_to_each_peer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    results = importlib.import_module("bench.results")
    peers = importlib.import_module("bench.peers")

    def ran(tool: str, seconds: float) -> object:
        return peers.PeerResult(tool, seconds, 100.0, [["a", "b"]])

    good, worse = peers.Score(2, 2, 2), peers.Score(2, 2, 1)
    found = {
        10_000: [ran("newsdedup", 40.0), ran("newsdedup-duplicates", 20.0),
                 ran("datasketch", 10.0)],
        100_000: [ran("newsdedup-duplicates", 30.0), ran("datasketch", 100.0)],
    }
    scores = {10_000: {"newsdedup": good, "newsdedup-duplicates": good, "datasketch": good},
              100_000: {"newsdedup-duplicates": good, "datasketch": worse}}
    rows = results.targets({"peers": (found, scores)})[2:]
    assert rows == [
        "| newsdedup >= 3x faster than datasketch at 100,000, equal or better P/R (issue 5) "
        "| 0.25x as fast (P 1.000 / R 1.000 vs 1.000 / 1.000) (at 10,000; not run at 100,000) "
        "| **no** |",
        "| newsdedup-duplicates >= 3x faster than datasketch at 100,000, equal or better P/R "
        "(issue 5) | 3.33x as fast (P 1.000 / R 1.000 vs 0.500 / 0.500) | yes |",
    ]
