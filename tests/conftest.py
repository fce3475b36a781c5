import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.corpus import Corpus, write_corpus
from tests.processes import exports, reap

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def needs_shared(sub: str) -> Path:
    """The path of shared evaluation data; skips the test when it is not beside the repo."""
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"{path} is absent: shared evaluation data lives beside the repository")
    return path


def with_workers(folder: Path) -> list[str]:
    """Run options that have worker processes clean the files, however little there is."""
    config = folder / "workers.toml"
    config.write_text("[ingest]\nparallel_min_bytes = 1\n", encoding="utf-8")
    return ["--config", str(config), "--jobs", "2"]


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(self, *args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, [*args, "--db", str(self.db)])
        assert result.exit_code == code, (result.output, result.exception)
        return result.output

    def articles(self) -> list[dict]:
        return [json.loads(line) for line in self("export", "articles").splitlines()]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "store.db")


@pytest.fixture(scope="session")
def news(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Corpus, dict[str, list[dict]]]:
    """A made-up news corpus (tests.corpus), and the exports of one clean run over it.

    Tests only read the folder: each works on a store of its own.
    """
    base = tmp_path_factory.mktemp("news")
    folder = base / "news"
    corpus = write_corpus(folder)
    db = base / "clean.db"
    result = CliRunner().invoke(main, ["run", str(folder), "--db", str(db), "--quiet"])
    assert result.exit_code == 0, (result.output, result.exception)
    return folder, corpus, exports(db)


@pytest.fixture(autouse=True)
def _no_stray_processes() -> Iterator[None]:
    """Processes a test started (tests.processes) do not outlive it."""
    yield
    reap()
