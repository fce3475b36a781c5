"""A planted-duplicate corpus: real articles, and copies of some with realistic edits.

Originals are real article bodies from ../shared/data (ECB+ texts and the scrapinghub
ground-truth bodies). A copy of an original gets one perturbation (a syndicated
re-post or a later edit):

  boilerplate   other site furniture above and below (headline, share bar, footer)
  rewrap        the same text hard-wrapped at 60-80 columns
  drop-last     the last paragraph dropped
  reorder       two paragraphs swapped
  typos         a handful of character typos (1 per 150 characters, at most 12)
  truncate      cut after 80-90% of its words (a teaser, a cut-off scrape)
  mixed         boilerplate + rewrap + typos

Gold: an original and its copies form one duplicate group. Other articles about
the same event (ECB+ puts several reports of each event in the set) are *not*
duplicates: they are the hard negatives.
"""

from __future__ import annotations

import json
import random
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PERTURBATIONS = ("boilerplate", "rewrap", "drop-last", "reorder", "typos", "truncate", "mixed")
MIN_WORDS = 120  # shorter originals are too short to copy meaningfully
TYPO_EVERY_CHARS = 150
MAX_TYPOS = 12

_HEADERS = (
    "Home | World | Business | Sport",
    "Share\nTweet\nEmail",
    "Advertisement",
    "Posted by the newsroom",
)
_FOOTERS = (
    "Share this:\nLike this:",
    "Copyright 2024 Regional Wire. All rights reserved.",
    "Sign up for our morning newsletter",
    "Follow us on Twitter and Facebook",
    "Click to Read more news from the respected source",
)


@dataclass(frozen=True)
class PlantedDoc:
    name: str
    title: str
    text: str
    group: str  # the original's name: members of one group are duplicates


def load_originals(shared: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(name, title, body) of real articles long enough to copy, in a fixed order."""
    found: list[tuple[str, str, str]] = []
    ecb = shared / "data" / "ecbplus-dev" / "docs"
    for path in sorted(ecb.glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        body = doc.get("text") or ""
        if len(body.split()) >= MIN_WORDS:
            found.append((f"ecb-{path.stem}", doc.get("title") or "", body))
    truth = json.loads((shared / "data" / "scrapinghub" / "ground-truth.json").read_text())
    for page_id, item in sorted(truth.items()):
        body = item.get("articleBody") or ""
        if len(body.split()) >= MIN_WORDS:
            found.append((f"sh-{page_id[:12]}", "", body))
    return found[:limit] if limit else found


def plant(
    originals: Sequence[tuple[str, str, str]], copy_share: float = 0.5, seed: int = 7
) -> list[PlantedDoc]:
    """The originals, plus one perturbed copy of a `copy_share` of them."""
    rng = random.Random(seed)
    docs = [PlantedDoc(name, title, body, name) for name, title, body in originals]
    for n, (name, title, body) in enumerate(originals):
        if rng.random() >= copy_share:
            continue
        kind = PERTURBATIONS[n % len(PERTURBATIONS)]
        docs.append(PlantedDoc(f"{name}-{kind}", title, perturb(body, kind, rng), name))
    return docs


def perturb(text: str, kind: str, rng: random.Random) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if kind == "boilerplate":
        return "\n\n".join([rng.choice(_HEADERS), *paragraphs, rng.choice(_FOOTERS)])
    if kind == "rewrap":
        width = rng.randint(60, 80)
        return "\n\n".join(textwrap.fill(p, width) for p in paragraphs)
    if kind == "drop-last":
        return "\n\n".join(paragraphs[:-1] if len(paragraphs) > 2 else paragraphs)
    if kind == "reorder":
        if len(paragraphs) > 2:
            i = rng.randrange(len(paragraphs) - 1)
            paragraphs[i], paragraphs[i + 1] = paragraphs[i + 1], paragraphs[i]
        return "\n\n".join(paragraphs)
    if kind == "typos":
        return typos("\n\n".join(paragraphs), rng)
    if kind == "truncate":
        words = text.split(" ")
        return " ".join(words[: int(len(words) * rng.uniform(0.8, 0.9))])
    if kind == "mixed":
        return typos(perturb(perturb(text, "boilerplate", rng), "rewrap", rng), rng)
    raise ValueError(f"unknown perturbation {kind!r}")


def typos(text: str, rng: random.Random) -> str:
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    for i in rng.sample(letters, min(MAX_TYPOS, len(text) // TYPO_EVERY_CHARS, len(letters))):
        chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def write_corpus(docs: Sequence[PlantedDoc], folder: Path) -> None:
    """One JSON file per document, so titles travel as metadata."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / f"{doc.name}.json").write_text(
            json.dumps({"title": doc.title, "text": doc.text}, ensure_ascii=False),
            encoding="utf-8",
        )


def gold_pairs(docs: Sequence[PlantedDoc]) -> set[tuple[str, str]]:
    """Every pair of file names in one group (names sorted within a pair)."""
    groups: dict[str, list[str]] = {}
    for doc in docs:
        groups.setdefault(doc.group, []).append(f"{doc.name}.json")
    return {
        (a, b)
        for members in groups.values()
        for i, a in enumerate(sorted(members))
        for b in sorted(members)[i + 1 :]
    }


def precision_recall(
    found: set[tuple[str, str]], gold: set[tuple[str, str]]
) -> tuple[float, float]:
    hits = len(found & gold)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(gold) if gold else 1.0
    return precision, recall
