import random
import re
import sys

import pytest

from ingest import rules
from ingest.lines import fold, lowered, word_count
from ingest.mainrun import LOWERED_DATE_WORD_RE, MONTHS, has_date_cue


@pytest.mark.parametrize(
    "line",
    [
        "TT",
        "20",
        "Share",
        "Tweet",
        "Advertisement",
        "Share this:",
        "A A",
        "1 / 5",
        "***",
        "Like this:",
        "Image 1 of / 4",
        "Caption",
    ],
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
        "This site is protected by recaptchaPrivacy Policy | Terms of Service",
        "SOURCE: News agencies",
        "As you comment, please be respectful of other commenters and other viewpoints.",
        (
            "Citation: Ferry returns to Skarholm after three weeks of repairs to its hull and "
            "engines (2025, March 4) retrieved 5 March 2025 from https://example.org/news/ferry"
        ),
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


@pytest.mark.parametrize(
    "line",
    [
        "Related: Ferry timetable changes for the winter",
        "[Related: Council backs bike lanes on Mill Road]",
        "Tags Ferry Skarholm harbour timetable",
        "Previous Article",
        "Continue Reading Below",
        "This slideshow requires JavaScript.",
        "Your browser does not support the video tag.",
        "Write to Kari Holm at kari.holm@example.com",
        "About the author",
        '[button link="https://example.com/kit" type="big"] Send us your review[/button]',
        "Also on example.com Ferry resumes service after repairs",
        "Storm floods the harbor district [VIDEO]",
        "How the old ferry was rebuilt (3:05)",
        "Citation: Ferry resumes (2025, May 2) retrieved 3 May 2025 from https://example.com/a",
    ],
)
def test_in_article_furniture_is_a_footer(line: str) -> None:
    assert rules.is_footer(line)


@pytest.mark.parametrize(
    "line",
    [
        "Your email address will not be published. Required fields are marked *",
        "You must be logged in to leave a comment. Not a member? Register now!",
        "The Skarholm Herald moderates comments to keep the conversation civil and on topic.",
        "Comentários ofensivos ao usuário não serão aprovados pelo moderador.",
        "This document is subject to copyright. No part may be reproduced without permission.",
        "By signing up, you agree to our Privacy Policy and the terms of use of this site.",
        "You may revoke this consent at any time, in which case your data will be deleted.",
    ],
)
def test_comment_form_and_fine_print_are_footers_even_as_sentences(line: str) -> None:
    assert rules.is_footer(line)


def test_lowered_is_letter_for_letter_what_ignorecase_reads() -> None:
    # Needles and date words are lower case: a line that matches a pattern in any case
    # must hold them once lowered, with its words where they were; and the date words
    # are matched in the lowered line, so no other letter may become one of theirs.
    pattern_letters = {c for c in LOWERED_DATE_WORD_RE.pattern if c.isalpha()}
    letters = sorted(set("abcdefghijklmnopqrstuvwxyz" + MONTHS) - set("|") | pattern_letters)
    any_letter = re.compile(f"[{''.join(letters)}]", re.IGNORECASE)
    word = re.compile(r"\w")
    digit = re.compile(r"\d")
    for char in map(chr, range(sys.maxunicode + 1)):
        lower = lowered(char)
        assert len(lower) == 1 and bool(word.match(lower)) == bool(word.match(char))
        assert bool(digit.match(lower)) == bool(digit.match(char))
        if any_letter.fullmatch(char):
            read_as = [x for x in letters if re.fullmatch(x, char, re.IGNORECASE)]
            assert read_as == [lower]
        else:
            assert lower not in letters, hex(ord(char))


def test_fold_of_ascii_is_what_decomposing_gives() -> None:
    # A combining accent alone is dropped by the general path, and keeps a line off the
    # ASCII one: both must fold a line alike.
    rng = random.Random(5)
    lines = ["".join(map(chr, range(128))), *("".join(
        chr(rng.randrange(128)) for _ in range(rng.randrange(60))) for _ in range(5_000))]
    for line in lines:
        assert fold(line) == fold(line + "\u0301"), repr(line)


def test_cues_match_when_one_of_their_cues_does() -> None:
    cues = [
        rules._cue(r"^click (?:here )?to "),
        rules._cue(r"^(?:tags?|topics?)\s*:"),
        rules._cue(r"\bbloggers? like this\b", "like this"),
        rules._cue(r"\bsave my name\b|\blog ?in to comment\b", "save my name", "comment"),
        rules.Cue(re.compile(r"[a-z](?:Credit|Photo)s?:\s*\S"), ("credit", "photo")),
    ]
    together = rules.Cues(cues)
    lines = [
        "Click here to read more", "TAGS: war", "3 bloggers like this.", "Save my name",
        "Log in to comment", "in MayCredit: Getty", "in May credit: Getty", "a comment",
        "we like this", "click to", "", "Tags", "photo: x", "Photo: x",
    ]
    for line in lines:
        one_by_one = any(cue.search(line, lowered(line)) for cue in cues)
        assert together.search(line, lowered(line)) == one_by_one, line
    with pytest.raises(ValueError, match="ignore case"):
        rules.Cues([rules.Cue(re.compile("^Photo"))])
    with pytest.raises(ValueError, match="group"):
        rules.Cues([rules._cue(r"^(photo)")])


@pytest.mark.parametrize("cues", [rules._FOOTER, rules._LEGAL, rules._PHOTO_CREDIT])
def test_the_rules_cues_match_as_they_do_one_by_one(cues: rules.Cues) -> None:
    lines = [
        "Click here to read more", "Related stories", "Tags: war", "Copyright 2019 Metro",
        "© 2019 Metro", "All Rights Reserved.", "We use cookies on this site", "Photo: AP",
        "REUTERS/Jane Doe", "(AP Photo/John Roe)", "2of4A shopper looks on", "Source: AFP",
        "Log in to comment", "Save my name, email", "Getty Images", "Image credit: NASA",
        "The council met on Tuesday and voted to close the ferry terminal.", "",
        "\u017fource: AFP", "Photo by Jane", "PHOTO BY JANE", "f\u0131led under: war",
        "\u212aeywords",
        "Sign up for our newsletter", "Read more: the port strike", "posted on May 2",
    ]
    for line in lines:
        one_by_one = any(cue.search(line, lowered(line)) for cue in cues.cues)
        assert cues.search(line, lowered(line)) == one_by_one, line


def test_word_count_is_the_runs_of_word_characters() -> None:
    # Counts are shared between a line and the line stripped of spaces and full stops.
    rng = random.Random(7)
    alphabet = "ab1_ .\t\n,é\u00a0-"
    for _ in range(5_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        assert word_count(line) == len(re.findall(r"\w+", line)), repr(line)


# The date cue as one pattern: what has_date_cue finds faster.
_DATE_CUE = re.compile(
    rf"\b(?:{MONTHS})\b|\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{1,4}}|\d{{1,2}}:\d{{2}}"
    r"|\bago\b|\byesterday\b|\btoday\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "line",
    [
        "Updated 19/11/2019", "2019-11-19", "1.12.19", "12345-67-8", "9:12 am", "19:5", "1/2",
        "On 5 MÄRZ the vote", "le 3 Août", "DÉCEMBRE", "Mayday", "in may", "Sept. 4", "JANUARY",
        "two hours AGO", "agony", "Yesterday's news", "today", "todays", "A line with no date.",
        "ma\u0131o", "\u017fept 4", "5 juli", "version 3.11.7", "pages 10-12-14", "",
    ],
)
def test_the_date_cue_is_the_one_pattern(line: str) -> None:
    assert has_date_cue(line) == bool(_DATE_CUE.search(line))


@pytest.mark.parametrize(
    "line",
    [
        "All rights re\u017ferved.",  # long s
        "We use coo\u212aies to improve your experience.",  # the Kelvin sign
        "You must be logged \u0130n to leave a comment.",  # dotted capital I
        "Your ema\u0131l address will not be published.",  # dotless i, where a needle has i
    ],
)
def test_footers_with_letters_ignorecase_reads_as_ascii(line: str) -> None:
    assert rules.is_footer(line)


@pytest.mark.parametrize(
    "line",
    [
        "Get the day's top headlines delivered to your inbox every morning.",
        "There's plenty more where that came from. Sign up for the Harbor Letter, our free "
        "daily newsletter.",
        "Want more news from the islands? Sign up for our newsletter.",
        "Follow the Skarholm Herald on Facebook, Twitter and Instagram.",
        "Like this story? Share it with a friend!",
    ],
)
def test_promotions_are_footers_even_as_sentences(line: str) -> None:
    assert rules.is_footer(line)


@pytest.mark.parametrize(
    "line",
    [
        "The council will subscribe to a new ferry contract next year, officials said.",
        "She said she would follow the case on social media and in the courts.",
        "Tags on the crates showed they had been shipped from Oslo in March, the port said.",
        "Related industries in the region have also struggled, the report found.",
    ],
)
def test_sentences_about_the_same_words_are_not_footers(line: str) -> None:
    assert not rules.is_footer(line)


@pytest.mark.parametrize(
    "line",
    [
        "Fears grew after a couple died in the outbreak in MayCredit: The Siberian Times",
        "Rep. Kari Holm speaks at the Capitol on July 25, 2019.J. Scott Applewhite / AP file",
        "Marit Eggen Submitted photo",
        "2of4A shopper looks at extension cords at a hardware store in Grass Valley.",
        "In this Dec. 12, 2006, file photo, two astronauts work outside the space station.",
    ],
)
def test_more_photo_credits(line: str) -> None:
    assert rules.has_photo_credit(line)


def test_a_count_before_a_lower_case_word_is_no_slideshow_counter() -> None:
    assert rules.has_photo_credit("3 OF 4A crowd waits at the gate")
    assert not rules.has_photo_credit("3 of 4th graders joined the march on Friday")


@pytest.mark.parametrize(
    "line",
    ["Nov 19, 2019 at 9:12 am", "Updated 2 hours ago", "Published 18 Nov 2019, 19:09"],
)
def test_datelines(line: str) -> None:
    assert rules.is_dateline(line)


@pytest.mark.parametrize(
    "line",
    [
        "— Kari Holm (@kariholm) November 19, 2019",  # the signature of an embedded post
        "The ferry returned on 19 November after three weeks of repairs, the operator said.",
        "20",
    ],
)
def test_not_datelines(line: str) -> None:
    assert not rules.is_dateline(line)


@pytest.mark.parametrize(
    ("line", "authors", "agency"),
    [
        ("By Mike Wall 2019-11-18T20:51:19Z Science & Astronomy", ("Mike Wall",), None),
        ("By Chris Doe@ChrisDoe Nov 18, 2019, 11:47am EST", ("Chris Doe",), None),
        ("By Brigit Katz smithsonian.com", ("Brigit Katz",), None),
        ("By Kari Holm Updated Nov 13, 2019, 10:28am EST", ("Kari Holm",), None),
        ("By Kari Holm on Monday, November 18th, 2019 at 11:04 a.m.", ("Kari Holm",), None),
        ("Keith Bradsher contributed reporting from Hong Kong.", ("Keith Bradsher",), None),
        ("Tom Davies, Associated Press", ("Tom Davies",), "Associated Press"),
        ("Tom Davies Associated Press", ("Tom Davies",), "Associated Press"),
        ("Natasha Turak @NatashaTurak", ("Natasha Turak",), None),
        ("Natasha Turak@NatashaTurak", ("Natasha Turak",), None),
        (
            "Marit Eggen is a freelance writer based in Oslo. Her work has appeared in a number "
            "of papers and magazines, including the Skarholm Herald, and she is writing a book "
            "about the ferries of the west coast.",
            ("Marit Eggen",),
            None,
        ),
    ],
)
def test_run_on_bylines_and_bio_boxes_are_credits(
    line: str, authors: tuple[str, ...], agency: str | None
) -> None:
    assert rules.parse_credit(line) == (authors, agency)


@pytest.mark.parametrize(
    "line",
    [
        "By Monday, 12 people had died in the floods, officials said.",
        "By March the plan was dead.",
        "Discover Thomson Reuters",
        "the ferry operator, AP",
        "By 2020 the ferry will carry cars again.",
        "Follow us @skarholmferry",
        "The Times is committed to publishing a diversity of letters to the editor. We would "
        "like to hear what you think about this or any of our articles, and here are some tips "
        "for writing one.",
    ],
)
def test_sentences_starting_like_credits_are_not_credits(line: str) -> None:
    assert rules.parse_credit(line) is None


def test_credit_standing_alone() -> None:
    assert rules.is_credit_only("(Image credit: NASA/JPL-Caltech)")
    assert rules.is_credit_only("Photo credit: Kari Holm")
    assert not rules.is_credit_only("Image: Kari Holm has agreed a deal to run the ferry company")
    assert not rules.is_credit_only("The credit union opened a branch in Port Elms.")


@pytest.mark.parametrize(
    "line",
    [
        "DUBAI, United Arab Emirates — The ferry operator signed the deal on Wednesday.",
        "ST. JOSEPH, Mich. (AP) — Health officials reported a sixth case on Monday.",
        "WASHINGTON (Reuters) - Scientists on Monday unveiled the first map of the moon.",
        "BERLIN -- The agency says the crew could sleep through most of the voyage.",
        "BAAR, SWITZERLAND",
    ],
)
def test_paragraphs_opening_with_a_news_dateline(line: str) -> None:
    assert rules.opens_with_dateline(line)


@pytest.mark.parametrize(
    "line",
    [
        "THE POINT -- NOW ON YOUTUBE!",
        "NASA - the agency",
        "Dubai, United Arab Emirates — The ferry operator signed the deal on Wednesday.",
        "CHEER ON Juniors and Young Riders as they display their skills this weekend.",
    ],
)
def test_lines_that_are_no_news_dateline(line: str) -> None:
    assert not rules.opens_with_dateline(line)


def test_hover_cards_are_a_name_glued_to_its_card_up_to_more() -> None:
    line = "Mayor Marit EggenMarit EggenFerry fares to rise MORE (Labour) said so."
    assert [line[a:b] for a, b in rules.hover_cards(line)] == [
        "Marit EggenFerry fares to rise MORE"
    ]
    assert rules.hover_cards("The iPhone and McDonald's sell MORE than ever.") == []
    assert rules.hover_cards("Mayor Marit EggenTown Hall said so.") == []


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Ascom is a global solutions provider focused on healthcare ICT.", "Ascom"),
        ("Skarholm Ferries is the largest ferry operator of the west coast.", "Skarholm Ferries"),
        ("Marit Eggen is a ferry captain from Skarholm.", None),
        ("Skarholm Ferries is a company", None),  # no sentence
    ],
)
def test_company_profiles(line: str, name: str | None) -> None:
    assert rules.company_profile(line) == name


@pytest.mark.parametrize(
    ("line", "identifier"),
    [
        ("narrow-browser-and-phone", True),
        ("dp3_1_en", True),
        ("02-751-1500", False),
        ("e-mail", False),
        ("follow-up", False),
        ("Narrow-Browser-and-Phone", False),
    ],
)
def test_identifiers(line: str, identifier: bool) -> None:
    assert rules.is_identifier(line) is identifier
    if identifier:
        assert rules.is_widget(line)


@pytest.mark.parametrize(
    ("line", "link"),
    [
        ("SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS' AFTER TEN WEEKS", True),
        ("GET THE FERRY TIMES ON THE GO BY CLICKING HERE", True),
        ("HOW TO USE A WATER BATH CANNER", False),
        ("THE FERRY OPERATOR SAID ON THURSDAY THAT THE REPAIRS WERE DONE.", False),
        ("The ferry operator says repairs will cost more than it first expected", False),
    ],
)
def test_shouted_links(line: str, link: bool) -> None:
    assert rules.is_shouted_link(line) is link
