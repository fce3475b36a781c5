"""Find the input files under a folder and say what kind each one is.

`discover` never raises for a single entry: a file it cannot use (unsupported
type, hidden, broken symlink, unreadable, a symlink loop) still comes out, with
`kind=None` and a `skip_reason`, so that the run can count it. Only a missing
or non-directory root raises, since then there is nothing to walk.

Order is deterministic: entries come out sorted by their POSIX relative path.

File names that are not valid UTF-8 (or hold control characters) are common in
scraped archives. A SourceFile's `path` is the exact path on disk, for reading;
its `relpath` spells such names printably ("caf\\xe9.txt", see `printable`), so
that it can be stored, printed and written as JSON like any other string.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ingest.records import SourceFile

# Extension (lower-case, with the dot) -> kind. A trailing ".gz" on any of these
# gives the same kind with compressed=True.
KINDS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
GZIP_SUFFIX = ".gz"

_DirId = tuple[int, int]  # (st_dev, st_ino): the identity of a directory, whatever its path


@dataclass(frozen=True)
class _Entry:
    path: str  # as os.scandir gives it: surrogate-escaped when the name is not UTF-8
    relpath: str  # printable
    is_dir: bool


def discover(root: Path) -> Iterator[SourceFile]:
    """Yield every file under `root`, recursively, sorted by relative path.

    Hidden directories (".git") are not entered and not reported; hidden files are
    reported as skipped. Symlinks to files and directories are followed; a
    directory reached a second time (a symlink loop, or two links to one place)
    is reported as skipped instead of being walked again.
    """
    root_stat = root.stat()  # a missing root is a run-level error: let it raise
    if not stat.S_ISDIR(root_stat.st_mode):
        raise NotADirectoryError(errno.ENOTDIR, "input is not a directory", str(root))
    visited: dict[_DirId, str] = {_dir_id(root_stat): ""}
    # An explicit stack of directory listings, so that deep trees cannot hit the
    # recursion limit.
    stack: list[Iterator[_Entry]] = [iter(_list_dir(str(root), ""))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
        elif not entry.is_dir:
            yield _source_file(entry)
        elif not _is_hidden(entry.relpath):
            skipped, listing = _enter_dir(entry, visited)
            if skipped is not None:
                yield skipped
            else:
                stack.append(iter(listing))


def classify(name: str) -> tuple[str | None, bool]:
    """Return (kind, compressed) for a file name; kind is None when unsupported."""
    lowered = name.lower()
    compressed = lowered.endswith(GZIP_SUFFIX)
    if compressed:
        lowered = lowered[: -len(GZIP_SUFFIX)]
    return KINDS.get(_extension(lowered)), compressed


def printable(name: str) -> str:
    """A file name as a printable string that encodes as UTF-8 (JSON, SQLite, a terminal).

    os.fsdecode keeps bytes that are not UTF-8 as lone surrogates, which no UTF-8
    encoder accepts; here they become "\\xe9", and control or invisible characters
    become escapes too ("\\n", "\\u200b"). Valid, printable names are unchanged.
    """
    name = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in name)


def _list_dir(path: str, relpath: str) -> list[_Entry]:
    """The entries of one directory, sorted so that the walk is in relpath order."""
    entries = []
    with os.scandir(path) as listing:
        for item in listing:
            name = printable(item.name)
            child = f"{relpath}/{name}" if relpath else name
            entries.append(_Entry(item.path, child, _is_dir(item)))
    # A directory sorts as "name/": then the depth-first walk gives exactly the
    # order of sorting all relpaths as strings ("a-b" < "a/c", since "-" < "/").
    entries.sort(key=lambda e: e.relpath + "/" if e.is_dir else e.relpath)
    return entries


def _is_dir(item: os.DirEntry[str]) -> bool:
    try:
        return item.is_dir()  # follows symlinks
    except OSError:
        return False  # reported when it is looked at as a file


def _enter_dir(entry: _Entry, visited: dict[_DirId, str]) -> tuple[SourceFile | None, list[_Entry]]:
    """List a directory, or say why it is skipped."""
    try:
        st = os.stat(entry.path)
    except OSError as exc:
        return _skipped(entry, f"cannot read directory: {_os_reason(exc)}"), []
    seen = visited.get(_dir_id(st))
    if seen is not None:
        if seen == "" or entry.relpath.startswith(seen + "/"):
            reason = f"symlink loop: leads back to '{seen or '.'}'"
        else:
            reason = f"directory already walked as '{seen}'"
        return _skipped(entry, reason), []
    visited[_dir_id(st)] = entry.relpath
    try:
        return None, _list_dir(entry.path, entry.relpath)
    except OSError as exc:
        return _skipped(entry, f"cannot read directory: {_os_reason(exc)}"), []


def _source_file(entry: _Entry) -> SourceFile:
    """Stat and classify one non-directory entry."""
    try:
        st = os.stat(entry.path)  # follows symlinks
    except FileNotFoundError:
        return _skipped(entry, "broken symlink" if os.path.islink(entry.path) else "vanished")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _skipped(entry, "symlink loop")
        return _skipped(entry, f"cannot stat: {_os_reason(exc)}")
    name = entry.relpath.rsplit("/", 1)[-1]
    kind, compressed = classify(name)
    reason = None
    if not stat.S_ISREG(st.st_mode):
        reason = "not a regular file"
    elif _is_hidden(name):
        reason = "hidden file"
    elif kind is None:
        reason = f"unsupported file type {_type_label(name)}"
    elif not os.access(entry.path, os.R_OK):
        reason = "cannot read file: permission denied"
    return SourceFile(
        path=Path(entry.path),
        relpath=entry.relpath,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        kind=None if reason else kind,
        compressed=compressed,
        skip_reason=reason,
    )


def _skipped(entry: _Entry, reason: str) -> SourceFile:
    return SourceFile(
        path=Path(entry.path),
        relpath=entry.relpath,
        size=0,
        mtime_ns=0,
        kind=None,
        skip_reason=reason,
    )


def _extension(name: str) -> str:
    """The last ".suffix" of a name, or "" (a leading dot alone is not an extension)."""
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def _type_label(name: str) -> str:
    """How an unsupported file's type reads in a skip reason: "'.pdf'", "'.tar.gz'"."""
    lowered = name.lower()
    gz = GZIP_SUFFIX if lowered.endswith(GZIP_SUFFIX) and len(lowered) > len(GZIP_SUFFIX) else ""
    ext = _extension(lowered[: len(lowered) - len(gz)]) + gz
    return f"'{ext}'" if ext else "(no extension)"


def _is_hidden(relpath: str) -> bool:
    return relpath.rsplit("/", 1)[-1].startswith(".")


def _dir_id(st: os.stat_result) -> _DirId:
    return (st.st_dev, st.st_ino)


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()
