import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def needs_shared(sub: str) -> Path:
    """The path of shared evaluation data; skips the test when it is not beside the repo."""
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"{path} is absent: shared evaluation data lives beside the repository")
    return path


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
