"""Atomic writes: a failed write keeps the old content; whole folders are swapped."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from buildtools.util import atomic


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_atomic_write_keeps_old_content_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    atomic.write_text(target, "old")
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())

    with pytest.raises(TypeError):
        atomic.write_bytes(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_replace_dir_swaps_whole_folders(tmp_path: Path) -> None:
    final = tmp_path / "bundle"
    final.mkdir()
    (final / "old.txt").write_text("old")
    staging = atomic.staging_dir(final)
    (staging / "new.txt").write_text("new")
    atomic.replace_dir(staging, final)
    assert [p.name for p in final.iterdir()] == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]


def test_a_failed_swap_removes_the_staging_folder(
        tmp_path: Path, immutable: Callable[..., None]) -> None:
    final = tmp_path / "bundle"
    final.mkdir()
    (final / "old.txt").write_text("old")
    staging = atomic.staging_dir(final)
    (staging / "new.txt").write_text("new")
    immutable(final)  # cannot be renamed aside
    with pytest.raises(PermissionError):
        atomic.replace_dir(staging, final)
    assert [p.name for p in final.iterdir()] == ["old.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]
