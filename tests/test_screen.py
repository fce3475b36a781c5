"""dedupe.screen: candidates that cannot be flagged are left out, and only those."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import dedupe.run
import dedupe.screen as screen
from dedupe.signature import DUPLICATE_PARAMS, STORY_PARAMS, TermVector
from tests.conftest import Cli


def _sets(*members: list[int]) -> list[np.ndarray]:
    return [np.array(sorted(set(m)), dtype=np.uint32) for m in members]


def test_shared_counts_are_exact_for_small_groups() -> None:
    rng = random.Random(3)
    sets = _sets(*[[rng.randrange(60) for _ in range(rng.randrange(0, 40))] for _ in range(12)])
    left = np.array([i for i in range(12) for j in range(12) if i != j], dtype=np.int64)
    right = np.array([j for i in range(12) for j in range(12) if i != j], dtype=np.int64)
    shared = screen.shared_upper_bound(sets, left, right)
    exact = [len(set(sets[i].tolist()) & set(sets[j].tolist()))
             for i, j in zip(left, right, strict=True)]
    assert shared.tolist() == exact


def test_hashes_held_by_many_sets_only_raise_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(screen, "MAX_GROUP", 2)
    sets = _sets([1, 2, 3], [1, 2, 4], [1, 5], [6])
    left, right = np.array([0, 0, 2, 1]), np.array([1, 3, 3, 2])
    # 1 is in three sets: not counted, but added to pairs of sets that both hold such.
    assert screen.shared_upper_bound(sets, left, right).tolist() == [2, 0, 0, 1]


def test_unrelated_pairs_are_screened_out_and_close_ones_kept() -> None:
    words = {f"w{i}": 2.0 + i % 3 for i in range(30)}
    same = TermVector(dict(list(words.items())[:20]))
    other = TermVector({f"x{i}": 3.0 for i in range(20)})
    base = list(range(300))
    sets = {
        "a": np.array(base, dtype=np.uint32),
        "b": np.array(base[:290] + [1000 + i for i in range(10)], dtype=np.uint32),
        "c": np.array(range(5000, 5100), dtype=np.uint32),  # a third as long: never contained
        "d": np.array(range(9000, 9300), dtype=np.uint32),
    }
    vectors = {"a": same, "b": other, "c": other, "d": same}
    pairs = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("c", "d")]
    kept = screen.worth_judging(pairs, sets, vectors, DUPLICATE_PARAMS, STORY_PARAMS)
    # a-b: near copies; a-d and b-c: the same terms; a-c and c-d: nothing in common, and
    # lengths too far apart for one to be the other cut short.
    assert kept == [("a", "b"), ("a", "d"), ("b", "c")]


def _write_corpus(folder: Path, seed: int) -> None:
    """Articles over a small vocabulary, with copies and shared passages."""
    rng = random.Random(seed)
    vocabulary = [f"word{i}" for i in range(300)] + ["Skarholm", "Qusayr", "Velmora", "2,400"]
    folder.mkdir(parents=True)
    texts: list[str] = []
    for n in range(80):
        if texts and rng.random() < 0.3:
            words = rng.choice(texts).split()
            for _ in range(rng.randrange(0, 8)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            if rng.random() < 0.3:
                words = words[: len(words) * rng.randint(5, 9) // 10]
        else:
            words = [rng.choice(vocabulary) for _ in range(rng.randint(40, 160))]
        text = " ".join(words)
        texts.append(text)
        title = " ".join(rng.choice(vocabulary) for _ in range(6)).capitalize()
        (folder / f"{n:03d}.txt").write_text(f"{title}\n\n{text}.\n", encoding="utf-8")


@pytest.mark.parametrize("seed", [1, 2])
def test_screened_run_flags_exactly_what_judging_every_candidate_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    folder = tmp_path / "news"
    _write_corpus(folder, seed)
    screened, unscreened = Cli(tmp_path / "screened.db"), Cli(tmp_path / "all.db")
    screened("run", str(folder), "-q")
    calls: list[int] = []

    def everything(candidates: list[tuple[str, str]], *args: object) -> list[tuple[str, str]]:
        calls.append(len(candidates))
        return list(candidates)

    monkeypatch.setattr(dedupe.run, "worth_judging", everything)
    unscreened("run", str(folder), "-q")
    assert sum(calls) > 0
    for what in ("pairs", "clusters"):
        assert screened("export", what) == unscreened("export", what)
