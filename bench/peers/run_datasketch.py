"""Plain datasketch: MinHash + MinHashLSH in memory, the baseline, run in newsdedup's venv.

    python run_datasketch.py CORPUS OUT.json --threshold 0.8 --num-perm 128 --ngram 5

One pass over the corpus: each document's word n-gram shingles (lower-cased `\\w+` words)
are hashed by `MinHash.generator` (datasketch's defaults: sha1, the "affine32" scheme),
queried against the LSH index of the documents before it, and inserted. Every LSH
candidate is taken as a duplicate (no Jaccard check, as the peers do); the pairs are
joined by union-find. Writes {corpus id: cluster root id} for documents in a cluster.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path

from datasketch import MinHash, MinHashLSH

WORD = re.compile(r"\w+")


def shingles(text: str, n: int) -> list[bytes]:
    words = WORD.findall(text.lower())
    if len(words) <= n:
        return [" ".join(words).encode("utf-8")]
    return list({" ".join(words[i : i + n]).encode("utf-8") for i in range(len(words) - n + 1)})


def documents(corpus: Path) -> Iterator[tuple[str, str]]:
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                yield str(record["id"]), record.get("text") or ""


def find(parent: dict[str, str], x: str) -> str:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


def dedupe(corpus: Path, threshold: float, num_perm: int, ngram: int) -> dict[str, str]:
    ids: list[str] = []

    def shingled() -> Iterator[list[bytes]]:
        for doc_id, text in documents(corpus):
            ids.append(doc_id)
            yield shingles(text, ngram)

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    parent: dict[str, str] = {}
    for i, minhash in enumerate(MinHash.generator(shingled(), num_perm=num_perm)):
        doc_id = ids[i]
        for other in lsh.query(minhash):
            parent.setdefault(doc_id, doc_id)
            parent.setdefault(other, other)
            parent[find(parent, doc_id)] = find(parent, other)
        lsh.insert(doc_id, minhash, check_duplication=False)
    return {node: find(parent, node) for node in parent}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--threshold", type=float, required=True)
    parser.add_argument("--num-perm", type=int, required=True)
    parser.add_argument("--ngram", type=int, required=True)
    args = parser.parse_args()
    labels = dedupe(args.corpus, args.threshold, args.num_perm, args.ngram)
    args.out.write_text(json.dumps(labels, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main()
