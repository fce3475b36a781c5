"""Which pairs LSH finds: those sharing a duplicate band or enough story bands, exactly."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from dedupe.explain import bands_in_common
from dedupe.run import DedupeParams, verify_input
from dedupe.signature import StoryParams, TermVector
from dedupe.verify import judge
from store.dedupe import DedupeStore
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
    texts = {a.id: verify_input(a, params) for a in ds.articles(ids)}
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
