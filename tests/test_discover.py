# Test data is typographic text on purpose (curly quotes, dashes, other scripts).
import json
import os
from pathlib import Path

import pytest

from ingest.discover import classify, discover, printable
from ingest.records import SourceFile


def write(root: Path, relpath: str, content: str = "text") -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def by_relpath(root: Path) -> dict[str, SourceFile]:
    return {f.relpath: f for f in discover(root)}


def test_walks_recursively_in_relpath_order(tmp_path: Path) -> None:
    for relpath in ["b.txt", "a/z/deep.md", "a/b.txt", "a-c.txt", "A.html", "a/a.json"]:
        write(tmp_path, relpath)
    relpaths = [f.relpath for f in discover(tmp_path)]
    # "a-c.txt" before "a/...": the order is that of the relpaths as strings.
    assert relpaths == ["A.html", "a-c.txt", "a/a.json", "a/b.txt", "a/z/deep.md", "b.txt"]
    assert relpaths == sorted(relpaths)


def test_source_files_carry_path_size_and_mtime(tmp_path: Path) -> None:
    path = write(tmp_path, "news/one.txt", "hello")
    [found] = discover(tmp_path)
    assert found.path == path
    assert found.relpath == "news/one.txt"
    assert found.size == 5
    assert found.mtime_ns == path.stat().st_mtime_ns
    assert (found.kind, found.compressed, found.skip_reason) == ("text", False, None)


@pytest.mark.parametrize(
    ("name", "kind", "compressed"),
    [
        ("a.txt", "text", False),
        ("a.TEXT", "text", False),
        ("a.md", "text", False),
        ("a.html", "html", False),
        ("a.HTM", "html", False),
        ("a.xhtml", "html", False),
        ("a.json", "json", False),
        ("a.jsonl", "jsonl", False),
        ("a.ndjson", "jsonl", False),
        ("a.txt.gz", "text", True),
        ("a.Html.GZ", "html", True),
        ("a.json.gz", "json", True),
        ("a.jsonl.gz", "jsonl", True),
        ("a.pdf", None, False),
        ("a.gz", None, True),
        ("archive.tar.gz", None, True),
        ("README", None, False),
    ],
)
def test_classify(name: str, kind: str | None, compressed: bool) -> None:
    assert classify(name) == (kind, compressed)


def test_unsupported_files_are_yielded_as_skipped_with_a_reason(tmp_path: Path) -> None:
    for name in ["photo.JPG", "paper.pdf", "archive.tar.gz", "README", "story.txt"]:
        write(tmp_path, name)
    found = by_relpath(tmp_path)
    assert found["photo.JPG"].skip_reason == "unsupported file type '.jpg'"
    assert found["paper.pdf"].skip_reason == "unsupported file type '.pdf'"
    assert found["archive.tar.gz"].skip_reason == "unsupported file type '.tar.gz'"
    assert found["README"].skip_reason == "unsupported file type (no extension)"
    assert all(found[n].kind is None for n in ["photo.JPG", "paper.pdf", "README"])
    assert found["story.txt"].kind == "text"


def test_hidden_directories_are_not_entered_and_hidden_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".git/config.txt")
    write(tmp_path, "a/.cache/x.txt")
    write(tmp_path, ".DS_Store")
    write(tmp_path, "a/.notes.txt")
    write(tmp_path, "a/story.txt")
    found = by_relpath(tmp_path)
    assert sorted(found) == [".DS_Store", "a/.notes.txt", "a/story.txt"]
    assert found[".DS_Store"].skip_reason == "hidden file"
    assert found["a/.notes.txt"].skip_reason == "hidden file"
    assert found["a/.notes.txt"].kind is None


def test_symlinked_files_and_directories_are_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "far.txt", "far away")
    root = tmp_path / "root"
    write(root, "local.txt")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "alias.txt").symlink_to(outside / "far.txt")
    found = by_relpath(root)
    assert sorted(found) == ["alias.txt", "linked/far.txt", "local.txt"]
    assert found["alias.txt"].kind == "text"
    assert found["alias.txt"].size == len("far away")
    assert found["linked/far.txt"].skip_reason is None


def test_symlink_loop_is_reported_not_followed(tmp_path: Path) -> None:
    write(tmp_path, "a/story.txt")
    (tmp_path / "a" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(".", target_is_directory=True)
    found = by_relpath(tmp_path)
    assert sorted(found) == ["a/self", "a/story.txt", "a/up"]
    assert found["a/up"].skip_reason == "symlink loop: leads back to '.'"
    assert found["a/self"].skip_reason == "symlink loop: leads back to 'a'"


def test_a_directory_reached_twice_is_walked_once(tmp_path: Path) -> None:
    write(tmp_path, "data/story.txt")
    (tmp_path / "mirror").symlink_to("data", target_is_directory=True)
    found = by_relpath(tmp_path)
    assert sorted(found) == ["data/story.txt", "mirror"]
    assert found["mirror"].skip_reason == "directory already walked as 'data'"


def test_broken_and_self_referencing_symlinks_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "me.txt").symlink_to("me.txt")
    found = by_relpath(tmp_path)
    assert found["dangling.txt"].skip_reason == "broken symlink"
    assert found["me.txt"].skip_reason == "symlink loop"
    assert found["dangling.txt"].kind is None


def test_special_files_are_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")  # opening it to read would block
    [found] = discover(tmp_path)
    assert found.skip_reason == "not a regular file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_and_directory_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "locked/inside.txt")
    secret = write(tmp_path, "secret.txt")
    secret.chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        found = by_relpath(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert found["secret.txt"].skip_reason == "cannot read file: permission denied"
    assert found["locked"].skip_reason == "cannot read directory: permission denied"
    assert "locked/inside.txt" not in found


def test_permission_errors_are_skipped_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same paths as above, simulated so that they run under root too.
    write(tmp_path, "locked/inside.txt")
    write(tmp_path, "secret.txt")
    real_scandir, real_access = os.scandir, os.access

    def scandir(path: str) -> object:
        if path.endswith("locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    def access(path: str, mode: int) -> bool:
        return not path.endswith("secret.txt") and real_access(path, mode)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "access", access)
    found = by_relpath(tmp_path)
    assert found["secret.txt"].skip_reason == "cannot read file: permission denied"
    assert found["locked"].skip_reason == "cannot read directory: permission denied"
    assert "locked/inside.txt" not in found


def test_non_utf8_and_control_character_names_get_printable_relpaths(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as f:
        f.write(b"hello")
    write(tmp_path, "two\nlines.txt")
    found = by_relpath(tmp_path)
    assert sorted(found) == ["caf\\xe9.txt", "two\\nlines.txt"]
    odd = found["caf\\xe9.txt"]
    assert os.fsencode(odd.path) == raw  # path still names the file on disk
    assert odd.path.read_bytes() == b"hello"
    assert odd.kind == "text"
    json.dumps(odd.relpath, ensure_ascii=False).encode("utf-8")  # no surrogates left


def test_printable_leaves_ordinary_names_alone() -> None:
    assert printable("Zeitung – Bericht “März”.txt") == "Zeitung – Bericht “März”.txt"
    assert printable(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
    assert printable("a\u200bb\tc") == "a\\u200bb\\tc"


def test_missing_root_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(discover(tmp_path / "nope"))
    with pytest.raises(NotADirectoryError):
        list(discover(write(tmp_path, "file.txt")))
