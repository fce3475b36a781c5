from ingest.split import split_articles

FIRST = (
    "Ferry resumes service to Skarholm\n\n"
    "The ferry crosses the sound. Photo: Gazette\n"
    "The ferry crosses the sound. Photo: Gazette\n"
    "TT\n\n"
    "Ferry resumes service to Skarholm\n\n"
    "The ferry between Port Elms and Skarholm returned to its timetable on Thursday.\n\n"
    "Islanders had relied on a smaller chartered boat that carried no cars at all, and "
    "deliveries of fuel and groceries had to be moved to the weekend for three weeks."
)
SECOND = (
    "Library reopens after renovation\n\n"
    "The reading room (Port Elms Library)\n"
    "The reading room (Port Elms Library)\n\n"
    "Library reopens after renovation\n\n"
    "The public library reopened on Saturday after a renovation of two years.\n\n"
    "More than 2,000 visitors came on the first day, the library said on Sunday, and the "
    "building will now open on Sundays for the first time since it was built in 1911."
)


def test_double_headline_opens_a_new_article() -> None:
    assert split_articles(f"{FIRST}\n\n{SECOND}") == [FIRST, SECOND]


def test_long_blank_gap_before_a_headline_opens_a_new_article() -> None:
    plain = SECOND.split("\n\n", 3)[3]
    plain = f"Library reopens after renovation\n\n{plain}"
    assert split_articles(f"{FIRST}\n\n\n\n{plain}") == [FIRST, plain]


def test_separator_line_opens_a_new_article() -> None:
    pieces = split_articles(f"{FIRST}\n\n* * *\n\n{SECOND}")
    assert len(pieces) == 2
    assert pieces[1] == SECOND


def test_footer_after_a_gap_stays_with_its_article() -> None:
    text = f"{FIRST}\n\n\n\nShare this:\n\nRelated Stories"
    assert split_articles(text) == [text]


def test_a_short_piece_is_not_an_article_of_its_own() -> None:
    short = "Library reopens\n\nThe library reopened on Saturday after two years of work."
    assert split_articles(f"{FIRST}\n\n\n\n{short}") == [f"{FIRST}\n\n\n\n{short}"]


def test_a_page_dump_is_not_split_at_a_double_headline() -> None:
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Business", "Culture"] * 2)
    page = f"{menu}\nShare on Facebook\nShare on Twitter\n{FIRST}\n\n{SECOND}"
    assert split_articles(page) == [page]


def test_one_article_stays_whole() -> None:
    assert split_articles(FIRST) == [FIRST]
    assert split_articles(SECOND) == [SECOND]
