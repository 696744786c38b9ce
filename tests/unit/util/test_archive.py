"""Deterministic archives: same folder, same bytes; normalised entries."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pytest

from buildtools.errors import UserError
from buildtools.util.archive import DEFAULT_MTIME, archive_mtime, write_archive


def _tree(root: Path) -> Path:
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_text("a")
    (root / "b" / "z.js").write_text("z")
    (root / "b" / "c.png").write_bytes(b"\x89PNG")
    script = root / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o775)
    (root / "secret-mode").write_text("x")
    (root / "secret-mode").chmod(0o600)
    return root


def test_same_folder_gives_same_bytes_whatever_the_mtimes(tmp_path: Path) -> None:
    first = _tree(tmp_path / "one")
    second = _tree(tmp_path / "two")
    os.utime(second / "a.txt", (1_700_000_000, 1_700_000_000))
    write_archive(first, tmp_path / "one.tar.gz", "local", environ={})
    write_archive(second, tmp_path / "two.tar.gz", "local", environ={})
    assert (tmp_path / "one.tar.gz").read_bytes() == (tmp_path / "two.tar.gz").read_bytes()


def test_entries_are_sorted_and_normalised(tmp_path: Path) -> None:
    folder = _tree(tmp_path / "src")
    dest = tmp_path / "out.tar.gz"
    write_archive(folder, dest, "heroku", environ={})
    data = dest.read_bytes()
    assert data[:3] == b"\x1f\x8b\x08"
    assert data[3] == 0  # FLG: no file name
    assert data[4:8] == b"\0\0\0\0"  # gzip mtime 0
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == [
        "heroku",
        "heroku/a.txt",
        "heroku/b",
        "heroku/b/c.png",
        "heroku/b/z.js",
        "heroku/run.sh",
        "heroku/secret-mode",
    ]
    modes = {m.name: m.mode for m in members}
    assert modes["heroku"] == modes["heroku/b"] == modes["heroku/run.sh"] == 0o755
    assert modes["heroku/a.txt"] == modes["heroku/secret-mode"] == 0o644
    for member in members:
        assert member.mtime == DEFAULT_MTIME
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
        assert not member.name.startswith("/")


def test_source_date_epoch(tmp_path: Path) -> None:
    assert archive_mtime({"SOURCE_DATE_EPOCH": "1700000000"}) == 1700000000
    assert archive_mtime({}) == DEFAULT_MTIME
    with pytest.raises(UserError) as info:
        archive_mtime({"SOURCE_DATE_EPOCH": "yesterday"})
    assert str(info.value) == "SOURCE_DATE_EPOCH must be a whole number of seconds, got 'yesterday'"
    folder = _tree(tmp_path / "src")
    write_archive(folder, tmp_path / "x.tar.gz", "t", environ={"SOURCE_DATE_EPOCH": "1700000000"})
    with tarfile.open(tmp_path / "x.tar.gz") as tar:
        assert {m.mtime for m in tar.getmembers()} == {1700000000}


def test_failure_leaves_no_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    os.mkfifo(folder / "pipe")
    with pytest.raises(UserError, match="not a regular file"):
        write_archive(folder, tmp_path / "out" / "x.tar.gz", "t", environ={})
    assert list((tmp_path / "out").iterdir()) == []


def test_the_archive_is_readable_by_all_under_umask_022(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_archive(_tree(tmp_path / "src"), tmp_path / "dist" / "local.tar.gz", "local",
                      environ={})
    finally:
        os.umask(previous)
    assert (tmp_path / "dist" / "local.tar.gz").stat().st_mode & 0o777 == 0o644
