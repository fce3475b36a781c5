"""bench.duplicates, bench.planted and bench.speed: smoke runs on small corpora."""

from __future__ import annotations

import importlib
import random
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _bench(monkeypatch: pytest.MonkeyPatch, name: str) -> ModuleType:
    """`bench` is not an installed package: import it from the repository root."""
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    return importlib.import_module(f"bench.{name}")


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return _bench(monkeypatch, "planted")


@pytest.fixture
def duplicates(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return _bench(monkeypatch, "duplicates")


@pytest.fixture
def speed(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return _bench(monkeypatch, "speed")


TEXT = " ".join(
    f"Sentence number {i} tells the reader about the ferry strike in Skarholm." for i in range(24)
)


# --- the perturbations ----------------------------------------------------------------------


def test_flat_text_is_cut_into_paragraphs_of_sentences(planted: ModuleType) -> None:
    parts = planted.paragraphs(TEXT, planted.MIN_PARAGRAPHS)
    assert len(parts) >= planted.MIN_PARAGRAPHS
    assert " ".join(parts) == TEXT


def test_each_perturbation_changes_the_text_and_is_seeded(planted: ModuleType) -> None:
    for kind in planted.PERTURBATIONS:
        first = planted.perturb(TEXT, kind, random.Random(1), ["A related headline"])
        again = planted.perturb(TEXT, kind, random.Random(1), ["A related headline"])
        assert first == again and first != TEXT
        if kind != "rewrap":  # rewrapping changes the lines only
            assert first.split() != TEXT.split(), kind


def test_truncation_keeps_half_to_nine_tenths(planted: ModuleType) -> None:
    for seed in range(20):
        kept = planted.truncated(TEXT, random.Random(seed)).split()
        words = [w for w in kept if w not in ("…", "[...]", "Read", "more")]
        low, high = planted.TRUNCATE_KEEP
        assert low * len(TEXT.split()) - 1 <= len(words) <= high * len(TEXT.split())


def test_drop_last_and_reorder_keep_every_other_sentence(planted: ModuleType) -> None:
    sentences = set(planted.paragraphs(TEXT, planted.MIN_PARAGRAPHS))
    dropped = planted.perturb(TEXT, "drop-last", random.Random(2)).split("\n\n")
    assert len(dropped) == len(sentences) - 1 and set(dropped) < sentences
    moved = planted.perturb(TEXT, "reorder", random.Random(2)).split("\n\n")
    assert sorted(moved) == sorted(sentences) and moved != sorted(sentences, key=TEXT.index)


def test_natural_labels_find_copies_and_leave_different_texts(planted: ModuleType) -> None:
    other = " ".join(f"Line {i}: the council voted on the library budget today." for i in range(24))
    sources = [
        planted.Source("a", "", TEXT),
        planted.Source("b", "", TEXT.replace("Skarholm", "Skarholm island")),
        planted.Source("c", "", TEXT[: len(TEXT) // 3]),  # a lede: under half the length
        planted.Source("d", "", other),
    ]
    labels = planted.natural_labels(sources)
    assert labels == {("a", "b"): "copy", ("a", "c"): "partial", ("b", "c"): "partial"}


# --- the benchmarks -------------------------------------------------------------------------


def test_planted_benchmark_smoke(duplicates: ModuleType) -> None:
    if not (SHARED / "data" / "ecbplus-dev").exists():
        pytest.skip(f"{SHARED} is absent: shared evaluation data lives beside the repository")
    report = duplicates.evaluate(SHARED, limit=50, rules=duplicates.PROPOSALS)
    text = "\n".join(report.lines)
    assert report.score.gold > 10
    assert report.score.precision >= 0.95, text
    assert report.score.recall >= 0.8, text
    for kind in ("truncate", "mixed", "copy-copy", "hard negatives"):
        assert kind in text


def test_speed_benchmark_smoke(speed: ModuleType, tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    speed.build_store(base, 1000, log=False)
    (tmp_path / "run").mkdir()
    run = speed.incremental_run(base, 1000, 100, tmp_path / "run" / "store.db")
    assert run.new == 100 and run.dedupe_s > 0 and run.peak_rss_mb > 50
    assert run.pairs["story"] > 0 and run.candidates_per_article > 0
    (tmp_path / "sign").mkdir()
    signing = speed.sign_speed(base, tmp_path / "sign" / "store.db", count=200, repeats=1)
    assert signing.articles == 200 and signing.sign_per_s > 0 and signing.signatures_per_s > 0


def test_synthetic_articles_do_not_depend_on_the_corpus_size(speed: ModuleType) -> None:
    assert list(speed.corpus(40, 60)) == list(speed.corpus(0, 60))[40:]
    kinds = {a.kind for a in speed.corpus(0, 400)}
    assert kinds == {"plain", "story", "copy"}
