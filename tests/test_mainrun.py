"""select_main_run: keep clean articles whole, find the article inside a page dump."""

from __future__ import annotations

import pytest

from ingest.mainrun import (
    boilerplate_verdicts,
    describe,
    max_run,
    repeated_lines,
    select_main_run,
    table_lines,
)

NEWS_ARTICLE = "\n".join(
    [
        "LONDON, Nov 19 (Reuters) -",
        (
            "Britain's biggest port operator said on Tuesday it would spend 300 million pounds on "
            "new cranes, betting that trade through its terminals will recover next year."
        ),
        (
            "The company, which handles about a third of the country's container traffic, said the "
            "investment would be spread over three years."
        ),
        '"We are building for the long term," chief executive Anna Berg said.',
        "Why now",
        (
            "Shipping volumes fell 4% in the first half as importers ran down stocks built up "
            "earlier in the year."
        ),
        "Analysts said the timing looked bold.",
        "Ms Berg disagreed.",
        "The cranes will be built in Finland and the first two are due to arrive in March.",
        "(Reporting by Tom Ellis; Editing by Sara Nunes)",
    ]
)

ARTICLE_WITH_LIST = "\n".join(
    [
        (
            "The festival announced its full line-up on Monday, with three new stages and a later "
            "finish on Saturday night."
        ),
        "",
        (
            "Organisers said ticket sales had already passed last year's total, helped by a "
            "cheaper pass for students."
        ),
        "",
        "Tour dates:",
        "",
        "June 9 - Brighton, The Dome",
        "June 12 - Leeds, Town Hall",
        "June 14 - Glasgow, Barrowland",
        "June 20 - Cardiff, Tramshed",
        "",
        "Tickets go on sale on Friday at 9am.",
    ]
)

PORTUGUESE_ARTICLE = "\n".join(
    [
        (
            "A prefeitura anunciou nesta terça-feira um novo plano para reduzir as filas nos "
            "postos de saúde da cidade."
        ),
        (
            "Segundo a secretária, o atendimento domiciliar vai chegar a mais vinte bairros até o "
            "fim do ano."
        ),
        '"É um passo importante", disse ela.',
        "Os moradores poderão marcar consultas pelo telefone ou pelo aplicativo da prefeitura.",
    ]
)

JAPANESE_ARTICLE = "\n".join(
    [
        "市は火曜日、港の橋が八か月ぶりに通行を再開したと発表した。",
        "補修工事では二本の鋼製の支柱を交換し、路面もすべて舗装し直した。",
        "通勤客からは喜びの声が上がった。",
    ]
)

CLEAN_ARTICLES = [NEWS_ARTICLE, ARTICLE_WITH_LIST, PORTUGUESE_ARTICLE, JAPANESE_ARTICLE]

MENU = "\n".join(
    [
        "Skip to content",
        "Home",
        "World",
        "Business",
        "Markets",
        "Technology",
        "Sport",
        "Culture",
        "Travel",
        "Video",
        "Podcasts",
        "Sign in",
        "Subscribe",
    ]
)

HEADER = "\n".join(
    [
        "Britain's biggest port operator to spend £300m on cranes",
        "By Tom Ellis",
        "November 19, 2019 at 8:30 am",
        "Share",
        "Facebook",
        "Twitter",
        "Email",
    ]
)

TEASERS = "\n".join(
    [
        "Related",
        "Port strike ends after pay deal",
        "Container prices fall for a third month",
        "Ferry operator names new chief executive",
    ]
)

FOOTER = "\n".join(
    [
        "Privacy Policy",
        "Terms of Use",
        "Contact Us",
        "© 2019 The Daily Example. All rights reserved.",
    ]
)

COMMENTS = "\n".join(
    [
        "3 Comments",
        "harbourwatcher says:",
        "November 19, 2019 at 9:12 am",
        (
            "About time they invested in something other than car parks. The old cranes were "
            "breaking down every week."
        ),
        "dockhand77 says:",
        "November 19, 2019 at 9:40 am",
        (
            "Built in Finland, of course. Nothing is made here any more, and nobody in charge "
            "seems to mind at all."
        ),
    ]
)


def page(*parts: str) -> list[str]:
    return "\n".join(parts).split("\n")


def kept(lines: list[str]) -> list[str]:
    return [line for line, drop in zip(lines, select_main_run(lines), strict=True) if drop is None]


@pytest.mark.parametrize("text", CLEAN_ARTICLES)
def test_clean_article_keeps_every_line(text: str) -> None:
    lines = text.split("\n")
    assert select_main_run(lines) == [None] * len(lines)


@pytest.mark.parametrize("text", CLEAN_ARTICLES)
def test_clean_article_with_blank_lines_between_paragraphs_keeps_every_line(text: str) -> None:
    lines = text.replace("\n", "\n\n").split("\n")
    assert select_main_run(lines) == [None] * len(lines)


def test_empty_input() -> None:
    assert select_main_run([]) == []
    assert select_main_run(["", ""]) == [None, None]


def test_navigation_around_an_article_is_dropped() -> None:
    lines = page(MENU, HEADER, NEWS_ARTICLE, TEASERS, FOOTER)
    verdicts = select_main_run(lines)
    # The dateline and the credit line, short and without a full stop, go with the page.
    assert kept(lines) == NEWS_ARTICLE.split("\n")[1:-1]
    assert all(isinstance(verdict, str) and verdict for verdict in verdicts[: len(MENU.split())])
    assert verdicts[lines.index("Share")] == "share widget"
    assert verdicts[lines.index("Sign in")] == "account link"
    assert verdicts[lines.index("Privacy Policy")] == "navigation"
    assert verdicts[lines.index("Related")] == "teasers heading"
    assert verdicts[lines.index("By Tom Ellis")] == "before main text"


def test_subheadings_and_short_paragraphs_inside_the_article_stay() -> None:
    lines = page(MENU, HEADER, NEWS_ARTICLE, FOOTER)
    kept_lines = kept(lines)
    for short in ("Why now", "Analysts said the timing looked bold.", "Ms Berg disagreed."):
        assert short in kept_lines


def test_comment_section_after_the_article_is_dropped() -> None:
    lines = page(MENU, HEADER, NEWS_ARTICLE, COMMENTS, FOOTER)
    verdicts = dict(zip(lines, select_main_run(lines), strict=True))
    assert verdicts["3 Comments"] == "comments heading"
    assert verdicts["harbourwatcher says:"] == "comment section"
    assert verdicts[COMMENTS.split("\n")[3]] == "comment section"
    assert verdicts["Ms Berg disagreed."] is None


def test_inline_box_of_links_does_not_end_the_article() -> None:
    more = "\n".join(
        [
            (
                "Ms Berg said the new cranes would cut the time a ship spends at the quay by a "
                "fifth, which would let the port take larger vessels on its busiest routes."
            ),
            (
                "Unions welcomed the plan but asked for talks on training, saying the new machines "
                "would need fewer drivers and more technicians."
            ),
            (
                "The port's shares rose 3% in London after the announcement, their biggest gain in "
                "a month."
            ),
        ]
    )
    first, second = NEWS_ARTICLE.split("\n")[:4], more.split("\n")
    lines = page(MENU, HEADER, *first, TEASERS, *second, FOOTER)
    kept_lines = kept(lines)
    assert kept_lines[-3:] == second
    assert "Related" not in kept_lines


def test_one_long_paragraph_after_an_inline_box_of_links_is_kept() -> None:
    last = (
        "Challenges include training the new crews, who will have to learn to drive the cranes "
        "from a control room, and moving the old cranes off the quay without closing it to ships "
        "for more than a week."
    )
    lines = page(MENU, HEADER, *NEWS_ARTICLE.split("\n")[:4], TEASERS, last, FOOTER)
    assert kept(lines)[-1] == last


def test_teaser_list_with_dates_after_the_article_is_dropped() -> None:
    teasers = "\n".join(
        [
            "More from Business",
            "Ferry operator names new chief executive",
            "By Ann Lee",
            "November 18, 2019",
            "The company picked a former airline boss to lead it through a difficult winter.",
            "Container prices fall for a third month",
            "By Raj Patel",
            "November 17, 2019",
            "Rates on the main Asia to Europe routes slipped again as new ships joined the fleet.",
        ]
    )
    lines = page(MENU, HEADER, NEWS_ARTICLE, teasers, FOOTER)
    verdicts = dict(zip(lines, select_main_run(lines), strict=True))
    assert verdicts["Ms Berg disagreed."] is None
    assert verdicts[
        "The company picked a former airline boss to lead it through a difficult winter."
    ]


def test_list_right_after_the_article_is_kept() -> None:
    tour = "\n".join(
        [
            "The band's tour dates",
            "June 9 - West Palm Beach, FL @ Coral Sky Amphitheatre",
            "June 10 - Tampa, FL @ MIDFLORIDA Credit Union Amphitheatre",
            "June 14 - Alpharetta, GA @ Ameris Bank Amphitheatre",
            "June 17 - Nashville, TN @ Bridgestone Arena",
            "June 19 - Charlotte, NC @ PNC Music Pavilion",
            "June 20 - Raleigh, NC @ Coastal Credit Union Music Park",
        ]
    )
    lines = page(MENU, HEADER, NEWS_ARTICLE, tour, FOOTER)
    assert kept(lines)[-6:] == tour.split("\n")[-6:]


def test_advertisement_inside_the_article_is_dropped() -> None:
    paragraphs = NEWS_ARTICLE.split("\n")
    lines = page(MENU, *paragraphs[:3], "Advertisement", *paragraphs[3:], FOOTER)
    verdicts = dict(zip(lines, select_main_run(lines), strict=True))
    assert verdicts["Advertisement"] == "advertising"
    assert verdicts[paragraphs[3]] is None


def test_a_teaser_shown_twice_on_a_page_does_not_join_the_article() -> None:
    ticker = "\n".join(
        f"Headline number {n} about the markets. Shares rose on Tuesday as traders bet on a deal."
        for n in range(6)
    )
    lines = page(MENU, ticker, HEADER, NEWS_ARTICLE, FOOTER, ticker)
    assert "Headline number 0 about the markets." not in " ".join(kept(lines))


def test_page_without_any_prose_keeps_nothing() -> None:
    lines = page(MENU, FOOTER)
    assert all(verdict is not None for verdict in select_main_run(lines))


def test_max_run_finds_the_span_with_the_largest_total() -> None:
    assert max_run([-1.0, 2.0, 3.0, -10.0, 4.0]) == (1, 3)
    assert max_run([-5.0, 4.0, -1.0, 3.0, -9.0]) == (1, 4)
    assert max_run([-1.0, -2.0]) == (0, 0)
    assert max_run([]) == (0, 0)


def test_describe_tells_furniture_from_text() -> None:
    assert describe("November 19, 2019 at 9:12 am").furniture == "date"
    assert describe("By Tom Ellis").furniture == "byline"
    assert describe("harbourwatcher says:").furniture == "comment header"
    assert describe("63").furniture is None  # a bare number is not a date
    assert describe("Ms Berg disagreed.").furniture is None
    assert describe("Omar asked for compassion in a letter posted on Twitter.").boilerplate is None
    assert describe("Follow us on Twitter").boilerplate == "promotion"
    assert describe("Home | News | Sport").boilerplate == "navigation"


def test_boilerplate_verdicts_drop_widgets_but_keep_text_and_promotions() -> None:
    lines = [
        "The bridge reopened on Tuesday.",
        "Share this article",
        "Related: Port strike ends after pay deal",
        "Follow Tom Ellis on Twitter.",
        "(Image: Getty)",
        "Why now",
    ]
    assert boilerplate_verdicts(lines) == [
        None,
        "share widget",
        "teaser link",
        None,
        "photo credit",
        None,
    ]


@pytest.mark.parametrize(
    "line, label",
    [
        ("The mayor at the site. Getty Images", "photo credit"),
        ("A crowd at the port (Photo by Jane Doe)", "photo credit"),
        ("Photo: Jane Doe", "photo credit"),
        ("The crane at dusk. ISTOCKPHOTO.", "photo credit"),
        ("Workers at the dock, as seen in an AP photo", "photo credit"),
        ("Getty Images bought the archive in May, the company said.", None),
        ("The photographers of Getty Images were at the port on Tuesday, and more", None),
    ],
)
def test_photo_credits_at_the_start_in_brackets_or_at_the_end(line: str, label: str | None) -> None:
    assert describe(line).boilerplate == label


def test_embedded_post_signature_is_text_not_a_date() -> None:
    signature = "— Port of Skarholm (@skarholmport) November 19, 2019"
    assert describe(signature).furniture is None
    assert describe("November 19, 2019").furniture == "date"


def test_embedded_post_signature_shown_twice_is_not_a_repeat() -> None:
    signature = "— Port of Skarholm (@skarholmport) November 19, 2019"
    teaser = "Ferry resumes service to Skarholm after repairs"
    assert repeated_lines([signature, "Text.", signature, teaser, teaser]) == [
        False,
        False,
        False,
        True,
        True,
    ]


STANDINGS = "\n".join(
    [
        "Pos.",
        "Club",
        "Played",
        "Points",
        "1",
        "Harbour Rovers",
        "12",
        "30",
        "2",
        "Mill Lane United",
        "12",
        "27",
        "3",
        "Castle Athletic",
        "12",
        "22",
        "4",
        "Riverside Town",
        "11",
        "19",
    ]
)


def test_table_dumped_one_cell_a_line_is_found_with_its_header() -> None:
    lines = page("Ms Berg disagreed.", STANDINGS, "Ms Berg disagreed.")
    assert table_lines(lines) == [False] + [True] * len(STANDINGS.split("\n")) + [False]


def test_share_counters_and_page_numbers_are_not_tables() -> None:
    counters = ["Facebook", "12", "Twitter", "5", "Email", "3", "Reddit", "1"]
    pages = ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert not any(table_lines(counters))
    assert not any(table_lines(pages))


def test_table_inside_and_after_the_article_is_kept() -> None:
    paragraphs = NEWS_ARTICLE.split("\n")
    lines = page(MENU, HEADER, *paragraphs[:5], STANDINGS, *paragraphs[5:-1], STANDINGS, FOOTER)
    kept_lines = kept(lines)
    assert kept_lines.count("Harbour Rovers") == 2
    assert kept_lines.count("30") == 2
    assert "Ms Berg disagreed." in kept_lines


@pytest.mark.parametrize("heading", ["関連記事", "相关文章", "관련 기사", "Next Up In Science"])
def test_related_headings_in_other_languages_end_the_article(heading: str) -> None:
    teasers = TEASERS.split("\n")[1:]
    lines = page(NEWS_ARTICLE, heading, *teasers, "スポンサードリンク")
    kept_lines = kept(lines)
    assert "Ms Berg disagreed." in kept_lines
    assert heading not in kept_lines
    assert not set(teasers) & set(kept_lines)


def test_box_of_teaser_links_under_its_heading_goes_even_in_a_clean_text() -> None:
    paragraphs = NEWS_ARTICLE.split("\n")
    box = ["Trending News", *TEASERS.split("\n")[1:]]
    lines = [*paragraphs[:4], *box, *paragraphs[4:]]
    verdicts = select_main_run(lines)
    assert [line for line, v in zip(lines, verdicts, strict=True) if v] == box
    assert set(verdicts) == {None, "teaser box"}


def test_a_line_leading_in_to_the_text_is_not_a_teaser_link() -> None:
    paragraphs = NEWS_ARTICLE.split("\n")
    lines = [*paragraphs[:4], "Related", "Here are the highlights:", "Why now", *paragraphs[5:]]
    assert select_main_run(lines) == [None] * len(lines)


def test_box_of_kickers_and_headlines_cut_short_goes() -> None:
    paragraphs = NEWS_ARTICLE.split("\n")
    box = [
        "More Great Example Stories",
        "FERRY FURY",
        "Ferry operator names new chief executive as strike talks stall and...",
        "PRICE WAR",
        "Container prices fall for a third month",
    ]
    lines = [*paragraphs[:4], *box, *paragraphs[4:]]
    verdicts = select_main_run(lines)
    assert [line for line, v in zip(lines, verdicts, strict=True) if v] == box


def test_next_and_previous_article_links_are_page_chrome() -> None:
    assert describe("Next Article").boilerplate == "navigation"
    assert describe("Previous story").boilerplate == "navigation"
    lines = page(NEWS_ARTICLE, "Previous Article", "Port strike ends", "Next Article", "Cranes")
    assert kept(lines) == NEWS_ARTICLE.split("\n")[1:-1]


def test_a_page_whose_text_is_a_list_keeps_the_list() -> None:
    rounds = [f"Round {n}: {n + 9} March – Port Elms harbour circuit" for n in range(1, 8)]
    lines = page(MENU, "Racing calendar 2025", *rounds, "Share", FOOTER)
    assert kept(lines) == ["Racing calendar 2025", *rounds]


def test_a_menu_of_teasers_before_the_article_is_dropped() -> None:
    teasers = [
        "Two arrested after the death of a student. Police said the pair, a woman of 24 and a "
        "man of 28, were held on Monday after a search of the flat.",
        "Diners leave without paying a $690 bill. The party of six walked out of the steakhouse "
        "after a fight broke out in the restaurant on Saturday night.",
        "The state will mail 250,000 applications to voters who may serve on a new panel that "
        "will draw the lines of the districts for the next ten years.",
        "Rangers seek tips about an elk poached in the north of the state last weekend, the "
        "second such case this year, and offer a reward for information.",
        "A couple finds newspapers from the 1940s under the floor of their old house while "
        "pulling up the boards to fix the pipes in the kitchen last month.",
    ]
    lead = [
        *["Sports", "Latest Sports", "Lions", "Tigers", "Pistons"],
        *teasers[:2],
        *["Weather", "More Weather", "School Closings", "Local Radars", "Radar Maps"],
        *teasers[2:4],
        *["Autos", "Station Info", "Contests", "Travel"],
        teasers[4],
    ]
    header = ["Britain's biggest port operator to spend £300m on cranes", "November 19, 2019"]
    lines = page(MENU, *lead, *header, NEWS_ARTICLE, FOOTER)
    kept_lines = kept(lines)
    assert not set(teasers) & set(kept_lines)
    assert "Ms Berg disagreed." in kept_lines


def test_a_sign_up_box_after_the_article_is_dropped_but_not_the_text_after_a_prompt() -> None:
    box = [
        "Stay up to date with the port. Subscribe to our newsletter.",
        "Stay up to date.",
        "Subscribe No thanks",
        "You have subscribed. Thank you!",
        "An email with an activation link has just been sent to your address. Please click "
        "the link inside it to start your subscription to the port's news service.",
        "Port News Service",
        "The port's news releases, sent straight to your desktop or your phone each week.",
    ]
    lines = page(MENU, HEADER, NEWS_ARTICLE, *box, FOOTER)
    assert not set(box) & set(kept(lines))
    paragraphs = NEWS_ARTICLE.split("\n")
    prompt = "Sign up for our newsletter to get the port's news in your inbox."
    lines = page(MENU, HEADER, *paragraphs[:4], prompt, *paragraphs[4:], FOOTER)
    assert kept(lines)[-1] == paragraphs[-2]


def test_a_reply_form_heading_opens_the_comment_section() -> None:
    assert describe("Leave a Reply Cancel reply").opens_comments
    form = ["Leave a Reply Cancel reply", COMMENTS.split("\n")[3], "Name *", "Website"]
    lines = page(MENU, HEADER, NEWS_ARTICLE, *form, FOOTER)
    assert kept(lines)[-1] == NEWS_ARTICLE.split("\n")[-2]


def test_a_label_with_a_colon_heads_a_box_of_links() -> None:
    paragraphs = NEWS_ARTICLE.split("\n")
    box = ["More:", *TEASERS.split("\n")[1:]]
    lines = [*paragraphs[:4], *box, *paragraphs[4:]]
    verdicts = select_main_run(lines)
    assert [line for line, v in zip(lines, verdicts, strict=True) if v] == box


def test_a_table_of_two_rows_under_its_header_is_a_table() -> None:
    quotes = ["Ticker", "Security", "Last", "Change", "PRT", "PORT OF ELMS", "225.86", "-12.99"]
    quotes += ["FRY", "SKARHOLM FERRIES", "113.40", "-1.62"]
    assert table_lines(quotes) == [True] * len(quotes)
    assert not any(table_lines(quotes[4:]))  # two rows without a header are not enough
