"""bench.cleaning: the benchmark's scoring, the dump conversions, and a short run."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA = SHARED / "data" / "scrapinghub"


@pytest.fixture
def cleaning(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """`bench` is not an installed package: import it from the repository root."""
    monkeypatch.syspath_prepend(str(REPO_ROOT))
    return importlib.import_module("bench.cleaning")


# --- scoring, as evaluate.py computes it ------------------------------------------------------


def test_shingles_are_four_token_windows(cleaning: ModuleType) -> None:
    assert cleaning.shingles("a b c d e") == {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}


def test_short_text_is_one_short_shingle_and_empty_text_none(cleaning: ModuleType) -> None:
    assert cleaning.shingles("a, b!") == {("a", "b"): 1}
    assert cleaning.shingles("") == {}
    assert cleaning.shingles(None) == {}
    assert cleaning.shingles("...") == {}


def test_tokens_are_unicode_words_case_kept(cleaning: ModuleType) -> None:
    assert cleaning.shingles("Café niño") == {("Café", "niño"): 1}
    assert cleaning.match_counts("The cat sat down", "the cat sat down") == cleaning.Counts(
        0.0, 0.5, 0.5
    )


def test_match_counts_are_normalised_by_their_sum(cleaning: ModuleType) -> None:
    # truth shingles {abcd, bcde}, prediction {abcd}: tp 1, fp 0, fn 1
    assert cleaning.match_counts("a b c d e", "a b c d") == cleaning.Counts(0.5, 0.0, 0.5)
    # punctuation and line breaks do not matter, only the tokens
    assert cleaning.match_counts("a b c d", "a,\nb. c! d") == cleaning.Counts(1.0, 0.0, 0.0)


def test_match_counts_count_repeated_shingles(cleaning: ModuleType) -> None:
    # truth "x y z w x y z w" has xyzw twice plus yzwx, zwxy, wxyz; prediction xyzw once
    counts = cleaning.match_counts("x y z w x y z w", "x y z w")
    assert counts == cleaning.Counts(0.2, 0.0, 0.8)
    # a prediction repeating the truth twice has excess shingles
    assert cleaning.match_counts("a b c d", "a b c d a b c d") == cleaning.Counts(0.2, 0.8, 0.0)


def test_empty_truth_and_prediction_count_nothing(cleaning: ModuleType) -> None:
    assert cleaning.match_counts("", None) == cleaning.Counts(0.0, 0.0, 0.0)


def test_precision_and_recall_edge_cases(cleaning: ModuleType) -> None:
    counts = cleaning.Counts
    assert cleaning.precision_score(counts(0.0, 0.0, 0.0)) == 1.0  # fp = fn = 0
    assert cleaning.recall_score(counts(0.0, 0.0, 0.0)) == 1.0
    assert cleaning.precision_score(counts(0.0, 1.0, 0.0)) == 0.0  # nothing right
    assert cleaning.recall_score(counts(0.0, 1.0, 0.0)) == 0.0  # tp = fn = 0
    assert cleaning.precision_score(counts(0.5, 0.0, 0.5)) == 1.0
    assert cleaning.recall_score(counts(0.5, 0.0, 0.5)) == 0.5
    assert cleaning.precision_score(counts(0.25, 0.75, 0.0)) == 0.25


def test_summarise_averages_over_pages_where_defined(cleaning: ModuleType) -> None:
    counts = cleaning.Counts
    perfect = counts(1.0, 0.0, 0.0)
    empty_prediction = counts(0.0, 0.0, 1.0)  # left out of precision
    empty_truth = counts(0.0, 1.0, 0.0)  # left out of recall
    scores = cleaning.summarise([perfect, empty_prediction, empty_truth])
    assert scores.precision == pytest.approx(0.5)  # mean of 1 (perfect) and 0 (empty truth)
    assert scores.recall == pytest.approx(0.5)  # mean of 1 (perfect) and 0 (empty prediction)
    assert scores.f1 == pytest.approx(0.5)


def test_f1_is_the_harmonic_mean_of_the_means(cleaning: ModuleType) -> None:
    counts = cleaning.Counts
    scores = cleaning.summarise([counts(0.5, 0.0, 0.5), counts(0.5, 0.0, 0.5)])
    assert (scores.precision, scores.recall) == (1.0, 0.5)
    assert scores.f1 == pytest.approx(2 / 3)
    # per page precision 1 and 0.5: the mean is 0.75, not the pooled 2/3
    assert cleaning.summarise([counts(0.5, 0.0, 0.5), counts(0.5, 0.5, 0.0)]).precision == 0.75


def test_summarise_of_nothing_is_zero(cleaning: ModuleType) -> None:
    assert cleaning.summarise([cleaning.Counts(0.0, 0.0, 0.0)]) == cleaning.Scores(0.0, 0.0, 0.0)


# --- dump conversion -----------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Title</title><style>p {color: red}</style></head>
<body>
<nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<div>One <b>two</b>
   three</div><script>var x = 1;</script>
<p>Four<br>Five</p>
<ul><li>Six</li><li>  Seven&nbsp;  eight </li></ul>
<!-- a comment --><noscript>Enable JavaScript</noscript><template><p>Hidden</p></template>
<span>Nine</span> ten<p></p>
</body></html>"""


def test_page_text_is_visible_text_one_block_a_line(cleaning: ModuleType) -> None:
    assert (
        cleaning.page_text(PAGE)
        == "Home | News\nOne two three\nFour\nFive\nSix\nSeven eight\nNine ten"
    )


def test_text_after_a_hidden_element_is_kept(cleaning: ModuleType) -> None:
    assert cleaning.page_text("<p>a<script>x</script>b</p>") == "ab"


def test_region_prefers_article_body_then_article_then_main(cleaning: ModuleType) -> None:
    body = '<nav>Menu</nav><main><article><p>Teaser</p></article><div itemprop="articleBody">'
    body += "<p>Body</p></div></main><footer>Foot</footer>"
    assert cleaning.region_text(f"<html><body>{body}</body></html>") == "Body"
    assert cleaning.region_text("<body><main><p>M</p><article>A</article></main></body>") == "A"
    assert cleaning.region_text("<body><nav>Menu</nav><main><p>M</p></main></body>") == "M"
    assert cleaning.region_text("<body><div>x</div><p>y</p></body>") == "x\ny"


def test_region_leaves_out_the_text_after_it(cleaning: ModuleType) -> None:
    assert cleaning.region_text("<body><article><p>A</p></article> after</body>") == "A"


def test_xml_declared_page_parses(cleaning: ModuleType) -> None:
    html = '<?xml version="1.0" encoding="utf-8"?><html><body><p>Olá</p></body></html>'
    assert cleaning.page_text(html) == "Olá"


def test_text_path_keeps_a_clean_article(cleaning: ModuleType) -> None:
    text = "The bridge reopened on Tuesday after eight months of repairs.\nWhy now\nIt is cheap."
    assert cleaning.text_path(text).split("\n\n") == text.split("\n")


# --- a short run on the real data ----------------------------------------------------------------


def test_bench_runs_on_a_few_pages(
    cleaning: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (DATA / "ground-truth.json").is_file():
        pytest.skip(f"shared evaluation data not found at {DATA}")
    assert cleaning.main(["--data", str(DATA), "--limit", "3", "--jobs", "1"]) == 0
    rows = capsys.readouterr().out.strip().split("\n")
    assert rows[0] == "| system | F1 | precision | recall |"
    assert [row.split(" | ")[0].lstrip("| ") for row in rows[2:]] == list(cleaning.SYSTEMS)
    for row in rows[2:]:
        numbers = [float(cell) for cell in row.strip("| ").split(" | ")[1:]]
        assert all(0.0 <= number <= 1.0 for number in numbers)
