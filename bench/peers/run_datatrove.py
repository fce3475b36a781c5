"""datatrove's MinHash dedup on a JSON Lines corpus, run in datatrove's own venv.

    python run_datatrove.py run CORPUS WORKDIR --bands 9 --rows 13 --ngram 5 --workers 2
    python run_datatrove.py clusters WORKDIR OUT.json --workers 2

`run` is what bench/peers.py times: the corpus is cut into one file per task (datatrove's
readers shard by file, so one file would keep a single core busy), then the four stages of
datatrove's own example run on the LocalPipelineExecutor: signatures (xxhash 64-bit shingle
hashes), buckets (one task per band), clusters (saving cluster ids) and the filter that
writes the kept and the removed documents. Words come from spaCy's English tokenizer (what
`Languages.english` selects), or with `--tokenizer split` from str.split on datatrove's
simplified text (lower case, no punctuation): the word tokenizer is a documented seam
(`language` takes a WordTokenizer), and spaCy is most of the signature stage's time.

`clusters` (not timed) reads the cluster ids stage 3 saved per task and document index, and
writes {corpus id: cluster id} for every document in a cluster; the documents are indexed
by re-reading each task's shard with the same reader, as stage 4 does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

try:  # only in datatrove's venv; bench/peers.py imports nothing from here
    from datatrove.utils.word_tokenizers import WordTokenizer
except ImportError:  # pragma: no cover
    WordTokenizer = object


class SplitTokenizer(WordTokenizer):  # type: ignore[misc]
    """Words by str.split: the text has been simplified (no punctuation) before this."""

    def __init__(self) -> None:
        super().__init__("en")

    def word_tokenize(self, text: str) -> list[str]:
        return text.split()

    def sent_tokenize(self, text: str) -> list[str]:
        return [text]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        return [(0, len(text))]


def split_corpus(corpus: Path, folder: Path, shards: int) -> None:
    """Cut `corpus` into `shards` consecutive JSON Lines files, streaming."""
    with corpus.open("rb") as f:
        total = sum(1 for _ in f)
    per_shard = -(-total // shards)
    folder.mkdir(parents=True, exist_ok=True)
    outs = [(folder / f"{i:05d}.jsonl").open("wb") for i in range(shards)]
    with corpus.open("rb") as f:
        for n, line in enumerate(f):
            outs[n // per_shard].write(line)
    for out in outs:
        out.close()


def run(
    corpus: Path, work: Path, bands: int, rows: int, ngram: int, workers: int, tokenizer: str
) -> None:
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.typeshelper import Languages

    split_corpus(corpus, work / "input", workers)
    config = MinhashConfig(
        n_grams=ngram,
        num_buckets=bands,
        hashes_per_bucket=rows,
        hash_config=HashConfig(precision=64, hash_fc="xxhash"),
    )
    logs = work / "logs"

    def reader() -> JsonlReader:
        return JsonlReader(str(work / "input"), text_key="text", id_key="id")

    signatures = LocalPipelineExecutor(
        pipeline=[
            reader(),
            MinhashDedupSignature(
                output_folder=str(work / "signatures"),
                config=config,
                language=SplitTokenizer() if tokenizer == "split" else Languages.english,
            ),
        ],
        tasks=workers,
        workers=workers,
        logging_dir=str(logs / "signatures"),
    )
    buckets = LocalPipelineExecutor(
        pipeline=[
            MinhashDedupBuckets(
                input_folder=str(work / "signatures"),
                output_folder=str(work / "buckets"),
                config=config,
            )
        ],
        tasks=bands,
        workers=workers,
        logging_dir=str(logs / "buckets"),
        depends=signatures,
    )
    clusters = LocalPipelineExecutor(
        pipeline=[
            MinhashDedupCluster(
                input_folder=str(work / "buckets"),
                output_folder=str(work / "remove_ids"),
                config=config,
                save_cluster_id=True,
            )
        ],
        tasks=1,
        logging_dir=str(logs / "clusters"),
        depends=buckets,
    )
    filtered = LocalPipelineExecutor(
        pipeline=[
            reader(),
            MinhashDedupFilter(
                input_folder=str(work / "remove_ids"),
                exclusion_writer=JsonlWriter(str(work / "removed"), compression=None),
            ),
            JsonlWriter(str(work / "kept"), compression=None),
        ],
        tasks=workers,
        workers=workers,
        logging_dir=str(logs / "filter"),
        depends=clusters,
    )
    filtered.run()


def collect(work: Path, out: Path, workers: int) -> None:
    from datatrove.pipeline.readers import JsonlReader

    labels: dict[str, int] = {}
    for rank in range(workers):
        path = work / "remove_ids" / f"{rank:06d}.clusters"
        if not path.exists():
            continue
        index_cluster = dict(np.fromfile(path, dtype="<u4").reshape(-1, 2).tolist())
        reader = JsonlReader(str(work / "input"), text_key="text", id_key="id")
        for idx, doc in enumerate(reader.run(rank=rank, world_size=workers)):
            if idx in index_cluster:
                labels[str(doc.id)] = index_cluster[idx]
    out.write_text(json.dumps(labels, sort_keys=True), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run")
    p_run.add_argument("corpus", type=Path)
    p_run.add_argument("work", type=Path)
    p_run.add_argument("--bands", type=int, required=True)
    p_run.add_argument("--rows", type=int, required=True)
    p_run.add_argument("--ngram", type=int, required=True)
    p_run.add_argument("--workers", type=int, required=True)
    p_run.add_argument("--tokenizer", choices=("spacy", "split"), default="spacy")
    p_collect = sub.add_parser("clusters")
    p_collect.add_argument("work", type=Path)
    p_collect.add_argument("out", type=Path)
    p_collect.add_argument("--workers", type=int, required=True)
    args = parser.parse_args()
    if args.command == "run":
        run(args.corpus, args.work, args.bands, args.rows, args.ngram, args.workers,
            args.tokenizer)
    else:
        collect(args.work, args.out, args.workers)


if __name__ == "__main__":
    main()
