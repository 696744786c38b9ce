"""Fixtures of the Mephisto drop-in tests: the Mephisto-style task of
tests/fixtures/mephisto_task (support.mephisto.MephistoTask), launched once per test session
(real npm: webpack 5, Babel, React, mephisto-task) and copied for each test (node_modules
hard-linked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.mephisto import MephistoTask, fresh_task


@pytest.fixture(scope="session")
def launched(tmp_path_factory: pytest.TempPathFactory) -> tuple[MephistoTask, str]:
    """The task after its first launch (`run_task.py --review`: build:review, then dev), and
    what that printed. Modules that use it are in the xdist group "mephisto-task"."""
    base = tmp_path_factory.mktemp("mephisto")
    task = fresh_task(base / "task", base / "user-cache")
    return task, task.run_task("--review").stdout


@pytest.fixture
def task(launched: tuple[MephistoTask, str], tmp_path: Path) -> MephistoTask:
    """A copy of the launched task, for one test to change."""
    return launched[0].copy(tmp_path / "task")


@pytest.fixture
def bare_task(tmp_path: Path) -> MephistoTask:
    """An empty task folder (the test writes it), with the same command helpers."""
    (tmp_path / "task").mkdir()
    return MephistoTask(tmp_path / "task", tmp_path / "user-cache")
