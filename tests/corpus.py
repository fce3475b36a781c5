"""A made-up news corpus with planted duplicates and same-story groups, written by tests.

Each event (a fire at a mill in a made-up town, say) is reported several times in
different words that share its names; some reports come again as exact copies in
another file and format, or as near copies (a typo, a dropped sentence, a footer).
Files are plain text, JSON, JSON Lines (several records a file), HTML and gzip.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path

# Made-up names (rare words weigh most in a story signature): event n gets its own.
NAME_STARTS = (
    "Skar",
    "Veld",
    "Brack",
    "Quill",
    "Tarn",
    "Fels",
    "Morrow",
    "Hallow",
    "Dun",
    "Kestrel",
    "Amber",
    "Pell",
)
PLACE_ENDS = ("holm", "moor", "field", "by", "wick", "gard", "dale", "mere")
SURNAME_ENDS = ("sen", "ova", "quist", "thorpe", "ard", "ski", "ling", "dor")
THINGS = (
    "grain mill",
    "ferry terminal",
    "tram depot",
    "glassworks",
    "lighthouse",
    "covered market",
    "paper factory",
    "salt warehouse",
    "clock tower",
    "rope works",
)
HAPPENINGS = (
    ("fire", "a fire broke out at", "firefighters from three stations fought the blaze"),
    ("flood", "floodwater reached", "pumps ran through the night to clear the water"),
    ("closure", "the council closed", "inspectors found cracks in the main supporting beams"),
    ("reopening", "crowds gathered to reopen", "the restoration took four years to finish"),
    ("strike", "workers walked out of", "the union asked for a new contract and safer shifts"),
    ("theft", "thieves broke into", "police said a van was seen leaving before dawn"),
)
FOOTER = "Port Elms Gazette, 4 Harbour Street, Port Elms. Letters welcome."


@dataclass(frozen=True)
class Report:
    name: str  # a unique stem: the file (or record) it is written to
    title: str
    paragraphs: tuple[str, ...]
    date: str


def _event_reports(n: int) -> list[Report]:
    """Three independent reports of event n: other words, the same names and numbers."""
    place = NAME_STARTS[n % len(NAME_STARTS)] + PLACE_ENDS[n // len(NAME_STARTS)]
    surname = NAME_STARTS[(n * 5) % len(NAME_STARTS)] + SURNAME_ENDS[n // len(NAME_STARTS)]
    person = f"Mayor {surname}"
    thing = THINGS[(n * 3) % len(THINGS)]
    kind, verb, detail = HAPPENINGS[n % len(HAPPENINGS)]
    number = 11 + (n * 37) % 180
    day = 1 + n % 27
    date = f"2024-03-{day:02d}"
    templates = (
        (
            f"{kind.title()} at the {place} {thing}",
            (
                f"On Tuesday {verb} the old {thing} in {place}, officials said.",
                f"{detail.capitalize()}, and {number} people were kept away from the site "
                f"while the work went on.",
                f"{person}, who speaks for the {place} council, said the {thing} had stood "
                f"for more than a century and that the town would decide its future soon.",
                f"Residents of {place} were told to follow updates from the council office.",
            ),
        ),
        (
            f"{place} {thing}: {person} speaks after the {kind}",
            (
                f"{person} told reporters in {place} that the {kind} at the {thing} was "
                f"the worst the district had seen in years.",
                f"By the council's count {number} residents were affected, and {detail}.",
                f"Local shops near the {thing} stayed shut, and buses to {place} were "
                f"diverted around the harbour road for the rest of the week.",
            ),
        ),
        (
            f"What we know about the {place} {kind}",
            (
                f"Here is what is known so far about the {kind} at the {thing} in {place}.",
                f"The first reports came early on Tuesday; {number} people were involved "
                f"according to {person}.",
                f"Officials said {detail}, and a full review of the {thing} is expected "
                f"before the end of the month.",
                f"{person} thanked volunteers from {place} for their help.",
            ),
        ),
    )
    return [
        Report(f"e{n:03d}r{i}", title, paras, date) for i, (title, paras) in enumerate(templates)
    ]


def _near_copy(rng: random.Random, report: Report, name: str) -> Report:
    """A light edit: one sentence dropped (never the first), a typo, a footer line."""
    paras = list(report.paragraphs)
    if len(paras) > 3:
        del paras[rng.randrange(1, len(paras))]
    first = paras[0]
    at = rng.randrange(5, len(first) - 5)
    paras[0] = first[:at] + first[at + 1] + first[at] + first[at + 2 :]
    paras.append("Reporting by the regional desk.")
    return Report(name, report.title, tuple(paras), report.date)


@dataclass(frozen=True)
class Corpus:
    files: tuple[str, ...]  # relative paths written
    articles: int  # articles the files hold


def write_corpus(folder: Path, events: int = 60, seed: int = 11) -> Corpus:
    """Write the corpus under `folder`: the same arguments always write the same files."""
    if events > len(NAME_STARTS) * len(PLACE_ENDS):
        raise ValueError(f"at most {len(NAME_STARTS) * len(PLACE_ENDS)} events have names")
    rng = random.Random(seed)
    reports: list[Report] = []
    for n in range(events):
        reports.extend(_event_reports(n))
    copies: list[Report] = []
    for i, report in enumerate(reports[::4]):
        copies.append(Report(f"{report.name}-copy", report.title, report.paragraphs, report.date))
        if i % 2 == 0:
            copies.append(_near_copy(rng, report, f"{report.name}-near"))
    everything = reports + copies
    rng.shuffle(everything)
    written: list[str] = []
    feed: list[Report] = []
    for i, report in enumerate(everything):
        kind = ("txt", "json", "jsonl", "txt", "html", "jsonl", "txt.gz", "jsonl")[i % 8]
        if kind == "jsonl":
            feed.append(report)
            if len(feed) == 4:
                written.append(_write_feed(folder, feed))
                feed = []
            continue
        written.append(_write_one(folder, report, kind, footer=i % 3 == 0))
    if feed:
        written.append(_write_feed(folder, feed))
    return Corpus(tuple(sorted(written)), len(everything))


def _write_one(folder: Path, report: Report, kind: str, footer: bool) -> str:
    sub = f"day{report.date[-2:]}"
    rel = f"{sub}/{report.name}.{kind}"
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(report.paragraphs)
    if kind in ("txt", "txt.gz"):
        text = f"{report.title}\n\n{body}\n" + (f"\n{FOOTER}\n" if footer else "")
        data = text.encode()
        path.write_bytes(gzip.compress(data, mtime=0) if kind == "txt.gz" else data)
    elif kind == "json":
        path.write_text(
            json.dumps(
                {
                    "title": report.title,
                    "text": body,
                    "date": report.date,
                    "url": f"https://example.org/{report.name}",
                }
            ),
            encoding="utf-8",
        )
    else:
        paras = "".join(f"<p>{p}</p>" for p in report.paragraphs)
        path.write_text(
            f"<html><head><title>{report.title}</title></head><body>"
            f"<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
            f"<article><h1>{report.title}</h1>{paras}</article>"
            f"<footer>{FOOTER}</footer></body></html>",
            encoding="utf-8",
        )
    return rel


def _write_feed(folder: Path, reports: list[Report]) -> str:
    rel = f"feeds/{reports[0].name}.jsonl"
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {
                "title": r.title,
                "maintext": "\n\n".join(r.paragraphs),
                "date_publish": r.date,
                "source_domain": "feeds.example.org",
            }
        )
        for r in reports
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rel
