import time

import pytest

from ingest.errors import IngestError
from ingest.isolate import Worker


def double(x: int) -> int:
    return 2 * x


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def fail(message: str) -> None:
    raise IngestError("no-article", message)


def test_worker_returns_results_and_raises_the_callers_errors() -> None:
    with Worker(double, timeout=30) as worker:
        assert worker(21) == 42
    with Worker(fail, timeout=30) as worker, pytest.raises(IngestError, match="nothing here"):
        worker("nothing here")


def test_a_call_that_hangs_is_stopped_and_the_next_call_works() -> None:
    with Worker(nap, timeout=0.5) as worker:
        with pytest.raises(IngestError) as caught:
            worker(60)
        assert caught.value.reason == "timeout"
        assert worker(0) == 0
