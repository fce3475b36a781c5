"""Properties of the cleaner and the splitter on generated text."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import clean_text
from ingest.split import split_articles

_TOKEN = re.compile(r"\w+")

HEADLINES = st.sampled_from([
    "Ferry resumes service to Skarholm", "Council backs bike lanes on Mill Road",
    "Storm floods harbor", "What the vote means", "Why now?",
])
PROSE = st.sampled_from([
    "The ferry returned to its normal timetable on Thursday after three weeks of repairs.",
    "Islanders had relied on a smaller chartered boat that carried no cars at all.",
    "“We are pleased,” said the mayor, who had pushed for the plan since 2021.",
    "More than 2,000 visitors came through the doors on the first day, the library said.",
    "It was short.",
])
FURNITURE = st.sampled_from([
    "TT", "20", "Share", "Tweet", "Advertisement", "Share this:", "Related",
    "Click to Read more news from the respected source", "%d bloggers like this:",
    "By Marit Eggen", "Kari Holm is an Associated Press writer.",
    "Water covers Quay Street. (AP Photo/Lena Hartwig)", "Home | News | Sport | Weather",
    "The reading room (Port Elms Library)", "* * *", "",
])
LINES = st.lists(st.one_of(HEADLINES, PROSE, FURNITURE, st.text(max_size=60)), max_size=30)
TEXTS = st.one_of(LINES.map("\n".join), LINES.map("\n\n".join), st.text(max_size=400))


def _tokens(text: str) -> set[str]:
    return {t.casefold() for t in _TOKEN.findall(text)}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_cleaning_never_invents_a_word(text: str) -> None:
    cleaned = clean_text(text)
    produced = " ".join([cleaned.title, cleaned.text, *cleaned.captions, *cleaned.authors])
    assert _tokens(produced) <= _tokens(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_cleaning_clean_text_changes_nothing(text: str) -> None:
    first = clean_text(text)
    rendered = "\n\n".join(p for p in (first.title, first.text) if p)
    second = clean_text(rendered)
    assert (second.title, second.paragraphs) == (first.title, first.paragraphs)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_splitting_keeps_every_line_in_order(text: str) -> None:
    pieces = split_articles(text)
    assert pieces
    kept = [line for piece in pieces for line in piece.split("\n") if line.strip()]
    assert kept == [line for line in text.split("\n") if line.strip()]
