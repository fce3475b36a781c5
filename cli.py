"""The newsdedup command line: thin commands over the ingest, dedupe and store libraries.

Data goes to stdout; progress, summaries and errors go to stderr.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from dedupe.explain import bands_in_common
from dedupe.explain import explain as explain_pair
from dedupe.run import (
    DedupeError,
    DedupeParams,
    DedupeSummary,
    check_compatible,
    dedupe,
    stored_params,
)
from ingest.discover import discover
from ingest.run import EmptyFolder, FileOutcome, IngestOptions, ingest_pass, root_key
from store.dedupe import DedupeStore
from store.export import (
    COLUMNS,
    FORMATS,
    PARQUET_NEEDS_A_FILE,
    ExportError,
    article_rows,
    cluster_rows,
    pair_rows,
    write,
)
from store.lock import LockedError, write_lock
from store.schema import SchemaError
from store.store import Store, StoreError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger("newsdedup")

# Exit codes (documented in `newsdedup --help` and the README).
EXIT_OK = 0
EXIT_ERROR = 1  # the run could not start or went wrong as a whole
EXIT_USAGE = 2  # click's own code for bad arguments
EXIT_SOME_FAILED = 3  # the run finished; some files failed (see `newsdedup failures`)
EXIT_LOCKED = 4  # another run holds the store
EXIT_INTERRUPTED = 5  # stopped by SIGINT or SIGTERM after committing the work done

F = TypeVar("F", bound=Callable[..., Any])


class Locked(click.ClickException):
    exit_code = EXIT_LOCKED


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default="newsdedup.db",
    envvar="NEWSDEDUP_DB",
    show_default=True,
    help="The SQLite store (also NEWSDEDUP_DB).",
)
output_options = _options(
    click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary."),
    click.option("-v", "--verbose", count=True, help="More log detail on stderr (-vv: debug)."),
    click.option(
        "--log-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also append the log to this file.",
    ),
)
write_options = _options(
    click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=0,
        show_default=True,
        help="Seconds to wait for another run writing to the store, then exit with code 4.",
    ),
)
config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="NEWSDEDUP_CONFIG",
    help="A TOML file of settings (sections [ingest], [duplicate], [story], [linkage]).",
)
ingest_options = _options(
    click.option(
        "--max-bytes",
        type=click.IntRange(min=1),
        help="Skip files larger than this, compressed or not "
        f"[default: {IngestOptions.max_bytes}].",
    ),
    click.option(
        "--jobs",
        type=click.IntRange(min=1),
        help="Processes that clean files, when there are megabytes to read "
        "[default: the number of cores].",
    ),
    click.option(
        "--allow-empty",
        is_flag=True,
        help="Let a folder with no files mark every file the store holds from it missing "
        "(without it, that is an error: an unmounted disk, most likely).",
    ),
)
dedupe_options = _options(
    click.option("--rebuild", is_flag=True, help="Sign and match every article anew."),
    click.option(
        "--duplicate-threshold",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        help="Word-shingle Jaccard from which two texts are duplicates "
        f"[default: {DedupeParams().duplicate.threshold}].",
    ),
    click.option(
        "--story-threshold",
        type=click.FloatRange(0, 1, min_open=True),
        help="Locally scaled average similarity from which reports join one story "
        f"[default: {DedupeParams().linkage.threshold}].",
    ),
    click.option(
        "--stories/--no-stories",
        default=None,
        help="Flag same-story reports besides duplicates, or duplicates alone (faster) "
        "[default: --stories].",
    ),
    click.option(
        "--engine",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help="Where signing, matching and clustering run: this process, or a Dask "
        "cluster (pip install 'newsdedup[dask]'); both give the same results.",
    ),
    click.option(
        "--scheduler",
        metavar="ADDRESS",
        help="With --engine dask: the cluster's scheduler (tcp://HOST:8786); "
        "without it, a local cluster of one worker per core.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(1),
        help="With --engine dask and no --scheduler: how many local workers.",
    ),
)

EPILOG = """\b
Exit codes:
  0  success
  1  the run could not start or failed as a whole (message on stderr)
  2  usage error
  3  finished, but some files failed (list them with `newsdedup failures`)
  4  another run is writing to the store (see --wait)
  5  interrupted (SIGINT/SIGTERM); the work done so far is committed
"""


@click.group(epilog=EPILOG, context_settings={"auto_envvar_prefix": "NEWSDEDUP"})
@click.version_option(package_name="newsdedup")
def main() -> None:
    """Turn a folder of scraped news articles into a clean, de-duplicated corpus.

    \b
    Example:
      newsdedup run ./news              # ingest new files, flag duplicates and stories
      newsdedup report                  # the clusters, with titles and sources
      newsdedup export articles > articles.jsonl
    """


# --- writing commands ---------------------------------------------------------------


@main.command(epilog=EPILOG)
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@db_option
@config_option
@ingest_options
@dedupe_options
@write_options
@output_options
@click.option("--json", "as_json", is_flag=True, help="Print a one-object run summary on stdout.")
@click.option(
    "--report-new", is_flag=True, help="Print the clusters that gained members in this run."
)
def run(folder: Path, db_path: Path, as_json: bool, report_new: bool, **options: Any) -> None:
    """Ingest new and changed files under FOLDER, then flag duplicates and stories.

    What a cron job runs: a second run over an unchanged folder does next to
    nothing. Only one run writes to a store at a time; killed at any moment, the
    next run finishes the work.

    \b
    Example:
      newsdedup run /data/news --db /data/news.db --quiet --report-new
      */30 * * * *  newsdedup run /data/news --db /data/news.db -q --json >> runs.jsonl
    """
    summary = _write_command("run", folder, db_path, options, with_dedupe=True)
    if as_json:
        click.echo(json.dumps(summary, sort_keys=True))
    if report_new:  # on stderr beside --json, which owns stdout
        with open_store(db_path) as store:
            _print_report(store, since_run=summary["run"], err=as_json)
    _exit_for(summary)


@main.command(epilog=EPILOG)
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@db_option
@config_option
@ingest_options
@write_options
@output_options
def ingest(folder: Path, db_path: Path, **options: Any) -> None:
    """Read every article file under FOLDER into the store, cleaned.

    Walks FOLDER recursively: plain text, HTML, JSON and JSON Lines files, and
    gzip of each. Files already in the store and unchanged are not read again;
    changed files replace their articles; vanished files are marked missing.

    \b
    Example:
      newsdedup ingest ./news --db news.db
    """
    _exit_for(_write_command("ingest", folder, db_path, options, with_dedupe=False))


@main.command(name="dedupe", epilog=EPILOG)
@db_option
@config_option
@dedupe_options
@write_options
@output_options
def dedupe_command(db_path: Path, **options: Any) -> None:
    """Flag duplicates and same-story reports among the stored articles.

    Only articles not yet signed are worked on; each is matched against the
    whole store. Settings that shape stored signatures must stay the same from
    run to run; --rebuild redoes everything with new ones.

    \b
    Example:
      newsdedup dedupe --db news.db
      newsdedup dedupe --db news.db --rebuild --story-threshold 0.6
      newsdedup dedupe --db news.db --rebuild --no-stories
      newsdedup dedupe --db news.db --engine dask --scheduler tcp://scheduler:8786
    """
    _exit_for(_write_command("dedupe", None, db_path, options, with_dedupe=True))


def _write_command(
    command: str, folder: Path | None, db_path: Path, options: dict[str, Any], with_dedupe: bool
) -> dict[str, Any]:
    """Run ingest and/or dedupe under the store's write lock; returns the run summary."""
    if options.get("engine") != "dask" and (options.get("scheduler") or options.get("workers")):
        raise click.UsageError("--scheduler and --workers are for --engine dask")
    _setup_logging(options["verbose"], options["log_file"], options["quiet"])
    config = _load_config(options.get("config_path"))
    started = time.monotonic()
    summary: dict[str, Any] = {"command": command, "status": "done"}
    try:
        with (
            write_lock(db_path, options["wait"]),
            open_store(db_path, create=folder is not None) as store,
            _stop_signals() as stopping,
        ):
            run_id = store.start_run(command, root_key(folder) if folder else None)
            summary["run"] = run_id
            try:
                if folder is not None and with_dedupe and not options["rebuild"]:
                    # Settings that would stop the dedupe stop the run before its ingest.
                    check_compatible(DedupeStore(store), _dedupe_params(config, options))
                if folder is not None:
                    summary.update(_ingest_step(store, folder, run_id, config, options, stopping))
                if with_dedupe and not stopping():
                    summary.update(_dedupe_step(store, run_id, config, options, stopping))
            except BaseException as error:  # the run's record says how it ended
                stopped = isinstance(error, KeyboardInterrupt)
                summary["status"] = "interrupted" if stopped else "failed"
                summary["error"] = str(error) or type(error).__name__
                _finish_failed(store, run_id, summary, started)
                raise
            if stopping():
                summary["status"] = "interrupted"
            _finish(store, run_id, summary, started)
    except KeyboardInterrupt:
        click.echo(
            "stopped at once: the batch at hand was rolled back, the next run does it again",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    except LockedError as error:
        raise Locked(str(error)) from error
    except StoreError as error:
        raise click.ClickException(str(error)) from error
    except DedupeError as error:
        raise click.ClickException(str(error)) from error
    if not options["quiet"]:
        click.echo(_summary_line(summary), err=True)
    return summary


def _finish(store: Store, run_id: int, summary: dict[str, Any], started: float) -> None:
    summary["seconds"] = round(time.monotonic() - started, 3)
    store.finish_run(run_id, summary["status"], summary)


def _finish_failed(store: Store, run_id: int, summary: dict[str, Any], started: float) -> None:
    """Record how a run that raised ended; the error it raised is what the user sees."""
    try:
        if store.conn.in_transaction:  # stopped between a BEGIN and its try
            store.conn.execute("ROLLBACK")
        _finish(store, run_id, summary, started)
    except sqlite3.Error as error:
        log.error("could not record the end of run %d: %s", run_id, error)


def _ingest_step(
    store: Store,
    folder: Path,
    run_id: int,
    config: dict[str, Any],
    options: dict[str, Any],
    stopping: Callable[[], bool],
) -> dict[str, Any]:
    ingest_config = dict(config.get("ingest", {}))
    for name in ("max_bytes", "jobs"):
        if options.get(name):
            ingest_config[name] = options[name]
    settings = _replace(IngestOptions(), ingest_config, "ingest")
    files = list(discover(folder))
    with _progress(len(files), "files", options["quiet"]) as advance:

        def each(outcome: FileOutcome) -> None:
            if outcome.outcome == "failed":
                log.warning("failed: %s: %s", outcome.path, outcome.reason)
            advance(1)

        try:
            summary = ingest_pass(
                store,
                folder,
                files,
                run_id,
                settings,
                should_stop=stopping,
                each=each,
                allow_empty=options["allow_empty"],
            )
        except EmptyFolder as error:
            raise click.ClickException(str(error)) from error
    return {
        "files": {
            "seen": len(files),
            "new": summary.new,
            "changed": summary.changed,
            **summary.files,
        },
        "articles": {
            "added": summary.articles_added,
            "replaced": summary.articles_replaced,
            "cleaned_again": summary.recleaned,
        },
    }


def _dedupe_step(
    store: Store,
    run_id: int,
    config: dict[str, Any],
    options: dict[str, Any],
    stopping: Callable[[], bool],
) -> dict[str, Any]:
    params = _dedupe_params(config, options)
    with ExitStack() as bars:

        def progress(total: int) -> Callable[[int], None]:
            return bars.enter_context(_progress(total, "articles", options["quiet"]))

        if options["engine"] == "dask":
            result = _dedupe_on_dask(store, run_id, params, options, progress, stopping)
        else:
            result = dedupe(
                store,
                run_id,
                params,
                rebuild=options["rebuild"],
                progress=progress,
                should_stop=stopping,
            )
    return {
        "signed": result.signed,
        "pairs_added": result.pairs,
        "clusters_changed": result.clusters_changed,
    }


def _dedupe_on_dask(
    store: Store,
    run_id: int,
    params: DedupeParams,
    options: dict[str, Any],
    progress: Callable[[int], Callable[[int], None]],
    stopping: Callable[[], bool],
) -> DedupeSummary:
    try:
        from dedupe.dask_engine import dask_client, dedupe_dask
    except ImportError as error:
        raise click.ClickException(
            f"--engine dask needs Dask ({error}): pip install 'newsdedup[dask]'"
        ) from error
    try:
        with dask_client(options["scheduler"], options["workers"]) as client:
            return dedupe_dask(
                store,
                run_id,
                params,
                client,
                rebuild=options["rebuild"],
                progress=progress,
                should_stop=stopping,
            )
    except OSError as error:  # the scheduler cannot be reached
        raise click.ClickException(
            f"cannot reach the Dask scheduler {options['scheduler']}: {error}; "
            "check the address, or leave out --scheduler for a local cluster"
        ) from error


# --- reading commands ---------------------------------------------------------------


@main.group()
def export() -> None:
    """Write articles, clusters or pairs as JSON Lines (default), CSV or Parquet.

    \b
    Example:
      newsdedup export clusters --db news.db > clusters.jsonl
      newsdedup export articles --db news.db --format parquet -o articles.parquet
    """


def _export_command(
    name: str, rows: Callable[[Store, int | None], Iterator[dict[str, Any]]], help_text: str
) -> None:
    @export.command(name=name, help=help_text)
    @db_option
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write to this file instead of stdout (needed for Parquet).",
    )
    @click.option(
        "--since",
        type=int,
        metavar="RUN",
        help="Only what run RUN or a later one wrote (see `newsdedup stats`).",
    )
    def command(db_path: Path, fmt: str, output: Path | None, since: int | None) -> None:
        if fmt == "parquet" and output is None:
            raise click.UsageError(PARQUET_NEEDS_A_FILE)
        with open_store(db_path) as store:
            if name != "articles":
                _warn_if_behind(DedupeStore(store).behind())
            try:
                if output is None or fmt == "parquet":
                    write(rows(store, since), COLUMNS[name], fmt, sys.stdout, output)
                else:
                    with output.open("w", encoding="utf-8", newline="") as out:
                        write(rows(store, since), COLUMNS[name], fmt, out, output)
            except ExportError as error:
                raise click.ClickException(str(error)) from error
            except OSError as error:
                raise click.ClickException(f"cannot write {output}: {error}") from error


_export_command(
    "articles",
    article_rows,
    """One object per article: id, source, title, text,
authors, date, site, url, captions, and the removed lines with the reason for each.

\b
Example:
  newsdedup export articles --db news.db | jq -r .title
  newsdedup export articles --format parquet -o articles.parquet
""",
)
_export_command(
    "clusters",
    cluster_rows,
    """One object per cluster of two or more:
{"kind": "duplicate"|"story", "id", "canonical", "members"}. A duplicate cluster's
members are also in one story cluster (unless stories are off: --no-stories).

\b
Example:
  newsdedup export clusters --db news.db --since 12
""",
)
_export_command(
    "pairs",
    pair_rows,
    """One object per flagged pair: {"a", "b", "kind", "score"}
(and both scores).

\b
Example:
  newsdedup export pairs --db news.db --format csv -o pairs.csv
""",
)


@main.command()
@click.argument("article_a")
@click.argument("article_b")
@db_option
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(
    article_a: str, article_b: str, db_path: Path, config_path: Path | None, as_json: bool
) -> None:
    """Why two articles were, or were not, flagged: scores, verdict, shared evidence.

    Judged with the settings the store's pairs were made with (those of the config
    file only for a store not deduped yet).

    \b
    Example:
      newsdedup explain 493347e657b91eb7 b007e602126b35c3 --db news.db
    """
    with open_store(db_path) as store:
        ds = DedupeStore(store)
        # The settings the pairs were flagged with; the config file's before any dedupe.
        try:
            params = stored_params(ds) or _dedupe_params(_load_config(config_path), {})
        except DedupeError as error:
            raise click.ClickException(str(error)) from error
        if article_a == article_b:
            raise click.UsageError("ARTICLE_A and ARTICLE_B are one article: name two")
        texts = {a.id: a for a in ds.articles(sorted({article_a, article_b}))}
        for wanted in (article_a, article_b):
            if wanted not in texts:
                raise click.ClickException(
                    f"no article {wanted!r} in {db_path}; ids are in `newsdedup export articles`"
                )
        signed = ds.signatures([article_a, article_b])
        if len(signed) < 2:
            raise click.ClickException("not signed yet: run `newsdedup dedupe` first")
        pair = ds.pair(article_a, article_b)
        story_of = {c.id for c in ds.clusters_of([article_a]) if c.kind == "story"}
        same = bool(story_of & {c.id for c in ds.clusters_of([article_b]) if c.kind == "story"})
        result = explain_pair(
            article_a,
            article_b,
            texts=(
                texts[article_a].text or texts[article_a].title,
                texts[article_b].text or texts[article_b].title,
            ),
            terms=(signed[article_a].story_terms, signed[article_b].story_terms),
            stored_kind=pair.kind if pair else None,
            same_story_cluster=same,
            duplicate=params.duplicate,
            story=params.story,
            shared_bands=bands_in_common(
                (signed[article_a].duplicate_minhash, signed[article_a].story_minhash),
                (signed[article_b].duplicate_minhash, signed[article_b].story_minhash),
                params.duplicate,
                params.story,
            ),
        )
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False))
        return
    click.echo(f"{result.a} × {result.b}: {result.verdict}")
    click.echo(f"  {result.reason}")
    click.echo(f"  duplicate score (shingle Jaccard): {result.duplicate_score}")
    click.echo(
        f"  containment (shorter in longer):   {result.containment_score}"
        f" (length ratio {result.length_ratio})"
    )
    if not params.story.enabled:
        click.echo("  stories:                           off (the store flags duplicates alone)")
    else:
        click.echo(f"  story score (term cosine):         {result.story_score}")
        click.echo(
            f"  in one story cluster:              {'yes' if result.same_story_cluster else 'no'}"
        )
    if result.shared_bands:
        bands = ", ".join(f"{count} {kind}" for kind, count in result.shared_bands.items())
        click.echo(f"  LSH bands shared:                  {bands}")
    if params.story.enabled:
        terms = ", ".join(term for term, _ in result.shared_terms) or "none"
        click.echo(f"  shared salient terms: {terms}")
    if result.longest_shared_passage:
        click.echo(f"  longest shared passage: “{result.longest_shared_passage}”")


@main.command()
@db_option
@click.option(
    "--since",
    type=int,
    metavar="RUN",
    help="Only clusters that gained members in run RUN or later.",
)
def report(db_path: Path, since: int | None) -> None:
    """A readable list of the clusters, with titles and sources (canonical first, *).

    \b
    Example:
      newsdedup report --db news.db
    """
    with open_store(db_path) as store:
        _print_report(store, since)


def _print_report(store: Store, since_run: int | None, err: bool = False) -> None:
    ds = DedupeStore(store)
    with store.transaction(deferred=True):  # one snapshot, whatever a run writes meanwhile
        clusters = list(ds.iter_clusters(since_run))
        info = {a.id: a for a in ds.articles(sorted({m for c in clusters for m in c.members}))}
        behind = ds.behind()
    shown = 0
    for c in sorted(clusters, key=lambda c: (c.kind != "story", -len(c.members), c.id)):
        members = [m for m in c.members if m in info]  # removed since the last dedupe
        if len(members) < 2:
            continue
        shown += 1
        head = info.get(c.canonical, info[members[0]])
        click.echo(f"{c.kind:9} {len(members):3} articles  {head.title or head.text[:80]}", err=err)
        for member in sorted(members, key=lambda m: (m != c.canonical, info[m].source, m)):
            mark = "*" if member == c.canonical else " "
            article = info[member]
            click.echo(f"   {mark} {member}  {article.source}  {article.title[:70]}", err=err)
    if not shown:
        click.echo("no clusters" + (" new in that run" if since_run else ""), err=True)
    _warn_if_behind(behind)


def _warn_if_behind(behind: int) -> None:
    if behind:
        click.echo(
            f"{behind} articles were added, changed or removed since pairs and clusters were "
            "last brought up to date: run `newsdedup dedupe` for current ones",
            err=True,
        )


@main.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as one JSON object.")
def stats(db_path: Path, as_json: bool) -> None:
    """How many sources, articles, runs and clusters the store holds.

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
    click.echo(f"clusters:    {_counts(numbers['clusters'])}")
    last = numbers["last_run"]
    click.echo(
        f"runs:        {numbers['runs']}"
        + (
            f" (last: #{last['id']} {last['command']} {last['started_at']}, {last['status']})"
            if last
            else ""
        )
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


# --- plumbing -----------------------------------------------------------------------


DAMAGED = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB (Python 3.11 names both)


@contextmanager
def open_store(db_path: Path, create: bool = False) -> Iterator[Store]:
    """The store at `db_path`; only writing commands make one that is not there."""
    try:
        store = Store.open(db_path, create)
    except (StoreError, SchemaError) as error:
        raise click.ClickException(str(error)) from error
    try:
        yield store
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) not in DAMAGED:
            raise
        raise click.ClickException(
            f"the store {db_path} is damaged: {error}; restore it from a backup, or ingest "
            "the folder again into a new --db"
        ) from error
    finally:
        store.close()


@contextmanager
def _stop_signals() -> Iterator[Callable[[], bool]]:
    """SIGINT/SIGTERM ask the run to stop after the files or batch at hand; a second
    SIGINT stops at once (the open transaction rolls back)."""
    asked: list[int] = []

    def handler(signum: int, frame: object) -> None:
        if asked and signum == signal.SIGINT:
            raise KeyboardInterrupt
        asked.append(signum)
        log.warning("stopping after the current file (signal %d)", signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: bool(asked)
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _progress(total: int, unit: str, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, only when stderr is a terminal."""
    if quiet or not sys.stderr.isatty() or total == 0:
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=unit[:-1], file=sys.stderr, leave=False, desc=unit) as bar:
        yield bar.update


def _setup_logging(verbose: int, log_file: Path | None, quiet: bool) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    if quiet and not verbose:
        level = logging.ERROR
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        try:
            handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError as error:
            raise click.ClickException(f"cannot write the log file {log_file}: {error}") from error
    logging.basicConfig(
        level=level,
        handlers=handlers,
        force=True,
        format="%(asctime)s newsdedup %(levelname)s: %(message)s",
    )


CONFIG_SECTIONS = ("ingest", "duplicate", "story", "linkage")


def _load_config(path: Path | None) -> dict[str, Any]:
    if path is None:
        default = Path("newsdedup.toml")
        if not default.exists():
            return {}
        path = default
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise click.ClickException(f"cannot read the config file {path}: {error}") from error
    for name, section in config.items():
        if name not in CONFIG_SECTIONS or not isinstance(section, dict):
            raise click.ClickException(
                f"the config file {path} holds {name!r}, which is not a section of settings; "
                f"its sections are [{'], ['.join(CONFIG_SECTIONS)}]"
            )
    return config


def _dedupe_params(config: dict[str, Any], options: dict[str, Any]) -> DedupeParams:
    """Defaults < config file < flags."""
    params = DedupeParams()
    duplicate = _replace(params.duplicate, config.get("duplicate", {}), "duplicate")
    story = _replace(params.story, config.get("story", {}), "story")
    linkage = _replace(params.linkage, config.get("linkage", {}), "linkage")
    if options.get("duplicate_threshold"):
        duplicate = dataclasses.replace(duplicate, threshold=options["duplicate_threshold"])
    if options.get("story_threshold"):
        linkage = dataclasses.replace(linkage, threshold=options["story_threshold"])
    if options.get("stories") is not None:
        story = dataclasses.replace(story, enabled=options["stories"])
    return DedupeParams(duplicate, story, linkage)


T = TypeVar("T")


KINDS = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}


def _replace(settings: T, values: dict[str, Any], section: str) -> T:
    known = {f.name for f in dataclasses.fields(settings)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - known)
    if unknown:
        raise click.ClickException(
            f"unknown setting(s) in [{section}]: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    for name, value in values.items():
        kind = type(getattr(settings, name))
        if not (isinstance(value, kind) or (kind is float and type(value) is int)) or (
            isinstance(value, bool) and kind is not bool
        ):
            raise click.ClickException(
                f"bad setting in [{section}]: {name} must be {KINDS.get(kind, kind.__name__)}, "
                f"not {value!r}"
            )
    try:
        return dataclasses.replace(settings, **values)  # type: ignore[type-var]
    except (TypeError, ValueError) as error:
        raise click.ClickException(f"bad setting in [{section}]: {error}") from error


def _exit_for(summary: dict[str, Any]) -> None:
    if summary["status"] == "interrupted":
        sys.exit(EXIT_INTERRUPTED)
    if summary.get("files", {}).get("failed"):
        sys.exit(EXIT_SOME_FAILED)


def _summary_line(summary: dict[str, Any]) -> str:
    parts = []
    if "files" in summary:
        files = {k: v for k, v in summary["files"].items() if k not in ("new", "changed")}
        seen = files.pop("seen")
        articles = summary["articles"]
        parts.append(f"{seen} files {_counts(files)}")
        parts.append(f"{articles['added']} articles added, {articles['replaced']} replaced")
        if articles["cleaned_again"]:
            parts.append(f"{articles['cleaned_again']} cleaned again for new corpus boilerplate")
    if "signed" in summary:
        pairs, clusters = summary["pairs_added"], summary["clusters_changed"]
        parts.append(
            f"{summary['signed']} articles signed; new pairs: {pairs['duplicate']} duplicate, "
            f"{pairs['story']} story; clusters changed: {clusters['duplicate']} duplicate, "
            f"{clusters['story']} story"
        )
    if summary["status"] == "interrupted":
        parts.append("interrupted: the next run goes on from here")
    elif summary.get("files", {}).get("failed"):
        parts.append("see `newsdedup failures`")
    return "; ".join(parts)


def _counts(counts: dict[str, int]) -> str:
    return "(" + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + ")"


if __name__ == "__main__":
    main()
