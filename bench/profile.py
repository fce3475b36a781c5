"""Where a `newsdedup run` spends its time: a py-spy profile, summed up by function.

Run from the repository root::

    .venv/bin/python -m bench.profile FOLDER [--db bench/out/profile.db] [--rate 50] [-- ARGS]

runs ``newsdedup run FOLDER --db DB ARGS`` under ``py-spy record --subprocesses``
(sampling, in its own process: the run is not slowed down the way a tracing profiler
slows it; the worker processes that clean are sampled with the run's own) and prints two
tables: the functions that most samples lie inside (inclusive share: a stage's share of
the run), and the ones most samples end in (self share: where the CPU actually is).
py-spy is in the `bench` extra.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Frames on every stack of a process: the command line's, and a worker's start-up.
WRAPPERS = ("click/", "cli.py:run", "cli.py:_write_command", "cli.py:main", "multiprocessing/",
            "ingest/isolate.py:_serve")
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Profile:
    samples: int  # of every process sampled: one is 1 / rate s of one process's time
    seconds: float  # wall time of the run (0: not known)
    inclusive: Counter[str]  # function -> samples with it on the stack
    own: Counter[str]  # function -> samples with it on top
    rate: int = 50  # samples per second

    def share(self, count: int) -> float:
        return count / self.samples if self.samples else 0.0


def function_name(frame: str) -> str:
    """`"fold (ingest/lines.py:52)"` -> `"ingest/lines.py:fold"`: lines folded together,
    paths shortened to the part below site-packages or the repository."""
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", str(REPO_ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}:{match['function']}"


def parse_raw(text: str, seconds: float = 0.0, rate: int = 50) -> Profile:
    """py-spy's `--format raw` (collapsed stacks: `frame;frame;... count`)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    samples = 0
    for line in text.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        # process N:"its command line", which may hold ";"; a worker's follows its parent's.
        while stack.startswith("process ") and '";' in stack:
            stack = stack[stack.find('";') + 2 :]
        frames = [function_name(f) for f in stack.split(";")
                  if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        samples += count
        for name in set(frames):
            inclusive[name] += count
        own[frames[-1]] += count
    return Profile(samples, seconds, inclusive, own, rate)


def tables(profile: Profile, top: int = 15) -> list[str]:
    wall = f" over {profile.seconds:.1f} s wall" if profile.seconds else ""
    lines = [f"{profile.samples:,} samples of all processes, {profile.samples / profile.rate:.1f} "
             f"s of process time{wall}; ~seconds: of one process", "",
             "| function (inclusive: on the stack) | share | ~seconds |", "|---|---:|---:|"]
    per_sample = 1 / profile.rate
    wrappers = [n for n in profile.inclusive if n.startswith(WRAPPERS) or n.endswith("<module>")]
    inclusive = profile.inclusive.copy()
    for name in wrappers:  # the command line's frames: on every stack
        del inclusive[name]
    for name, count in inclusive.most_common(top):
        lines.append(f"| `{name}` | {profile.share(count):.1%} | {count * per_sample:.1f} |")
    lines += ["", "| function (self: on top of the stack) | share | ~seconds |", "|---|---:|---:|"]
    for name, count in profile.own.most_common(top):
        lines.append(f"| `{name}` | {profile.share(count):.1%} | {count * per_sample:.1f} |")
    return lines


def record(folder: Path, db: Path, extra: Sequence[str] = (), rate: int = 50) -> Profile:
    """Profile `newsdedup run folder --db db extra...` from a fresh store."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise RuntimeError("py-spy is not installed: pip install -e '.[bench]'")
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    raw = db.with_name(db.name + ".profile.txt")
    cli = str(Path(sys.executable).with_name("newsdedup"))
    cmd = [spy, "record", "--subprocesses", "--rate", str(rate), "--format", "raw",
           "--output", str(raw), "--", cli, "run", str(folder), "--db", str(db), *extra]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or not raw.exists() or not db.exists():  # py-spy may exit 0
        raise RuntimeError(f"py-spy record failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return parse_raw(raw.read_text(encoding="utf-8"), seconds, rate)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--db", type=Path, default=REPO_ROOT / "bench" / "out" / "profile.db")
    parser.add_argument("--rate", type=int, default=50, help="samples per second")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--raw", type=Path, help="summarise this py-spy raw file instead")
    # Arguments after "--" (or any this parser does not know) go to newsdedup run.
    args, extra = parser.parse_known_args(argv)
    args.extra = [a for a in extra if a != "--"]
    if args.raw:
        profile = parse_raw(args.raw.read_text(encoding="utf-8"), rate=args.rate)
    else:
        args.db.parent.mkdir(parents=True, exist_ok=True)
        profile = record(args.folder, args.db, args.extra, args.rate)
    print("\n".join(tables(profile, args.top)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
