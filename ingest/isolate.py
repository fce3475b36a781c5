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
    """Calls `function` in a child process, with a time limit on each call."""

    def __init__(self, function: Callable[[T], R], timeout: float) -> None:
        self.function = function
        self.timeout = timeout
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __call__(self, argument: T) -> R:
        return self.call(argument, self.timeout)

    def call(self, argument: T, timeout: float | None) -> R:
        """`function(argument)` in the worker, stopped after `timeout` seconds (None: no limit)."""
        conn = self._start()
        conn.send(argument)
        if not conn.poll(timeout):
            self.close()
            raise IngestError(
                "timeout", f"extraction took longer than {timeout:g} s and was stopped"
            )
        try:
            ok, value = conn.recv()
        except EOFError:  # the worker died (out of memory, a crash in C code)
            self.close()
            raise IngestError(
                "worker-died", "the process reading this file died (out of memory, a crash in C)"
            ) from None
        if not ok:
            raise value
        result: R = value
        return result

    def _start(self) -> Connection:
        if self._process is None or not self._process.is_alive():
            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            self._process = context.Process(target=_serve, args=(child, self.function), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent
            if not parent.poll(STARTUP_SECONDS) or parent.recv() != READY:
                self.close()
                raise IngestError("worker-died", "the worker process did not start")
        assert self._conn is not None
        return self._conn

    def kill(self) -> None:
        """Stop the worker from another thread: a call waiting on it raises IngestError."""
        process = self._process
        if process is not None:
            process.kill()

    def close(self) -> None:
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
