"""Turn text-dedup's `uf.pkl` into {corpus id: cluster root id}, in text-dedup's own venv.

    python read_text_dedup.py OUTPUT/uf.pkl OUT.json

text-dedup 0.4.0 keeps no cluster column in its output; with `--debug` it pickles its
union-find, re-keyed by `--idx_column`, which needs text_dedup importable to load. Only
documents that were ever unioned are in it: everything else is a cluster of its own.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    with source.open("rb") as f:
        uf = pickle.load(f)  # written by text-dedup in this run, not foreign data
    labels = {str(node): str(uf.find(node)) for node in list(uf.parent)}
    out.write_text(json.dumps(labels, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
