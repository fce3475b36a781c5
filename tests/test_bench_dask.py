"""bench.dask_scaling on a small store: it runs end to end and both engines agree (no
timings checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the Dask benchmark needs newsdedup[dask]")


def test_small_scaling_run_agrees_with_the_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bench import dask_scaling

    monkeypatch.setattr(dask_scaling, "OUT", tmp_path)  # its stores stay out of bench/out
    assert dask_scaling.main(["--size", "300", "--workers", "2", "--local"]) == 0
    out = capsys.readouterr()
    assert "dask and local results identical: True" in out.err
    table = [line for line in out.out.splitlines() if line.startswith("| dask | 2 |")]
    assert len(table) == 1
    float(table[0].rstrip(" |").rsplit("|", 1)[1])  # KB between workers: one block, none
    assert "- band rows: 57.0" in out.out
