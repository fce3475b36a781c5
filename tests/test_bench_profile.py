"""bench.profile: py-spy's raw stacks summed up by function, over every process sampled."""

from __future__ import annotations

from bench.profile import parse_raw, tables

RUN = 'process 10:"newsdedup run in"'
WORKER = 'process 11:"python -c from multiprocessing.spawn import spawn_main; spawn_main(fd=5)"'
RAW = f"""\
process 10:"newsdedup run in";thread (0x1);main (cli.py:9);dedupe (/r/dedupe/run.py:104) 30
process 10:"newsdedup run in";thread (0x1);main (cli.py:9);sign (/r/dedupe/run.py:188) 10
{RUN};{WORKER};_main (multiprocessing/spawn.py:1);fold (/r/ingest/lines.py:5) 60
"""


def test_samples_of_every_process_count_and_seconds_are_one_process_time() -> None:
    profile = parse_raw(RAW, seconds=1.5, rate=50)
    assert profile.samples == 100
    assert profile.inclusive["cli.py:main"] == 40
    assert profile.own["/r/ingest/lines.py:fold"] == 60
    assert profile.inclusive["multiprocessing/spawn.py:_main"] == 60
    assert not [name for name in profile.inclusive if "spawn_main(" in name]  # a ";" in a label
    text = "\n".join(tables(profile, 3))
    assert text.startswith("100 samples of all processes, 2.0 s of process time over 1.5 s wall")
    assert "| `/r/ingest/lines.py:fold` | 60.0% | 1.2 |" in text
    assert "cli.py:main" not in text  # the command line's own frames are on every stack
    assert "spawn.py" not in text  # and so are a worker's
