"""The user's two example files (../shared/seeds): the acceptance checks of ingest."""

from tests.conftest import Cli, needs_shared

TITLES = [
    "Tensions flare between Syrian leader’s foreign backers",
    "Syria: Deployment of Russian Forces in Qusayr Causes Friction with Hezbollah",
    "What Closer Egypt-NATO Ties Could Mean",
]


def test_seeds_give_three_clean_articles(cli: Cli) -> None:
    cli("ingest", str(needs_shared("seeds")))
    articles = cli.articles()
    assert [a["title"] for a in articles] == TITLES
    for article in articles:
        body = article["text"]
        lines = body.split("\n\n")
        assert article["title"] not in body
        assert "TT" not in lines and "20" not in lines
        assert "Click to Read more" not in body
        assert "bloggers like this" not in body
        for caption in article["captions"]:
            assert caption not in body
    ap, qusayr, egypt = articles
    assert "Bassem Mroue" in ap["authors"]
    assert ap["text"].startswith("BEIRUT — A Russian force deployment")
    assert ap["text"].endswith("along with Iran and Hezbollah.")
    assert qusayr["text"].startswith("A Russian troop deployment in Syria near the Lebanese border")
    assert qusayr["text"].endswith("from al-Tanf in eastern Syria.")
    assert egypt["text"].startswith("The Turkish and Italian embassies")
    assert egypt["text"].endswith("without formally joining them.")
    assert qusayr["captions"] and egypt["captions"]
    assert [a["source"] for a in articles] == sorted(a["source"] for a in articles)
