"""ECB+ articles are clean article text: the cleaner must take nothing out of them."""

from tests.conftest import Cli, needs_shared


def test_cleaner_removes_no_line_of_clean_articles(cli: Cli) -> None:
    docs = needs_shared("data/ecbplus-dev/docs")
    cli("ingest", str(docs), "--quiet")
    articles = cli.articles()
    assert len(articles) == 772
    removed = [(a["source"], r) for a in articles for r in a["removed"]]
    assert removed == []
