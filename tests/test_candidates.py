"""Which pairs LSH finds: those sharing a duplicate band or enough story bands, exactly."""

from __future__ import annotations

import random
from itertools import combinations
from pathlib import Path

import pytest

import dedupe.run
from dedupe.explain import bands_in_common
from dedupe.index import band_keys
from dedupe.run import DedupeParams, band_rows, triangle_candidates, verify, verify_inputs
from dedupe.signature import Shingled, StoryParams, TermVector, signature_batch
from dedupe.verify import judge
from store.dedupe import DedupeStore, Pair, Signature
from store.store import Store
from tests.conftest import Cli
from tests.corpus import Corpus


@pytest.mark.parametrize("least", [1, 3, 8])
def test_lsh_pairs_are_the_pairs_sharing_enough_bands_that_verify(
    least: int, news: tuple[Path, Corpus, dict[str, list[dict]]], cli: Cli
) -> None:
    folder, _, _ = news
    params = DedupeParams(story=StoryParams(min_shared_bands=least))
    config = cli.db.parent / "settings.toml"
    config.write_text(f"[story]\nmin_shared_bands = {least}\n")
    cli("run", str(folder), "-q", "--config", str(config))
    store = Store.open(cli.db)
    ds = DedupeStore(store)
    ids = sorted(row[0] for row in store.conn.execute("SELECT article FROM signatures"))
    signed = ds.signatures(ids)
    articles = ds.articles(ids)
    texts = {a.id: s for a, s in zip(articles, verify_inputs(articles, params), strict=True)}
    expected = set()
    for a, b in combinations(ids, 2):
        sa, sb = signed[a], signed[b]
        shared = bands_in_common(
            (sa.duplicate_minhash, sa.story_minhash),
            (sb.duplicate_minhash, sb.story_minhash),
            params.duplicate,
            params.story,
        )
        if shared["duplicate"] >= 1 or shared["story"] >= least:
            verdict = judge(texts[a], texts[b], TermVector(sa.story_terms),
                            TermVector(sb.story_terms), params.duplicate, params.story)
            if verdict.kind:
                expected.add((a, b))
    found = {(a, b) for rows in ds.iter_pair_rows(1000) for a, b, *_, via in rows if via == "lsh"}
    store.close()
    assert expected and found == expected


def test_verification_in_small_chunks_flags_the_same_pairs(
    news: tuple[Path, Corpus, dict[str, list[dict]]], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks hold few articles, and the shingles kept between them are made bare often.
    folder, _, _ = news
    cli("ingest", str(folder), "-q")
    store = Store.open(cli.db)
    ds = DedupeStore(store)
    ids = sorted(ds.unsigned())
    params = DedupeParams()
    dedupe.run.sign(ds, ds.articles(ids), params)
    pairs = list(combinations(ids, 2))
    whole = verify(ds, pairs, params, "lsh")
    monkeypatch.setattr(dedupe.run, "VERIFY_ARTICLES", 4)
    kept: dict[str, Shingled] = {}
    forwards = verify(ds, pairs, params, "lsh", kept)
    backwards = verify(ds, pairs[::-1], params, "lsh", kept)
    store.close()
    assert whole and forwards == whole and backwards == whole[::-1]
    fields = {"word_hashes", "shingle_size", "tolerance"}
    heavy = [a for a, s in kept.items() if vars(s).keys() != fields]
    assert len(kept) == len(ids) and len(heavy) <= 4  # those kept before there were many


def test_band_rows_are_every_articles_bands_sorted() -> None:
    params = DedupeParams()
    texts = [f"Story {i % 3}: troops near Qusayr, report number {i // 3}." for i in range(9)]
    found = signature_batch([("", text) for text in texts])
    # Copies share band keys: ties in (kind, band, key) are ordered by article id.
    signed = [
        Signature(f"a{i}", "", f.duplicate, f.story, dict(f.terms))
        for i, f in zip([5, 3, 8, 1, 0, 7, 2, 6, 4], found, strict=True)
    ]
    expected = []
    for s in signed:
        for kind, sketch in (("duplicate", s.duplicate_minhash), ("story", s.story_minhash)):
            bands, rows = params.duplicate.bands() if kind == "duplicate" else params.story.bands()
            for band, key in enumerate(band_keys(sketch, bands, rows)[0].tolist()):
                expected.append((kind, band, key, s.article))
    rows = band_rows(signed[::-1], params)
    assert rows == sorted(expected)
    assert len({(kind, band, key) for kind, band, key, _ in rows}) < len(rows)  # ties were met


def _closing_by_sets(
    edges: list[Pair], neighbours: dict[str, set[str]], known: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Triangle candidates as the loop over Python sets worked them out."""
    closing: set[tuple[str, str]] = set()
    for pair in edges:
        for one, other in ((pair.a, pair.b), (pair.b, pair.a)):
            closing.update((one, c) if one < c else (c, one) for c in neighbours[other] - {one})
    return sorted(closing - known)


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("edges_at_once", [1000, 3])
def test_triangle_candidates_are_those_of_the_loop_over_sets(
    seed: int, edges_at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedupe.run, "TRIANGLE_EDGES", edges_at_once)
    rng = random.Random(seed)
    nodes = [f"{rng.randrange(16**6):06x}" for _ in range(rng.randint(2, 40))]
    lsh = {tuple(sorted(rng.sample(nodes, 2))) for _ in range(rng.randint(1, 120))}
    neighbours: dict[str, set[str]] = {}
    for a, b in lsh:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    chosen = rng.sample(sorted(lsh), rng.randint(1, len(lsh)))
    edges = [Pair(a, b, "story", 0.0, 0.5, "lsh") for a, b in chosen]
    ends = {x for e in edges for x in (e.a, e.b)}
    around = {end: neighbours.get(end, set()) for end in ends}
    known = {(e.a, e.b) for e in edges} | {tuple(sorted(rng.sample(nodes, 2))) for _ in range(5)}
    assert triangle_candidates(edges, around, known) == _closing_by_sets(edges, around, known)
    assert triangle_candidates([], {}, set()) == []
