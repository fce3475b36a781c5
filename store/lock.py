"""One writer at a time: an advisory lock on a file beside the store.

The operating system drops the lock when the holder exits, however it exits
(SIGKILL included), so a crashed run never leaves a stale lock behind. Readers
do not take it: SQLite's WAL mode lets them read while a run writes.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from store.store import StoreError

POLL_SECONDS = 0.1


class LockedError(Exception):
    """Another process holds the store's write lock."""


@contextmanager
def write_lock(db_path: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    lock_path = db_path.with_name(db_path.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:  # a missing or read-only folder: say so, not a traceback
        raise StoreError(
            f"cannot open the lock file {lock_path} ({error.strerror or error}); "
            "check that the folder exists and can be written to, or pick another --db"
        ) from error
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"another newsdedup run is writing to {db_path}; "
                        "try again later or pass --wait SECONDS"
                    ) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
