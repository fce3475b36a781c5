"""A planted-duplicate corpus: real articles, and copies of some with realistic edits.

Originals are real article bodies from ../shared/data: every ECB+ text (dev topics 1-35)
and the scrapinghub ground-truth bodies. A copy of an original gets one perturbation, as
a syndicated re-post, another scrape or a later edit would:

  boilerplate   another site's furniture above and below (navigation, byline, time
                stamp, related headlines, share bar, copyright) and its name in the title
  rewrap        the same text hard-wrapped at 60-80 columns
  drop-last     the last paragraph dropped
  reorder       one paragraph moved elsewhere
  typos         character typos (substituted, swapped, dropped or doubled letters),
                one per 150 characters and at most 12
  truncate      cut mid-sentence after 50-90% of its words (a teaser, a cut-off scrape)
  mixed         boilerplate + rewrap + typos

ECB+ texts are mostly one long paragraph; for drop-last and reorder such a text is cut
into paragraphs of a few sentences first, as the site that printed it had them.

Gold: an original and its copies form one duplicate group. Other reports of the same
event (ECB+ has several of each) are *not* planted duplicates: they are the hard
negatives. Some of them are in fact the same wire text (see `natural_labels`).
"""

from __future__ import annotations

import difflib
import json
import random
import re
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from dedupe.signature import shingles, words

PERTURBATIONS = ("boilerplate", "rewrap", "drop-last", "reorder", "typos", "truncate", "mixed")
MIN_WORDS = 120  # shorter originals are too short to copy meaningfully
TYPO_EVERY_CHARS = 150
MAX_TYPOS = 12
TRUNCATE_KEEP = (0.5, 0.9)  # share of the words a truncated copy keeps
MIN_PARAGRAPHS = 4  # fewer, and drop-last / reorder cut the text at sentences first
WRAP_WIDTH = (60, 80)

# Labels of two originals by how much of the shorter text lines up with the longer one
# (difflib on words, not the shingles dedupe uses): a copy, a partial rewrite, or not.
NATURAL_COPY = 0.9  # at least this share aligned: the same text again (a wire copy)
NATURAL_UNRELATED = 0.5  # below it: a different text, however close the story
NATURAL_MIN_LENGTH_SHARE = 0.5  # a copy keeps half the words: a short lede is only "partial"
PREFILTER_CONTAINMENT = 0.15  # pairs sharing fewer 5-word shingles are not aligned at all

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_SITES = (
    ("Harbour Courier", "harbourcourier.com"),
    ("The Midland Ledger", "midlandledger.co.uk"),
    ("Daily Sentinel Online", "dailysentinel.net"),
    ("NewsNow 24", "newsnow24.com"),
    ("Valley Tribune", "valleytribune.org"),
    ("Metro Wire", "metrowire.com"),
)
_NAV = (
    "Home | News | World | Business | Sport | Opinion | Lifestyle",
    "News > World > Americas",
    "Menu Search Subscribe Sign in",
    "Latest Stories | Most Read | Video | Podcasts",
)
_BYLINES = ("By {name}, {site}", "By {name} | {site} staff", "{site} staff and wire reports")
_NAMES = ("Jane Moreno", "Tom Keller", "Priya Raman", "Lukas Brandt", "Ada Okafor", "Sam Li")
_STAMPS = (
    "Published 10:42 AM ET, Tue March 5, 2013",
    "Updated: 14 June 2012 18:05 BST",
    "Posted on April 2, 2011 at 7:31 am",
    "Last updated 09/02/2013 at 11:15",
)
_SHARE = ("Share\nTweet\nEmail", "Share this article", "Facebook Twitter LinkedIn Email Print")
_FOOTERS = (
    "Copyright {year} {site}. All rights reserved.",
    "© {year} {site}. This material may not be published, broadcast, rewritten or "
    "redistributed.",
    "Sign up for the {site} morning newsletter",
    "Follow us on Twitter and Facebook",
    "Have a news tip? Email the {site} newsroom.",
)


@dataclass(frozen=True)
class Source:
    """A real article: the material the corpus is planted from."""

    name: str
    title: str
    text: str
    event: str | None = None  # ECB+ event cluster; None for other articles

    @property
    def copyable(self) -> bool:
        return len(self.text.split()) >= MIN_WORDS


@dataclass(frozen=True)
class PlantedDoc:
    name: str
    title: str
    text: str
    group: str  # the original's name: members of one group are duplicates
    kind: str = "original"  # or the perturbation that made this copy


def load_sources(shared: Path, limit: int | None = None) -> list[Source]:
    """Every ECB+ dev article (title + text), then the scrapinghub bodies, in a fixed order.

    Short and empty texts stay in: they are never copied, but they can be flagged.
    """
    ecb_root = shared / "data" / "ecbplus-dev"
    events = {}
    for line in (ecb_root / "index.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        path, _topic, event, _chars = line.split("\t")
        events[Path(path).stem] = event
    found = []
    for path in sorted((ecb_root / "docs").glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        title, text = doc.get("title") or "", doc.get("text") or ""
        found.append(Source(f"ecb-{path.stem}", title, text, events.get(path.stem)))
    truth = json.loads((shared / "data" / "scrapinghub" / "ground-truth.json").read_text())
    for page_id, item in sorted(truth.items()):
        found.append(Source(f"sh-{page_id[:12]}", "", item.get("articleBody") or ""))
    return found[:limit] if limit else found


def load_originals(shared: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(name, title, body) of the real articles long enough to copy, in a fixed order."""
    found = [(s.name, s.title, s.text) for s in load_sources(shared) if s.copyable]
    return found[:limit] if limit else found


def plant(
    sources: Sequence[Source],
    copy_share: float = 0.6,
    second_share: float = 0.2,
    seed: int = 7,
) -> list[PlantedDoc]:
    """Every source as an original, plus perturbed copies of a `copy_share` of the long
    ones; a `second_share` of those get a second copy with another perturbation.

    Perturbations are dealt out evenly, in a shuffled order.
    """
    rng = random.Random(seed)
    docs = [PlantedDoc(s.name, s.title, s.text, s.name) for s in sources]
    chosen = [s for s in sources if s.copyable and rng.random() < copy_share]
    seconds = [s for s in chosen if rng.random() < second_share]
    kinds = _dealt(len(chosen) + len(seconds), rng)
    related = [s.title for s in sources if s.title]
    jobs = [(s, kinds[i]) for i, s in enumerate(chosen)]
    for i, s in enumerate(seconds):
        first = kinds[chosen.index(s)]
        kind = kinds[len(chosen) + i]
        if kind == first:
            kind = PERTURBATIONS[(PERTURBATIONS.index(kind) + 1) % len(PERTURBATIONS)]
        jobs.append((s, kind))
    for s, kind in jobs:
        title = s.title
        if kind in ("boilerplate", "mixed") and title:
            title = f"{title} - {rng.choice(_SITES)[0]}"
        text = perturb(s.text, kind, rng, related)
        docs.append(PlantedDoc(f"{s.name}-{kind}", title, text, s.name, kind))
    return docs


def _dealt(count: int, rng: random.Random) -> list[str]:
    kinds = [PERTURBATIONS[i % len(PERTURBATIONS)] for i in range(count)]
    rng.shuffle(kinds)
    return kinds


def perturb(text: str, kind: str, rng: random.Random, related: Sequence[str] = ()) -> str:
    if kind == "boilerplate":
        return furnished(paragraphs(text), rng, related)
    if kind == "rewrap":
        width = rng.randint(*WRAP_WIDTH)
        return "\n\n".join(textwrap.fill(p, width) for p in paragraphs(text))
    if kind == "drop-last":
        parts = paragraphs(text, MIN_PARAGRAPHS)
        return "\n\n".join(parts[:-1] if len(parts) > 1 else parts)
    if kind == "reorder":
        parts = paragraphs(text, MIN_PARAGRAPHS)
        if len(parts) > 1:
            start = rng.randrange(len(parts))
            moved = parts.pop(start)
            parts.insert(rng.choice([i for i in range(len(parts) + 1) if i != start]), moved)
        return "\n\n".join(parts)
    if kind == "typos":
        return typos("\n\n".join(paragraphs(text)), rng)
    if kind == "truncate":
        return truncated(text, rng)
    if kind == "mixed":
        furnished_text = perturb(text, "boilerplate", rng, related)
        return typos(perturb(furnished_text, "rewrap", rng), rng)
    raise ValueError(f"unknown perturbation {kind!r}")


def paragraphs(text: str, at_least: int = 1) -> list[str]:
    """The text's paragraphs; when it has fewer than `at_least`, paragraphs of a few
    sentences each (at least `at_least` of them when the text has that many sentences)."""
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    if len(parts) >= at_least:
        return parts
    sentences = [s for s in _SENTENCE_END.split(" ".join(parts)) if s.strip()]
    per = max(1, min(3, len(sentences) // at_least))
    return [" ".join(sentences[i : i + per]) for i in range(0, len(sentences), per)]


def furnished(body: Sequence[str], rng: random.Random, related: Sequence[str] = ()) -> str:
    """The body between one site's header and footer lines."""
    site, domain = rng.choice(_SITES)
    header = [
        site,
        rng.choice(_NAV),
        rng.choice(_BYLINES).format(name=rng.choice(_NAMES), site=site),
        rng.choice(_STAMPS),
        rng.choice(_SHARE),
    ]
    if rng.random() < 0.5:
        header.append("Advertisement")
    footer = [rng.choice(_SHARE)]
    if related:
        footer.append("Related stories")
        footer.extend(rng.sample(list(related), min(2, len(related))))
    footer.extend(f.format(site=site, year=rng.choice((2011, 2012, 2013)))
                  for f in rng.sample(_FOOTERS, 2))
    footer.append(domain)
    return "\n\n".join([*header, *body, *footer])


def truncated(text: str, rng: random.Random) -> str:
    """The first 50-90% of the words, cut mid-sentence, sometimes with a 'read more'."""
    tokens = text.split(" ")
    keep = tokens[: max(1, int(len(tokens) * rng.uniform(*TRUNCATE_KEEP)))]
    tail = rng.choice(("", " …", " [...]", "\n\nRead more"))
    return " ".join(keep).rstrip() + tail


def typos(text: str, rng: random.Random) -> str:
    """Letter typos at random places: substituted, swapped with the next, dropped, doubled."""
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    count = min(MAX_TYPOS, len(text) // TYPO_EVERY_CHARS, len(letters))
    for i in sorted(rng.sample(letters, count), reverse=True):  # from the end: indexes hold
        how = rng.randrange(4)
        if how == 0:
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        elif how == 1 and i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif how == 2:
            del chars[i]
        else:
            chars.insert(i, chars[i])
    return "".join(chars)


def write_corpus(docs: Sequence[PlantedDoc], folder: Path) -> None:
    """One JSON file per document, so titles travel as metadata."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / f"{doc.name}.json").write_text(
            json.dumps({"title": doc.title, "text": doc.text}, ensure_ascii=False),
            encoding="utf-8",
        )


# --- gold ---------------------------------------------------------------------------------


def aligned_share(a: str, b: str) -> float:
    """Share of the shorter text's words that line up, in order, with the longer text's."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched / min(len(wa), len(wb))


def natural_labels(sources: Sequence[Source]) -> dict[tuple[str, str], str]:
    """Pairs of sources that are (partly) the same text: "copy" or "partial".

    Real corpora hold wire copies: ECB+ has reports of one event that are one agency
    text, edited or cut. Labels come from word alignment of the texts (the title when the
    text is empty), not from the shingles dedupe scores: "copy" when at least 90% of the
    shorter text lines up with the longer and it keeps at least half its length (as a
    planted copy does); "partial" when 50-90% lines up, or a short text lines up inside
    a much longer one. Pairs not returned are different texts.
    """
    bodies = {s.name: s.text or s.title for s in sources}
    sets = {name: shingles(body) for name, body in bodies.items()}
    holders: dict[int, list[str]] = {}
    for name in sorted(sets):
        for value in sets[name].tolist():
            holders.setdefault(value, []).append(name)
    shared: Counter[tuple[str, str]] = Counter()
    for names in holders.values():
        shared.update(combinations(names, 2))
    labels: dict[tuple[str, str], str] = {}
    for (a, b), count in sorted(shared.items()):
        if count < PREFILTER_CONTAINMENT * min(sets[a].size, sets[b].size):
            continue
        share = aligned_share(bodies[a], bodies[b])
        lengths = sorted((len(words(bodies[a])), len(words(bodies[b]))))
        if share >= NATURAL_COPY and lengths[0] >= NATURAL_MIN_LENGTH_SHARE * lengths[1]:
            labels[(a, b)] = "copy"
        elif share >= NATURAL_UNRELATED:
            labels[(a, b)] = "partial"
    return labels


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
