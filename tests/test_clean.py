import pytest

from ingest.clean import clean_text, paragraph_lines
from ingest.lines import line_key
from ingest.records import Removed

ARTICLE = """\
Harbor wall breached as storm hits Port Elms

Harbor wall breached as storm hits Port Elms

Water covers Quay Street on Tuesday. (AP Photo/Lena Hartwig)
Water covers Quay Street on Tuesday. (AP Photo/Lena Hartwig)
TT
20

PORT ELMS — A storm surge flooded the harbor district on Tuesday, officials said.

"We knocked on every door," said the fire chief, who led the rescue effort overnight.

Analysis

The district was last flooded in 1998, and repairs had been planned for the spring.

Dag Overland is an Associated Press writer.

Click to Read more news from the respected source

%d bloggers like this:
"""


def test_repeated_headline_becomes_the_title_once() -> None:
    cleaned = clean_text(ARTICLE)
    assert cleaned.title == "Harbor wall breached as storm hits Port Elms"
    assert cleaned.title not in cleaned.text
    reasons = [r.reason for r in cleaned.removed if r.line == cleaned.title]
    assert reasons == ["title", "repeated-title"]


def test_captions_leave_the_body_and_are_kept_once() -> None:
    cleaned = clean_text(ARTICLE)
    assert cleaned.captions == ("Water covers Quay Street on Tuesday. (AP Photo/Lena Hartwig)",)
    assert "Quay Street on Tuesday" not in cleaned.text


def test_widgets_footers_and_credits_are_removed_with_reasons() -> None:
    cleaned = clean_text(ARTICLE)
    removed = {r.line: r.reason for r in cleaned.removed}
    assert removed["TT"] == "widget"
    assert removed["20"] == "widget"
    assert removed["Click to Read more news from the respected source"] == "footer"
    assert removed["%d bloggers like this:"] == "footer"
    assert removed["Dag Overland is an Associated Press writer."] == "credit"
    assert cleaned.authors == ("Dag Overland",)
    assert cleaned.agency == "Associated Press"


def test_every_real_paragraph_stays_in_order() -> None:
    cleaned = clean_text(ARTICLE)
    assert cleaned.paragraphs == (
        "PORT ELMS — A storm surge flooded the harbor district on Tuesday, officials said.",
        '"We knocked on every door," said the fire chief, who led the rescue effort overnight.',
        "Analysis",
        "The district was last flooded in 1998, and repairs had been planned for the spring.",
    )


def test_clean_article_loses_nothing() -> None:
    text = (
        "Council backs bike lanes\n\n"
        "The council voted 9 to 4 on Monday to build protected bike lanes on Mill Road.\n\n"
        "Why now?\n\n"
        "Shop owners had asked for a delay.\n\n"
        "“It is a good day,” she said.\n\n"
        "Construction starts in June and should take five months, the city said."
    )
    cleaned = clean_text(text)
    assert cleaned.title == "Council backs bike lanes"
    assert cleaned.paragraphs == tuple(paragraph_lines(text))[1:]


def test_output_lines_all_come_from_the_input() -> None:
    cleaned = clean_text(ARTICLE)
    source = set(paragraph_lines(ARTICLE))
    assert set(cleaned.paragraphs) <= source
    assert set(cleaned.captions) <= source
    assert {r.line for r in cleaned.removed} <= source


def test_metadata_title_removes_its_repeat_from_the_body() -> None:
    cleaned = clean_text(
        "Ferry resumes service\nThe ferry returned to its timetable on Thursday after repairs.",
        title="Ferry resumes service",
    )
    assert cleaned.title == "Ferry resumes service"
    assert cleaned.paragraphs == ("The ferry returned to its timetable on Thursday after repairs.",)


def test_paragraph_printed_twice_in_a_row_is_kept_once() -> None:
    para = "The ferry returned to its normal timetable on Thursday after three weeks of repairs."
    cleaned = clean_text(f"Islanders had relied on a smaller boat for weeks.\n\n{para}\n\n{para}")
    assert cleaned.paragraphs.count(para) == 1
    assert [r.reason for r in cleaned.removed] == ["repeated-line"]


def test_line_repeated_through_the_body_is_text() -> None:
    question = "What inspired you to start cooking?"
    text = (
        "The three finalists answered the same questions before the vote on Sunday night.\n\n"
        f"{question}\n\nMy grandmother, who cooked for the whole village every weekend.\n\n"
        f"{question}\n\nA trip to Lisbon when I was nineteen and had no money at all."
    )
    cleaned = clean_text(text)
    assert cleaned.paragraphs.count(question) == 2
    assert cleaned.removed == ()


def test_hard_wrapped_prose_is_joined_into_paragraphs() -> None:
    text = (
        "The ferry between Port Elms and the island of Skarholm returned\n"
        "to its normal timetable on Thursday after three weeks of\n"
        "repairs to its main engine.\n\n"
        "Islanders had relied on a smaller boat."
    )
    assert paragraph_lines(text) == [
        "The ferry between Port Elms and the island of Skarholm returned to its normal "
        "timetable on Thursday after three weeks of repairs to its main engine.",
        "Islanders had relied on a smaller boat.",
    ]


def test_corpus_boilerplate_goes_but_not_a_sentence_inside_the_body() -> None:
    template = "Subscribe to the Coastal Gazette for unlimited access"
    common_sentence = "The harbor master declined to comment on the repairs."
    text = (
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs.\n\n"
        f"{common_sentence}\n\n"
        "Islanders had relied on a smaller chartered boat that carried no cars at all.\n\n"
        f"{template}"
    )
    boilerplate = {line_key(template), line_key(common_sentence)}
    cleaned = clean_text(text, boilerplate=boilerplate)
    assert template not in cleaned.paragraphs
    assert common_sentence in cleaned.paragraphs
    assert {r.line: r.reason for r in cleaned.removed} == {template: "corpus-boilerplate"}


def test_byline_gives_authors() -> None:
    cleaned = clean_text(
        "By Marit Eggen and Per Lindqvist\n\n"
        "Seawater poured through two breaches in the sea wall early on Tuesday morning.\n\n"
        "(Reporting by Ola Nordmann in Bergen; Editing by Kari Holm)"
    )
    assert cleaned.authors == ("Marit Eggen", "Per Lindqvist", "Ola Nordmann")
    assert cleaned.paragraphs == (
        "Seawater poured through two breaches in the sea wall early on Tuesday morning.",
    )


SCRAPE = """\
TRANSPORT
Council backs bike lanes on Mill Road
Ferry resumes service to Skarholm
Nov 19, 2019 at 9:12 am
The ferry returned to its normal timetable on Thursday after three weeks of repairs.
Islanders had relied on a smaller chartered boat that carried no cars at all.
"""


def test_header_above_the_first_paragraph_of_a_scrape_goes() -> None:
    cleaned = clean_text(SCRAPE)
    assert cleaned.title == "Ferry resumes service to Skarholm"
    assert cleaned.paragraphs == (
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs.",
        "Islanders had relied on a smaller chartered boat that carried no cars at all.",
    )
    removed = {r.line: r.reason for r in cleaned.removed}
    assert removed["TRANSPORT"] == "header"
    assert removed["Council backs bike lanes on Mill Road"] == "header"


def test_a_dateline_goes_wherever_it_stands() -> None:
    cleaned = clean_text(SCRAPE, title="Ferry resumes service to Skarholm")
    assert {r.line: r.reason for r in cleaned.removed}["Nov 19, 2019 at 9:12 am"] == "date"


def test_text_whose_source_gave_the_title_keeps_what_stands_above_its_first_paragraph() -> None:
    text = (
        "Timetable from Monday\n"
        "Weekdays: 7:00, 11:00, 15:00 and 19:00\n"
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs."
    )
    cleaned = clean_text(text, title="Ferry resumes service to Skarholm")
    assert cleaned.paragraphs == tuple(paragraph_lines(text))
    assert clean_text(text).paragraphs == tuple(paragraph_lines(text))[2:]


def test_a_long_line_without_a_full_stop_opens_the_body() -> None:
    long_line = " ".join(["The ferry carried cars and goods between the islands"] * 5)
    last = "It carried 2,000 people on its first day back, the operator said."
    cleaned = clean_text(f"Ferry news\n{long_line}\n{last}")
    assert cleaned.paragraphs == (long_line, last)


def test_a_teaser_card_is_not_an_article() -> None:
    cleaned = clean_text("Ferry resumes service to Skarholm\n14h261\nReviews")
    assert cleaned.title == "Ferry resumes service to Skarholm"
    assert cleaned.paragraphs == ()


def test_a_teaser_card_whose_summary_is_cut_short_is_not_an_article() -> None:
    card = (
        "Ferry resumes service to Skarholm after repairs\n"
        "The ferry returned to Skarholm on Thursday,..."
    )
    cleaned = clean_text(card)
    assert cleaned.title == "Ferry resumes service to Skarholm after repairs"
    assert cleaned.paragraphs == ()


def test_a_short_article_ending_in_an_ellipsis_is_kept() -> None:
    text = (
        "The ferry returned to Skarholm on Thursday after three weeks of repairs.\n"
        "Passengers said they hoped it would last..."
    )
    assert clean_text(text).paragraphs == tuple(text.split("\n"))


def test_a_list_without_a_paragraph_is_kept() -> None:
    rounds = [f"Round {n}: {n + 9} March – Port Elms harbour circuit" for n in range(1, 8)]
    cleaned = clean_text("\n".join(["Racing calendar 2025", *rounds]))
    assert cleaned.paragraphs == tuple(rounds)


def test_a_line_with_a_web_address_is_not_the_title() -> None:
    cleaned = clean_text(
        "More info: www.example.com | Tested by Kari Holm\n"
        "The manual covers every engine the ferry company has used since 1998, the author says."
    )
    assert cleaned.title == ""


def test_a_caption_above_the_run_is_not_the_title() -> None:
    text = (
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs.\n"
        "Share\nShare\n"
        "The reading room (Port Elms Library)\n"
        "More than 2,000 visitors came through the doors on the first day, the library said."
    )
    cleaned = clean_text(text)
    assert cleaned.title == ""
    assert cleaned.paragraphs == (
        "More than 2,000 visitors came through the doors on the first day, the library said.",
    )


def test_line_above_a_credit_standing_alone_is_a_caption() -> None:
    caption = "An artist's illustration of the new ferry leaving Port Elms harbor at dawn."
    body = "The ferry returned to its normal timetable on Thursday after three weeks of repairs."
    cleaned = clean_text(f"{body}\n{caption}\n(Image credit: Port Elms Gazette)\n{body} Again.")
    assert caption in cleaned.captions
    assert caption not in cleaned.paragraphs


def test_a_table_dumped_one_cell_a_line_keeps_its_numbers() -> None:
    intro = "The league table after twelve rounds, as published by the organisers on Monday."
    rows = [["1", "Harbour Rovers", "12", "30"], ["2", "Mill Lane", "12", "27"]]
    rows += [["3", "Castle Athletic", "12", "22"], ["4", "Riverside", "11", "19"]]
    cells = ["Pos.", "Club", "Played", "Points", *[cell for row in rows for cell in row]]
    cleaned = clean_text("\n".join([intro, *cells]))
    assert cleaned.paragraphs == (intro, *cells)


def test_a_long_first_line_without_a_full_stop_is_a_paragraph_not_the_title() -> None:
    menu = ["Home", "News", "Sport", "Weather", "Share", "Tweet", "Sign in"]
    lead = (
        "The ferry company said this morning that it had paid the full cost of the repairs to "
        "the harbour wall at Skarholm after last week's storm"
    )
    body = [
        "The harbour reopened to ships on Thursday, three weeks after the storm broke the wall.",
        "Engineers said the new wall would stand a storm twice as strong, the council said.",
        "The company expects its ferries to run to the normal timetable from next Monday.",
    ]
    cleaned = clean_text("\n".join([*menu, "Ferry company pays for Skarholm repairs", lead, *body]))
    assert cleaned.paragraphs == (lead, *body)


def test_the_authors_bio_under_about_her_name_goes() -> None:
    body = "The ferry returned to its normal timetable on Thursday after three weeks of repairs."
    bio = "Marit Eggen covers transport for the Gazette. She lives on Skarholm with two cats."
    cleaned = clean_text(f"{body}\n{body} Again.\nAbout Marit Eggen\n{bio}")
    assert cleaned.paragraphs == (body, f"{body} Again.")
    assert [r.reason for r in cleaned.removed] == ["author bio", "author bio"]


def test_a_section_about_a_company_or_a_bio_of_someone_else_stays() -> None:
    body = "The ferry returned to its normal timetable on Thursday after three weeks of repairs."
    company = "Skarholm Ferries runs six boats between Port Elms and the islands, the firm says."
    other = "The company was founded in 1911 and has run the Skarholm crossing since 1950."
    text = f"{body}\nAbout Skarholm Ferries\n{company}\nAbout Marit Eggen\n{other}"
    assert clean_text(text).removed == ()


def test_tags_one_a_line_under_their_label_go() -> None:
    body = "The ferry returned to its normal timetable on Thursday after three weeks of repairs."
    last = "Islanders said they hoped the repairs would last longer this time."
    cleaned = clean_text(f"{body}\n{last}\nTags:\nSkarholm Ferries\nMarit Eggen\nPort Elms")
    assert cleaned.paragraphs == (body, last)
    assert [r.reason for r in cleaned.removed] == ["widget", "tags", "tags", "tags"]


@pytest.mark.parametrize(
    "byline",
    [
        "By Marit Eggen",
        "November 19, 2019",
        "Updated on: November 19, 2019 / Gazette",
        "Marit Eggen @mariteggen",
    ],
)
def test_a_standfirst_above_the_byline_of_a_scrape_is_header(byline: str) -> None:
    standfirst = "The island's only link to the mainland is back after three weeks of repairs."
    body = [
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs.",
        "Islanders had relied on a smaller chartered boat that carried no cars at all.",
    ]
    text = "\n".join(["Ferry returns to Skarholm", standfirst, byline, *body])
    cleaned = clean_text(text)
    assert cleaned.paragraphs == tuple(body)
    assert Removed(standfirst, "standfirst") in cleaned.removed
    assert clean_text("\n".join([standfirst, *body])).paragraphs == (standfirst, *body)


def test_a_line_left_next_to_its_repeat_by_a_dropped_box_is_a_repeat() -> None:
    body = "The ferry returned to its normal timetable on Thursday after three weeks of repairs."
    box = "Related\nFerry resumes service to Skarholm\nCouncil backs bike lanes on Mill Road"
    first = clean_text(f"{body}\nWhy now?\n{box}\nWhy now?")
    assert first.paragraphs == (body,)
    assert clean_text("\n\n".join(first.paragraphs)).paragraphs == first.paragraphs


@pytest.mark.parametrize(
    "dateline",
    [
        "SKARHOLM, Norway — The ferry returned to its normal timetable on Thursday.",
        "SKARHOLM (Reuters) - The ferry returned to its normal timetable on Thursday.",
        "SKARHOLM, NORWAY",
    ],
)
def test_what_a_scrape_keeps_above_the_dateline_is_header(dateline: str) -> None:
    summary = [
        "The island's ferry is back after three weeks of repairs, the operator said today.",
        "Sweeping view of the harbour at dawn as the repaired ferry comes in to dock",
    ]
    body = [
        dateline,
        "Islanders had relied on a smaller chartered boat that carried no cars at all.",
        "The operator said the repairs had cost more than it first expected.",
    ]
    cleaned = clean_text("\n".join(["Ferry returns to Skarholm", *summary, *body]))
    assert cleaned.paragraphs == tuple(body)
    assert Removed(summary[0], "header") in cleaned.removed


def test_a_promotion_in_capitals_is_no_dateline() -> None:
    body = [
        "The island's ferry is back after three weeks of repairs, the operator said today.",
        "THE POINT -- NOW ON YOUTUBE!",
        "Islanders had relied on a smaller chartered boat that carried no cars at all.",
    ]
    assert clean_text("\n".join(body)).paragraphs == tuple(body)


def test_a_caption_printed_between_paragraphs_through_the_body_goes() -> None:
    caption = "The Skarholm ferry at the quay in the harbour [photo gallery]"
    paragraphs = [
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs.",
        "Islanders had relied on a smaller chartered boat that carried no cars at all.",
        "The operator said the repairs had cost more than it first expected.",
        "A second ferry is due to join the route next spring, the council said.",
    ]
    text = "\n".join(
        [paragraphs[0], caption, paragraphs[1], caption, paragraphs[2], caption, paragraphs[3]]
    )
    cleaned = clean_text(text)
    assert cleaned.paragraphs == tuple(paragraphs)
    assert Removed(caption, "repeated-caption") in cleaned.removed


def test_an_item_repeated_through_a_list_stays() -> None:
    item = "Two slices of rye bread with butter and cheese"
    lines = ["Breakfast on Monday:", item, "Breakfast on Tuesday:", item, "Breakfast on Friday:"]
    text = "\n".join(
        [
            "The ferry crew eat the same breakfast most days of the week, the cook said.",
            *lines,
            item,
        ]
    )
    assert clean_text(text).paragraphs.count(item) == 3


def test_a_hover_card_run_into_a_paragraph_is_cut_out() -> None:
    card = "Marit EggenCouncil backs bike lanes on Mill Road | Ferry fares to rise MORE"
    paragraph = (
        f"The ferry was welcomed back by Mayor Marit Eggen{card} (Labour), who thanked the crew "
        "for three weeks of hard work."
    )
    cleaned = clean_text(paragraph)
    assert cleaned.paragraphs == (
        "The ferry was welcomed back by Mayor Marit Eggen (Labour), who thanked the crew "
        "for three weeks of hard work.",
    )
    assert Removed(card, "hover card") in cleaned.removed


def test_a_press_releases_closing_company_profile_goes() -> None:
    body = [
        "Skarholm Ferries and the county council announce a new timetable for the island route.",
        "The new timetable adds two crossings a day, Skarholm Ferries said on Thursday.",
    ]
    profile = [
        "Skarholm Ferries is a family-owned ferry operator serving the islands of the west coast.",
        "Skarholm Ferries is headquartered in Skarholm and employs around 120 people.",
    ]
    cleaned = clean_text("\n".join([*body, *profile]))
    assert cleaned.paragraphs == tuple(body)
    assert Removed(profile[0], "company profile") in cleaned.removed


def test_a_company_profile_the_article_goes_on_after_stays() -> None:
    lines = [
        "The new timetable adds two crossings a day, Skarholm Ferries said on Thursday.",
        "Skarholm Ferries is a family-owned ferry operator serving the islands of the west coast.",
        "The council said it would review the timetable again next spring.",
    ]
    assert clean_text("\n".join(lines)).paragraphs == tuple(lines)


def test_names_from_the_pages_code_go_and_are_not_joined_to_a_paragraph() -> None:
    body = [
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs.",
        "Islanders had relied on a smaller chartered boat that carried no cars at all",
    ]
    cleaned = clean_text("\n".join([*body, "narrow-browser-and-phone", "ferry_photo_2"]))
    assert cleaned.paragraphs == tuple(body)


def test_a_headline_length_line_in_capitals_is_a_teaser_link() -> None:
    link = "FERRY OPERATOR SAYS REPAIRS WILL COST MORE THAN IT FIRST EXPECTED"
    heading = "HOW TO BOOK A CROSSING"
    body = [
        "The ferry returned to its normal timetable on Thursday after three weeks of repairs.",
        "Islanders had relied on a smaller chartered boat that carried no cars at all.",
    ]
    cleaned = clean_text("\n".join([body[0], link, heading, body[1]]))
    assert cleaned.paragraphs == (body[0], heading, body[1])
    assert Removed(link, "teaser link") in cleaned.removed
