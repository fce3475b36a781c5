"""The newsdedup command line: thin commands over the ingest, dedupe and store libraries.

Data goes to stdout; progress, summaries and errors go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from ingest.discover import discover
from ingest.run import IngestOptions, IngestSummary, finish_ingest, ingest_files, root_key
from store.schema import SchemaError
from store.store import Store, StoreError

# Exit codes (documented in `newsdedup --help` and the README).
EXIT_OK = 0
EXIT_ERROR = 1  # the run could not start or went wrong as a whole
EXIT_USAGE = 2  # click's own code for bad arguments
EXIT_SOME_FAILED = 3  # the run finished; some files failed (see `newsdedup failures`)

F = TypeVar("F", bound=Callable[..., Any])


def db_option(command: F) -> F:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="newsdedup.db",
        envvar="NEWSDEDUP_DB",
        show_default=True,
        help="The SQLite store (also NEWSDEDUP_DB).",
    )(command)


def quiet_option(command: F) -> F:
    return click.option(
        "-q", "--quiet", is_flag=True, help="No progress bar and no summary on stderr."
    )(command)


@contextmanager
def open_store(db_path: Path) -> Iterator[Store]:
    try:
        store = Store.open(db_path)
    except (StoreError, SchemaError) as error:
        raise click.ClickException(str(error)) from error
    try:
        yield store
    finally:
        store.close()


@click.group(
    epilog="""\b
Exit codes:
  0  success
  1  the run could not start or failed as a whole (message on stderr)
  2  usage error
  3  finished, but some files failed (list them with `newsdedup failures`)
"""
)
@click.version_option(package_name="newsdedup")
def main() -> None:
    """Turn a folder of scraped news articles into a clean, de-duplicated corpus.

    \b
    Example:
      newsdedup ingest ./seeds          # read, clean and store every article
      newsdedup export articles > articles.jsonl
      newsdedup stats
    """
    logging.basicConfig(level=logging.WARNING, format="newsdedup: %(message)s")


@main.command()
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@db_option
@quiet_option
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=IngestOptions.max_bytes,
    show_default=True,
    help="Skip files larger than this, compressed or not.",
)
def ingest(folder: Path, db_path: Path, quiet: bool, max_bytes: int) -> None:
    """Read every article file under FOLDER into the store, cleaned.

    Walks FOLDER recursively: plain text, HTML, JSON and JSON Lines files, and
    gzip of each. Files already in the store and unchanged are not read again;
    changed files replace their articles; vanished files are marked missing.

    \b
    Example:
      newsdedup ingest ./news --db news.db
    """
    options = IngestOptions(max_bytes=max_bytes)
    summary = IngestSummary()
    with open_store(db_path) as store:
        run_id = store.start_run("ingest", root_key(folder))
        files = list(discover(folder))
        seen = [f.relpath for f in files]
        show = not quiet and sys.stderr.isatty()
        with _progress(len(files), show) as advance:
            for outcome in ingest_files(store, folder, files, run_id, options):
                summary.add(outcome)
                if outcome.outcome == "failed" and not quiet:
                    click.echo(f"failed: {outcome.path}: {outcome.reason}", err=True)
                advance()
        missing, recleaned = finish_ingest(store, folder, seen, run_id, options)
        for outcome in missing:
            summary.add(outcome)
        summary.recleaned = recleaned
        store.finish_run(run_id, "done", _summary_dict(summary))
    if not quiet:
        click.echo(_summary_line(summary), err=True)
    if summary.files.get("failed"):
        sys.exit(EXIT_SOME_FAILED)


@main.group()
def export() -> None:
    """Write the store's contents as JSON Lines on stdout."""


@export.command("articles")
@db_option
def export_articles(db_path: Path) -> None:
    """One JSON object per article: id, source, title, text, authors, date, site,
    url, captions, and the removed lines with the reason for each.

    \b
    Example:
      newsdedup export articles --db news.db | jq -r .title
    """
    with open_store(db_path) as store:
        for article in store.iter_articles():
            click.echo(json.dumps(article, ensure_ascii=False))


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as one JSON object.")
def stats(db_path: Path, as_json: bool) -> None:
    """How many sources, articles and runs the store holds.

    \b
    Example:
      newsdedup stats --db news.db
    """
    with open_store(db_path) as store:
        numbers = store.stats()
    if as_json:
        click.echo(json.dumps(numbers, sort_keys=True))
        return
    sources = numbers["sources"]
    click.echo(f"store:       {db_path}")
    click.echo(f"sources:     {sum(sources.values())} " + _counts(sources))
    click.echo(f"articles:    {numbers['articles']} ({numbers['text_chars']:,} characters)")
    click.echo(f"boilerplate: {numbers['boilerplate_lines']} corpus lines")
    last = numbers["last_run"]
    click.echo(
        f"runs:        {numbers['runs']}"
        + (f" (last: {last['command']} {last['started_at']}, {last['status']})" if last else "")
    )


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def failures(db_path: Path, as_json: bool) -> None:
    """Every file that was skipped or failed, and files with bad parts, with reasons.

    \b
    Example:
      newsdedup failures --db news.db
    """
    with open_store(db_path) as store:
        problems = store.problems()
    for item in problems:
        if as_json:
            click.echo(json.dumps(item, ensure_ascii=False))
            continue
        click.echo(f"{item['status']:8} {item['source']}: {item['reason'] or ''}".rstrip(": "))
        for problem in item["problems"]:
            click.echo(f"{'':8}   {problem}")


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[], None]]:
    if not show:
        yield lambda: None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="file", file=sys.stderr, leave=False) as bar:
        yield lambda: bar.update(1)


def _summary_dict(summary: IngestSummary) -> dict[str, Any]:
    return {
        "files": dict(sorted(summary.files.items())),
        "articles_added": summary.articles_added,
        "articles_replaced": summary.articles_replaced,
        "recleaned": summary.recleaned,
    }


def _summary_line(summary: IngestSummary) -> str:
    files = sum(v for k, v in summary.files.items() if k != "missing")
    line = (
        f"{files} files " + _counts(summary.files)
        + f"; {summary.articles_added} articles added, {summary.articles_replaced} replaced"
    )
    if summary.recleaned:
        line += f", {summary.recleaned} cleaned again for new corpus boilerplate"
    if summary.files.get("failed"):
        line += "; see `newsdedup failures`"
    return line


def _counts(counts: dict[str, int]) -> str:
    return "(" + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ")"


if __name__ == "__main__":
    main()
