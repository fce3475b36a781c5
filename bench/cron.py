"""What a cron job pays for a folder that did not change.

    .venv/bin/python -m bench.cron [--files 10000] [--repeats 5]

Writes FILES small article files (a few paragraphs each, generated), runs
`newsdedup run` once to ingest and dedupe them, then times `newsdedup run` over the
unchanged folder REPEATS times (a fresh process each time, as cron starts it) and
prints a table. The target: under a second for 10,000 unchanged files.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import wordfreq

VOCABULARY = 20_000  # English words, drawn by their frequency (Zipf)


def write_folder(folder: Path, files: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    words = wordfreq.top_n_list("en", VOCABULARY)
    weights = [wordfreq.word_frequency(w, "en") for w in words]

    def sentence(length: int) -> str:
        return " ".join(rng.choices(words, weights, k=length)).capitalize() + "."

    for n in range(files):
        sub = folder / f"{n // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        paragraphs = [sentence(rng.randint(25, 45)) for _ in range(rng.randint(3, 6))]
        title = sentence(8).rstrip(".")
        (sub / f"{n:05d}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n")


def timed_run(folder: Path, db: Path) -> float:
    command = [str(Path(sys.executable).with_name("newsdedup")), "run", str(folder), "--db",
               str(db), "--quiet"]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder, db = Path(tmp) / "news", Path(tmp) / "news.db"
        write_folder(folder, args.files)
        first = timed_run(folder, db)
        again = [timed_run(folder, db) for _ in range(args.repeats)]
    print("| run | files | seconds |")
    print("|---|---:|---:|")
    print(f"| first (ingest + dedupe) | {args.files} | {first:.2f} |")
    print(f"| again, unchanged (median of {args.repeats}) | {args.files} | "
          f"{statistics.median(again):.2f} |")
    print(f"| again, unchanged (max) | {args.files} | {max(again):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
