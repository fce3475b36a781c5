"""Peer benchmark: newsdedup's duplicates beside datatrove, text-dedup and plain datasketch.

Every tool runs in the same invocation, one after another, on the same JSON Lines corpus
(fields `id`, `text`), with comparable settings: word 5-shingles, a duplicate threshold of
0.8 and, for the MinHash peers, the same LSH band shape — the one datasketch's
optimisation gives for 0.8 and 128 permutations (9 bands x 13 rows). Each run is a
subprocess; its wall time and peak memory are measured from outside, and its output is
mapped to clusters of corpus ids and scored pair by pair against a gold file.

Run from the repository root::

    .venv/bin/python -m bench.peers --make-corpus bench/out/c10k.jsonl --docs 10000
    .venv/bin/python -m bench.peers --corpus bench/out/c10k.jsonl \\
        --gold bench/out/c10k.gold.json [--tools datatrove,text-dedup,datasketch] [--repeat 3]

`--make-corpus` writes a synthetic corpus (word-frequency English, planted near-copies and
near-misses) and its gold file (id -> group); `--planted` makes one from the real articles
in ../shared instead (bench.planted). The peers install themselves on first use into
their own venvs under bench/out/venvs/ (`python3 -m venv` + pip, requirements in
bench/peers/); later runs reuse them. bench/peers/README.md has the settings, the reasons
for them and measured numbers.

Measured, for every process a run starts (bench/peers/measure.py, a child subreaper, so
workers that outlive their parent count too): wall time; CPU time (user + system); peak
RSS of the largest process; and the peak of the summed RSS of the process tree, sampled
every SAMPLE_SECONDS (pages that forked workers share count in each: an upper bound).
With `--repeat N` the tools run in N interleaved rounds and each one's fastest run is
kept: other load on the machine then hits every tool alike.

The tools, with the fastest settings of each that keep the comparison fair:

- newsdedup: `newsdedup run` (ingest, clean, sign, match, cluster duplicates and stories)
  with `--duplicate-threshold 0.8`: the whole job, as a user runs it; the corpus's records
  are cleaned on one worker process per core, dedupe runs in one.
- newsdedup-duplicates: the same with `--no-stories`, the job the MinHash peers do
  (ingest and cleaning included).
- datatrove: its four-stage MinHash pipeline (its example's structure) on the
  LocalPipelineExecutor, 2 tasks on 2 workers for the signature and filter stages (the
  corpus is cut into 2 files: datatrove's readers shard by file), one task per band for
  the buckets stage; 5-grams; 9 buckets x 13 hashes; xxhash 64-bit (its default and
  fastest hash); spaCy's English word tokenizer (what `Languages.english` selects); output
  uncompressed. Cluster ids come from stage 3's `save_cluster_id`.
- datatrove-split: the same, with str.split as the word tokenizer (datatrove simplifies
  the text first: lower case, no punctuation), since spaCy is most of datatrove's time.
- text-dedup 0.4.0: `python -m text_dedup.minhash` with `--ngram 5 --num_perm 128 --b 9
  --r 13 --num_proc 2 --hash_func xxh3` (its help: "xxh3 is faster"), 64-bit mode (its
  default); `--debug --idx_column id` to get the union-find keyed by corpus id.
- datasketch: MinHash(num_perm=128) of lower-cased `\\w+` 5-shingles, MinHashLSH
  (threshold=0.8, so 9 x 13), one pass of query-then-insert, in newsdedup's venv; one core.

The MinHash peers take every LSH collision as a duplicate (none of them verifies), then
join pairs into clusters; newsdedup verifies the exact Jaccard of every candidate.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from math import comb
from pathlib import Path

from dedupe.signature import lsh_params

REPO_ROOT = Path(__file__).resolve().parents[1]
PEERS_DIR = Path(__file__).resolve().parent / "peers"
OUT = REPO_ROOT / "bench" / "out"
VENVS = OUT / "venvs"
SHARED = REPO_ROOT.parent / "shared"
BASE_PYTHON = "python3"  # what the peers' venvs are made from

TOOLS = ("newsdedup", "newsdedup-duplicates", "datatrove", "datatrove-split", "text-dedup",
         "datasketch")
OURS = ("newsdedup", "newsdedup-duplicates")  # the whole job, and duplicates alone
SAMPLE_SECONDS = 0.1  # how often the memory of a run's process tree is sampled
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
NEWSDEDUP_MAX_BYTES = 50 * 1024 * 1024  # newsdedup's default file size limit


class PeerError(RuntimeError):
    """A tool could not be installed or run; the message says what to look at."""


@dataclass(frozen=True)
class Settings:
    """The comparable settings every tool gets."""

    threshold: float = 0.8
    num_perm: int = 128
    ngram: int = 5
    workers: int = 2

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold}")
        if self.ngram < 1 or self.workers < 1 or self.num_perm < 2:
            raise ValueError("ngram and workers must be >= 1, num_perm >= 2")

    def bands(self) -> tuple[int, int]:
        """(bands, rows): what MinHashLSH(threshold, num_perm) picks."""
        return lsh_params(self.threshold, self.num_perm)


@dataclass(frozen=True)
class PeerResult:
    tool: str
    seconds: float
    peak_rss_mb: float  # the largest single process (ru_maxrss)
    clusters: list[list[str]]  # duplicate clusters of two or more corpus ids
    peak_tree_mb: float | None = None  # summed RSS of the process tree, sampled
    cpu_seconds: float | None = None  # user + system time of every process of the run
    version: str = ""
    command: tuple[str, ...] = ()


# --- measuring a run ----------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    peak_tree_mb: float | None
    returncode: int


def measure(cmd: Sequence[str], cwd: Path, log: Path, env: Mapping[str, str]) -> Measured:
    """Run `cmd` to its end through bench/peers/measure.py: wall time, CPU time of every
    process it started, the peak RSS of its largest process, and the peak of the summed
    RSS of its process tree (sampled: workers' shared pages count in each)."""
    usage_path = log.with_name(log.name + ".usage.json")
    wrapped = [sys.executable, str(PEERS_DIR / "measure.py"), str(usage_path), "--", *cmd]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            wrapped, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT,
        )
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        proc.wait()
        peak_tree = sampler.stop()
    if proc.returncode != 0 or not usage_path.exists():
        raise PeerError(f"measuring {cmd[0]} failed (exit {proc.returncode}); see {log}")
    usage = json.loads(usage_path.read_text(encoding="utf-8"))
    return Measured(
        float(usage["seconds"]), float(usage["cpu_seconds"]), usage["peak_rss_kb"] / 1024,
        peak_tree, int(usage["returncode"]),
    )


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process's descendants until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kb = 0
        self.ok = Path(f"/proc/{root}/statm").exists()
        self._done = threading.Event()

    def run(self) -> None:
        while self.ok:
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.root))
            if self._done.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> float | None:
        self._done.set()
        self.join()
        return self.peak_kb / 1024 if self.ok else None


def tree_rss_kb(root: int) -> int:
    """Summed RSS of the descendants of `root` (not `root` itself), in KiB."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry))
    total, todo = 0, list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * PAGE_KB
    return total


# --- venvs --------------------------------------------------------------------------------


def ensure_venv(tool: str, root: Path = VENVS) -> Path:
    """The python of `tool`'s own venv, made and installed on first use (or when its
    requirements file changed)."""
    requirements = PEERS_DIR / f"requirements-{tool}.txt"
    venv = root / tool
    python = venv / "bin" / "python"
    stamp = venv / f".installed-{hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]}"
    if stamp.exists():
        return python
    print(f"installing {tool} into {venv} (once)…", file=sys.stderr)
    if venv.exists():
        shutil.rmtree(venv)
    root.mkdir(parents=True, exist_ok=True)
    _check([BASE_PYTHON, "-m", "venv", str(venv)],
           f"{BASE_PYTHON} -m venv failed: is python3-venv installed?")
    _check(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)],
        f"pip could not install {requirements.name}: is PyPI reachable?",
    )
    stamp.touch()
    return python


def _check(cmd: Sequence[str], hint: str, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(list(cmd), capture_output=True, text=True, check=False,
                          env=dict(env) if env is not None else None)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise PeerError(f"{hint}\n$ {' '.join(cmd)}\n{tail}")
    return str(done.stdout)


def _version(python: Path, distribution: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    return _check([str(python), "-c", code], f"{distribution} is not installed").strip()


# --- the tools ----------------------------------------------------------------------------


def run_peer(
    tool: str, corpus_path: Path, workdir: Path, settings: Settings = Settings()
) -> PeerResult:
    """Run `tool` on `corpus_path` in a fresh `workdir/tool`, measured; its clusters."""
    if tool not in TOOLS:
        raise PeerError(f"unknown tool {tool!r}: pick from {', '.join(TOOLS)}")
    work = workdir / tool
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    corpus = corpus_path.resolve()
    env = {
        **os.environ,
        "HF_HOME": str(work / "hf"),  # datasets' caches stay in the work folder
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if tool in OURS:
        return _newsdedup(tool, corpus, work, settings, env)
    if tool in ("datatrove", "datatrove-split"):
        return _datatrove(corpus, work, settings, env, split=tool == "datatrove-split")
    if tool == "text-dedup":
        return _text_dedup(corpus, work, settings, env)
    return _datasketch(corpus, work, settings, env)


def _timed(tool: str, cmd: list[str], work: Path, env: Mapping[str, str]) -> Measured:
    load = os.getloadavg()[0]
    print(f"running {tool} (load average {load:.1f}): {' '.join(cmd)}", file=sys.stderr)
    log = work / "run.log"
    measured = measure(cmd, work, log, env)
    if measured.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").strip().splitlines()[-15:])
        raise PeerError(f"{tool} exited with {measured.returncode} (log: {log})\n{tail}")
    return measured


def _result(tool: str, m: Measured, clusters: list[list[str]], version: str,
            cmd: list[str]) -> PeerResult:
    return PeerResult(tool, m.seconds, m.peak_rss_mb, clusters, m.peak_tree_mb, m.cpu_seconds,
                      version, tuple(cmd))


def _newsdedup(
    tool: str, corpus: Path, work: Path, s: Settings, env: Mapping[str, str]
) -> PeerResult:
    bin_dir = Path(sys.executable).parent
    cli = str(bin_dir / "newsdedup")
    folder = work / "in"
    folder.mkdir()
    shutil.copyfile(corpus, folder / "corpus.jsonl")
    db = str(work / "news.db")
    max_bytes = max(NEWSDEDUP_MAX_BYTES, corpus.stat().st_size + 1)
    cmd = [cli, "run", str(folder), "--db", db, "--duplicate-threshold", str(s.threshold),
           "--max-bytes", str(max_bytes), "-q"]
    if tool == "newsdedup-duplicates":
        cmd.append("--no-stories")
    measured = _timed(tool, cmd, work, env)
    articles = _check([cli, "export", "articles", "--db", db], "newsdedup export failed")
    clusters = _check([cli, "export", "clusters", "--db", db], "newsdedup export failed")
    found = newsdedup_clusters(_jsonl(articles), _jsonl(clusters))
    return _result(tool, measured, found, _version(Path(sys.executable), "newsdedup"), cmd)


def _datatrove(
    corpus: Path, work: Path, s: Settings, env: Mapping[str, str], split: bool
) -> PeerResult:
    tool = "datatrove-split" if split else "datatrove"
    python = ensure_venv("datatrove")
    script = str(PEERS_DIR / "run_datatrove.py")
    bands, rows = s.bands()
    cmd = [str(python), script, "run", str(corpus), str(work), "--bands", str(bands),
           "--rows", str(rows), "--ngram", str(s.ngram), "--workers", str(s.workers),
           "--tokenizer", "split" if split else "spacy"]
    measured = _timed(tool, cmd, work, env)
    labels_path = work / "labels.json"
    _check([str(python), script, "clusters", str(work), str(labels_path),
            "--workers", str(s.workers)], "reading datatrove's clusters failed", env=env)
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    return _result(tool, measured, clusters_from_labels(labels), _version(python, "datatrove"),
                   cmd)


def _text_dedup(corpus: Path, work: Path, s: Settings, env: Mapping[str, str]) -> PeerResult:
    python = ensure_venv("text-dedup")
    bands, rows = s.bands()
    cmd = [str(python), "-m", "text_dedup.minhash", "--path", "json", "--data_files",
           str(corpus), "--split", "train", "--cache_dir", str(work / "cache"), "--output",
           str(work / "output"), "--column", "text", "--idx_column", "id", "--ngram",
           str(s.ngram), "--num_perm", str(s.num_perm), "--threshold", str(s.threshold),
           "--b", str(bands), "--r", str(rows), "--num_proc", str(s.workers), "--hash_func",
           "xxh3", "--debug"]
    measured = _timed("text-dedup", cmd, work, env)
    labels_path = work / "labels.json"
    _check([str(python), str(PEERS_DIR / "read_text_dedup.py"), str(work / "output" / "uf.pkl"),
            str(labels_path)], "reading text-dedup's uf.pkl failed", env=env)
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    return _result("text-dedup", measured, clusters_from_labels(labels),
                   _version(python, "text-dedup"), cmd)


def _datasketch(corpus: Path, work: Path, s: Settings, env: Mapping[str, str]) -> PeerResult:
    labels_path = work / "labels.json"
    cmd = [sys.executable, str(PEERS_DIR / "run_datasketch.py"), str(corpus), str(labels_path),
           "--threshold", str(s.threshold), "--num-perm", str(s.num_perm), "--ngram",
           str(s.ngram)]
    measured = _timed("datasketch", cmd, work, env)
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    return _result("datasketch", measured, clusters_from_labels(labels),
                   _version(Path(sys.executable), "datasketch"), cmd)


# --- tool output -> clusters --------------------------------------------------------------


def normalise(clusters: Iterable[Iterable[str]]) -> list[list[str]]:
    """Clusters of two or more, members sorted, clusters in order of their first member."""
    return sorted(sorted(set(c)) for c in clusters if len(set(c)) > 1)


def clusters_from_labels(labels: Mapping[str, Hashable]) -> list[list[str]]:
    """{id: cluster label} (a cluster id, or a union-find root) -> clusters."""
    groups: dict[Hashable, list[str]] = defaultdict(list)
    for doc, label in labels.items():
        groups[label].append(doc)
    return normalise(groups.values())


def newsdedup_clusters(
    articles: Iterable[Mapping[str, object]], clusters: Iterable[Mapping[str, object]]
) -> list[list[str]]:
    """Duplicate clusters of `newsdedup export clusters`, by the corpus's own ids (kept in
    each article's `metadata.source.extra.id` by `export articles`)."""
    corpus_id = {}
    for article in articles:
        source = _get(article, "metadata", "source", "extra", "id")
        if source is None:
            raise PeerError(f"newsdedup article {article.get('id')} has no corpus id")
        corpus_id[str(article["id"])] = str(source)
    return normalise(
        [corpus_id[str(m)] for m in _members(c)] for c in clusters if c.get("kind") == "duplicate"
    )


def _get(data: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _members(cluster: Mapping[str, object]) -> list[object]:
    members = cluster.get("members")
    return list(members) if isinstance(members, list) else []


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# --- scores -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    gold: int  # pairs of documents in one gold group
    flagged: int  # pairs of documents in one found cluster
    correct: int
    reachable: int = 0  # gold pairs whose exact Jaccard is at least the threshold
    reached: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def reachable_recall(self) -> float:
        return self.reached / self.reachable if self.reachable else 1.0


def pair_score(
    clusters: Sequence[Sequence[str]],
    gold: Mapping[str, str],
    reachable: Iterable[tuple[str, str]] = (),
) -> Score:
    """Pairwise precision and recall of `clusters` against gold groups, counted from the
    contingency table (a huge wrong cluster costs no memory). Ids missing from the gold
    are groups of their own."""
    flagged = sum(comb(len(c), 2) for c in clusters)
    cells = Counter((i, gold.get(doc, "\0" + doc)) for i, c in enumerate(clusters) for doc in c)
    correct = sum(comb(n, 2) for n in cells.values())
    gold_pairs = sum(comb(n, 2) for n in Counter(gold.values()).values())
    cluster_of = {doc: i for i, c in enumerate(clusters) for doc in c}
    near = list(reachable)
    reached = sum(
        1 for a, b in near if a in cluster_of and cluster_of.get(a) == cluster_of.get(b)
    )
    return Score(gold_pairs, flagged, correct, len(near), reached)


def word_shingles(text: str, n: int) -> set[str]:
    """Lower-cased `\\w+` word n-grams: the common ground of the tools' shingles."""
    words = re.findall(r"\w+", text.lower())
    if len(words) <= n:
        return {" ".join(words)}
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def reachable_pairs(
    texts: Mapping[str, str], gold: Mapping[str, str], threshold: float, n: int
) -> list[tuple[str, str]]:
    """The gold pairs whose exact shingle Jaccard is at least `threshold`: what a perfect
    MinHash at that threshold finds."""
    groups: dict[str, list[str]] = defaultdict(list)
    for doc in sorted(texts):
        if doc in gold:
            groups[gold[doc]].append(doc)
    found = []
    for members in groups.values():
        sets = {doc: word_shingles(texts[doc], n) for doc in members}
        for a, b in itertools.combinations(members, 2):
            union = len(sets[a] | sets[b])
            if union and len(sets[a] & sets[b]) / union >= threshold:
                found.append((a, b))
    return found


# --- the table ----------------------------------------------------------------------------


def table(
    results: Sequence[PeerResult], scores: Mapping[str, Score] | None = None,
    threshold: float = 0.8,
) -> list[str]:
    """Markdown rows, one per tool; newsdedup's wall time as a multiple of each tool's."""
    ours = next((r for r in results if r.tool == "newsdedup"), None)
    head = ["tool", "version", "wall s", "CPU s", "newsdedup ÷ tool, wall",
            "newsdedup ÷ tool, CPU", "peak RSS MB, largest process",
            "peak RSS MB, all processes", "clusters", "pairs flagged"]
    if scores is not None:
        head += ["precision", "recall", f"recall, gold pairs with J ≥ {threshold:g}"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        cells = [
            r.tool, r.version, f"{r.seconds:.1f}", _maybe(r.cpu_seconds, ".1f"),
            _ratio(ours.seconds if ours else None, r.seconds),
            _ratio(ours.cpu_seconds if ours else None, r.cpu_seconds),
            f"{r.peak_rss_mb:.0f}", _maybe(r.peak_tree_mb, ".0f"),
            str(len(r.clusters)), str(sum(comb(len(c), 2) for c in r.clusters)),
        ]
        if scores is not None:
            s = scores[r.tool]
            cells += [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.reachable_recall:.3f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}" if ours is not None and theirs else ""


def _maybe(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


# --- corpora ------------------------------------------------------------------------------

VOCABULARY = 4000  # most frequent English words (wordfreq) that texts are drawn from
COPY_SHARE = 0.3  # originals that get a near-copy
SECOND_COPY_SHARE = 0.2  # of those, ones that get a second
COPY_KINDS = ("edits", "drop-sentence", "drop-paragraph", "furniture", "rewrap", "mixed")
EDIT_RATE = (0.005, 0.02)  # word edits per word in an "edits" copy
# Near-misses, shares of the originals: a follow-up quoting an earlier one, a short text
# under a long site disclaimer, an update that replaces half of an earlier one.
FOLLOWUP_SHARE, TEMPLATE_SHARE, UPDATE_SHARE = 0.05, 0.05, 0.03
_SITES = ("Harbour Courier", "Midland Ledger", "Daily Sentinel", "Valley Tribune")


@dataclass
class _Writer:
    rng: random.Random
    words: list[str]
    cum_weights: list[float]
    previous: list[list[list[str]]] = field(default_factory=list)  # originals' paragraphs

    def sentence(self) -> str:
        chosen = self.rng.choices(self.words, cum_weights=self.cum_weights,
                                  k=self.rng.randint(6, 24))
        return " ".join(chosen).capitalize() + "."

    def paragraph(self) -> list[str]:
        return [self.sentence() for _ in range(self.rng.randint(2, 6))]

    def article(self, low: int = 4, high: int = 12) -> list[list[str]]:
        return [self.paragraph() for _ in range(self.rng.randint(low, high))]


def make_corpus(n_docs: int, seed: int = 7) -> tuple[list[dict[str, str]], dict[str, str]]:
    """`n_docs` synthetic articles and their gold groups (id -> group).

    Originals are sentences of words drawn by English word frequency; some are near-misses
    of an earlier original (a follow-up quoting one or two of its paragraphs, a short text
    under a long site disclaimer, an update replacing half of it) and are groups of their
    own. A share of originals get near-copies (COPY_KINDS), which join their group. The
    order is shuffled, ids are positions with the copy kind as a suffix.
    """
    import wordfreq

    rng = random.Random(seed)
    words = [w for w in wordfreq.top_n_list("en", VOCABULARY) if w.isalpha()]
    weights = list(itertools.accumulate(wordfreq.word_frequency(w, "en") for w in words))
    writer = _Writer(rng, words, weights)
    disclaimers = [" ".join(writer.sentence() for _ in range(5)) for _ in range(4)]
    docs: list[tuple[str, str, str]] = []  # (text, group, kind)
    while len(docs) < n_docs:
        group = f"g{len(docs):06d}"
        paragraphs = _original(writer, disclaimers)
        writer.previous.append(paragraphs)
        docs.append((_text(paragraphs), group, "original"))
        if rng.random() < COPY_SHARE:
            copies = 2 if rng.random() < SECOND_COPY_SHARE else 1
            for kind in rng.sample(COPY_KINDS, copies):
                docs.append((_copy(paragraphs, kind, writer), group, kind))
    docs = docs[:n_docs]
    rng.shuffle(docs)
    records, gold = [], {}
    for i, (text, group, kind) in enumerate(docs):
        doc_id = f"d{i:06d}" + ("" if kind == "original" else f"-{kind}")
        records.append({"id": doc_id, "text": text})
        gold[doc_id] = group
    return records, gold


def _original(w: _Writer, disclaimers: Sequence[str]) -> list[list[str]]:
    roll, earlier = w.rng.random(), w.previous
    if earlier and roll < FOLLOWUP_SHARE:
        quoted = w.rng.choice(earlier)
        body = w.article(2, 6)
        body[1:1] = w.rng.sample(quoted, min(len(quoted), w.rng.randint(1, 2)))
        return body
    if roll < FOLLOWUP_SHARE + TEMPLATE_SHARE:
        return [*w.article(1, 3), [w.rng.choice(disclaimers)]]
    if earlier and roll < FOLLOWUP_SHARE + TEMPLATE_SHARE + UPDATE_SHARE:
        base = [list(p) for p in w.rng.choice(earlier)]
        for i in w.rng.sample(range(len(base)), (len(base) + 1) // 2):
            base[i] = w.paragraph()
        return base
    return w.article()


def _copy(paragraphs: list[list[str]], kind: str, w: _Writer) -> str:
    rng = w.rng
    parts = [list(p) for p in paragraphs]
    if kind in ("edits", "mixed"):
        parts = _edited(parts, w)
    if kind in ("drop-sentence", "mixed"):
        candidates = [i for i, p in enumerate(parts) if len(p) > 1]
        if candidates:
            p = parts[rng.choice(candidates)]
            p.pop(rng.randrange(len(p)))
    if kind == "drop-paragraph" and len(parts) > 1:
        parts.pop()
    text = _text(parts)
    if kind in ("furniture", "mixed"):
        site = rng.choice(_SITES)
        text = (f"{site} | News | World | Business\nUpdated {rng.randint(1, 28)} March 2013\n\n"
                f"{text}\n\nShare this:\nCopyright 2013 {site}. All rights reserved.")
    if kind == "rewrap":
        text = "\n\n".join(textwrap.fill(p, rng.randint(60, 80)) for p in text.split("\n\n"))
    return text


def _edited(parts: list[list[str]], w: _Writer) -> list[list[str]]:
    flat = [(pi, si) for pi, p in enumerate(parts) for si in range(len(p))]
    total_words = sum(len(s.split()) for p in parts for s in p)
    edits = max(1, round(total_words * w.rng.uniform(*EDIT_RATE)))
    for _ in range(edits):
        pi, si = w.rng.choice(flat)
        tokens = parts[pi][si].split()
        at = w.rng.randrange(len(tokens))
        new = w.rng.choices(w.words, cum_weights=w.cum_weights)[0]
        action = w.rng.choice(("replace", "insert", "delete"))
        if action == "replace":
            tokens[at] = new
        elif action == "insert":
            tokens.insert(at, new)
        elif len(tokens) > 2:
            del tokens[at]
        parts[pi][si] = " ".join(tokens)
    return parts


def _text(paragraphs: Sequence[Sequence[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


def planted_corpus(shared: Path, seed: int = 7) -> tuple[list[dict[str, str]], dict[str, str]]:
    """bench.planted's corpus (real ECB+ and scrapinghub articles and perturbed copies) as
    records and gold groups. Wire copies among the originals count as different groups
    here (bench.duplicates scores them apart)."""
    from bench.planted import load_sources, plant

    docs = plant(load_sources(shared), seed=seed)
    records = [{"id": d.name, "text": f"{d.title}\n\n{d.text}" if d.title else d.text}
               for d in docs]
    return records, {d.name: d.group for d in docs}


def write_corpus(records: Sequence[Mapping[str, str]], gold: Mapping[str, str],
                 path: Path) -> Path:
    """Write `path` (JSON Lines) and its gold file beside it; the gold file's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    gold_path = gold_path_for(path)
    gold_path.write_text(json.dumps(dict(gold), indent=0, sort_keys=True), encoding="utf-8")
    return gold_path


def gold_path_for(corpus: Path) -> Path:
    return corpus.with_name(corpus.name.removesuffix(".jsonl") + ".gold.json")


def read_texts(corpus: Path) -> dict[str, str]:
    texts = {}
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                texts[str(record["id"])] = record.get("text") or ""
    return texts


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.peers", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--corpus", type=Path, help="JSON Lines corpus (fields id, text)")
    parser.add_argument("--gold", type=Path, help="JSON file mapping id -> gold group")
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help=f"comma-separated, from {', '.join(TOOLS)} (default: all)")
    parser.add_argument("--threshold", type=float, default=Settings.threshold)
    parser.add_argument("--workers", type=int, default=Settings.workers,
                        help="processes for the peers that run several")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds over all tools; each tool's fastest run is reported")
    parser.add_argument("--workdir", type=Path,
                        help="keep each tool's files here (default: a temporary folder)")
    parser.add_argument("--make-corpus", type=Path, metavar="OUT.jsonl",
                        help="write a synthetic corpus and OUT.gold.json, then stop")
    parser.add_argument("--docs", type=int, default=10_000, help="with --make-corpus")
    parser.add_argument("--seed", type=int, default=7, help="with --make-corpus")
    parser.add_argument("--planted", action="store_true",
                        help="with --make-corpus: bench.planted's real articles instead")
    args = parser.parse_args(argv)
    if args.make_corpus:
        records, gold = (planted_corpus(SHARED, args.seed) if args.planted
                         else make_corpus(args.docs, args.seed))
        gold_path = write_corpus(records, gold, args.make_corpus)
        print(f"wrote {len(records)} documents to {args.make_corpus} and {gold_path}",
              file=sys.stderr)
        return 0
    if not args.corpus:
        parser.error("--corpus is required (or --make-corpus)")
    if not args.corpus.is_file():
        parser.error(f"{args.corpus} does not exist: make one with --make-corpus")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tools {', '.join(unknown)}: pick from {', '.join(TOOLS)}")
    settings = Settings(threshold=args.threshold, workers=args.workers)
    try:
        results = _run_all(tools, args.corpus, args.workdir, settings, max(1, args.repeat))
    except PeerError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    scores = None
    if args.gold:
        gold = {str(k): str(v) for k, v in json.loads(args.gold.read_text()).items()}
        near = reachable_pairs(read_texts(args.corpus), gold, settings.threshold,
                               settings.ngram)
        scores = {r.tool: pair_score(r.clusters, gold, near) for r in results}
    bands, rows = settings.bands()
    print(f"{len(read_texts(args.corpus))} documents in {args.corpus}; threshold "
          f"{settings.threshold:g}, {settings.ngram}-word shingles, {settings.num_perm} "
          f"permutations, LSH {bands} x {rows}, {settings.workers} workers; fastest of "
          f"{max(1, args.repeat)} run(s) each; {os.cpu_count()} cores\n")
    print("\n".join(table(results, scores, settings.threshold)))
    print("\nCommands (timed):")
    for r in results:
        print(f"- {r.tool}: `{' '.join(r.command)}`")
    return 0


def _run_all(tools: Sequence[str], corpus: Path, workdir: Path | None, settings: Settings,
             repeat: int) -> list[PeerResult]:
    """Every tool once per round, rounds interleaved (load from elsewhere hits all alike);
    each tool's fastest run."""
    def rounds(root: Path) -> list[PeerResult]:
        runs = [run_peer(t, corpus, root, settings) for _ in range(repeat) for t in tools]
        return fastest(runs)

    if workdir is not None:
        return rounds(workdir)
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        return rounds(Path(tmp))


def fastest(runs: Iterable[PeerResult]) -> list[PeerResult]:
    """Each tool's run with the least wall time, tools in order of first appearance."""
    best: dict[str, PeerResult] = {}
    for run in runs:
        if run.tool not in best or run.seconds < best[run.tool].seconds:
            best[run.tool] = run
    return list(best.values())


if __name__ == "__main__":
    raise SystemExit(main())
