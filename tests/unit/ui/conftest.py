"""Fixtures of the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.ui.commands.new import new_project


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project from `buildtools new` (not built), as the current folder."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BUILDTOOLS_CONFIG", raising=False)
    monkeypatch.delenv("BUILDTOOLS_FORCE_REBUILD", raising=False)
    root = tmp_path / "task"
    new_project(root, title="Rate the picture")
    monkeypatch.chdir(root)
    return root
