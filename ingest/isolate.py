"""Run a function in a worker process that can be stopped when it hangs.

HTML extraction can hang on a pathological page (a regular expression that
backtracks for hours, a tree walk that never ends), and such code cannot be
interrupted from inside the process. The worker is one long-lived child process;
a call that does not answer in time kills it, and the next call starts a new one.
The child is spawned, not forked, so it holds none of the parent's open files (the
store, its write lock).
"""

from __future__ import annotations

import multiprocessing
import pickle
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from ingest.errors import IngestError

T = TypeVar("T")
R = TypeVar("R")

READY = "ready"
STARTUP_SECONDS = 120.0  # a fresh interpreter importing trafilatura on a loaded machine


def _serve(conn: Connection, function: Callable[[Any], Any]) -> None:
    # Ctrl-C (or a SIGTERM to the process group) reaches the worker too; the run stops
    # after the files at hand, so the worker must finish them. The parent ends the worker
    # itself: it kills it, or closes the pipe (also when the parent dies).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    conn.send(READY)  # imports done: from here on, time counts against the call
    while True:
        try:
            argument = conn.recv()
        except EOFError:
            return
        try:
            conn.send((True, function(argument)))
        except Exception as error:  # reported to the caller, who decides
            conn.send((False, _portable(error)))


def _portable(error: Exception) -> Exception:
    """The error in a form the caller can unpickle.

    Unpickling calls the error's class with its args, which fails for a class whose
    __init__ takes other arguments (ExtractError takes only a message): the caller
    would get a TypeError instead of the error.
    """
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        if isinstance(error, IngestError):
            return IngestError(error.reason, error.message)
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


class Worker(Generic[T, R]):
    """Calls `function` in a child process, with a time limit on each call.

    `starts` counts the processes started: a caller that leaves state in the worker
    (ingest.workers sends its boilerplate once) can tell a fresh one. `kill` may come from
    another thread; after it, calls fail at once.
    """

    def __init__(self, function: Callable[[T], R], timeout: float) -> None:
        self.function = function
        self.timeout = timeout
        self.starts = 0
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def __call__(self, argument: T) -> R:
        return self.call(argument, self.timeout)

    def call(self, argument: T, timeout: float | None) -> R:
        """`function(argument)` in the worker, stopped after `timeout` seconds (None: no limit)."""
        conn = self.start()
        try:
            conn.send(argument)
            if not conn.poll(timeout):
                self.close()
                raise IngestError(
                    "timeout",
                    f"reading the page took longer than {timeout:g} s (extract_timeout) "
                    "and was stopped",
                )
            ok, value = conn.recv()
        except (EOFError, OSError):  # the worker died (out of memory, a crash in C code)
            self.close()
            raise IngestError(
                "worker-died", "the process reading this file died (out of memory, a crash in C)"
            ) from None
        if not ok:
            raise value
        result: R = value
        return result

    def start(self) -> Connection:
        """The pipe to a live worker process, started if there is none."""
        with self._lock:
            if self._stopped:
                raise IngestError("worker-died", "the run is stopping")
            if self._process is not None and self._process.is_alive():
                assert self._conn is not None
                return self._conn
            self._end()
            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, self.function), daemon=True)
            process.start()
            child.close()
            self._process, self._conn = process, parent
            self.starts += 1
        try:
            if parent.poll(STARTUP_SECONDS) and parent.recv() == READY:
                return parent
        except (EOFError, OSError):
            pass
        self.close()
        raise IngestError("worker-died", "the worker process did not start")

    def kill(self) -> None:
        """Stop the worker from another thread for good: a call waiting on it raises
        IngestError, and so does any later one."""
        with self._lock:
            self._stopped = True
            if self._process is not None:
                self._process.kill()

    def close(self) -> None:
        with self._lock:
            self._end()

    def _end(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Worker[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
