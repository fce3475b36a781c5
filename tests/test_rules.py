import pytest

from ingest import rules


@pytest.mark.parametrize(
    "line",
    ["TT", "20", "Share", "Tweet", "Advertisement", "Share this:", "A A", "1 / 5", "***", "Like this:"],
)
def test_widgets(line: str) -> None:
    assert rules.is_widget(line)


@pytest.mark.parametrize(
    "line",
    ["Analysis", "Why now?", "The council voted.", "US troops", "Mill Road"],
)
def test_not_widgets(line: str) -> None:
    assert not rules.is_widget(line)


@pytest.mark.parametrize(
    "line",
    [
        "Click to Read more news from the respected source",
        "%d bloggers like this:",
        "Read more: Ferry resumes service to Skarholm",
        "Related Stories",
        "Sign up for our daily newsletter",
        "Copyright 2025 The Associated Press. All rights reserved.",
        "We use cookies to improve your experience on this website.",
        "Follow us on Facebook and Twitter for updates",
    ],
)
def test_footers(line: str) -> None:
    assert rules.is_footer(line)


@pytest.mark.parametrize(
    "line",
    [
        "Read the room, the mayor told reporters before the vote on Monday night.",
        "More than 2,000 visitors came through the doors on the first day.",
        "The cookie factory on Mill Road will close next year, its owner said.",
    ],
)
def test_not_footers(line: str) -> None:
    assert not rules.is_footer(line)


@pytest.mark.parametrize(
    ("line", "authors", "agency"),
    [
        ("By Marit Eggen", ("Marit Eggen",), None),
        ("BY MARIT EGGEN", ("Marit Eggen",), None),
        ("By Marit Eggen, Associated Press", ("Marit Eggen",), "Associated Press"),
        ("Bassem Mroue is an Associated Press writer.", ("Bassem Mroue",), "Associated Press"),
        ("(Reporting by Ola Nordmann; Editing by Kari Holm)", ("Ola Nordmann",), None),
        (
            "Associated Press writer Kari Holm in Oslo contributed to this report.",
            ("Kari Holm",),
            "Associated Press",
        ),
    ],
)
def test_credits(line: str, authors: tuple[str, ...], agency: str | None) -> None:
    assert rules.parse_credit(line) == (authors, agency)


@pytest.mark.parametrize(
    "line",
    [
        "He is a writer who lives in Oslo.",
        "by the way, the ferry was late again on Thursday.",
        "The mayor said the city would ask for emergency funds.",
    ],
)
def test_not_credits(line: str) -> None:
    assert rules.parse_credit(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "A soldier in Douma, April 20, 2018. REUTERS/Omar Sanadiki",
        "Water covers Quay Street. (AP Photo/Lena Hartwig)",
        "Photo: Port Elms Gazette",
        "Cyclists at the junction. Photo by Sigrid Aune",
    ],
)
def test_photo_credits(line: str) -> None:
    assert rules.has_photo_credit(line)


def test_trailing_bracketed_credit_is_a_caption_shape() -> None:
    assert rules.has_trailing_credit("Part of the event promoting ties (Embassy in Cairo)")
    assert not rules.has_trailing_credit("The ferry was repaired (at a cost of 4 million).")


def test_a_long_paragraph_ending_in_brackets_is_not_a_caption() -> None:
    paragraph = " ".join(["The team placed its running back on injured reserve."] * 5)
    assert not rules.has_trailing_credit(paragraph + " Limited: TE Jeremy Shockey (groin)")
