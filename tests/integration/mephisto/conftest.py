"""Fixtures of the Mephisto drop-in tests: the Mephisto-style task of
tests/fixtures/mephisto_task, installed once per test session (real npm: webpack 5, Babel,
React, mephisto-task) and copied for each test: a plain copy of everything but node_modules,
which is hard-linked (nothing in these tests writes into it in place; `npm ci` removes it
before it installs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parents[2] / "fixtures" / "mephisto_task"
PYTHON = sys.executable
BUILDTOOLS = str(Path(sys.executable).parent / "buildtools")


def task_env(cache: Path) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "CYPRESS_INSTALL_BINARY": "0",
           "BUILDTOOLS_CACHE_DIR": str(cache)}
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG"):
        env.pop(name, None)
    return env


@dataclass
class MephistoTask:
    root: Path
    cache: Path

    @property
    def webapp(self) -> Path:
        return self.root / "webapp"

    @property
    def bundle_js(self) -> Path:
        return self.webapp / "build" / "bundle.js"

    @property
    def review_js(self) -> Path:
        return self.webapp / "build" / "bundle.review.js"

    def run_task(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        """`python run_task.py ARGS` in the task folder, as a Mephisto user launches a task."""
        result = subprocess.run([PYTHON, "run_task.py", *args], cwd=self.root,
                                env=task_env(self.cache), capture_output=True, text=True,
                                timeout=900)
        if result.returncode != code:
            raise AssertionError(f"run_task.py {' '.join(args)} exited {result.returncode}, "
                                 f"not {code}\n{result.stdout}\n{result.stderr}")
        return result

    def buildtools(self, *args: str, env: dict[str, str] | None = None, code: int = 0) -> str:
        """`buildtools ARGS` in the task folder; its output (stdout, then stderr)."""
        result = subprocess.run([BUILDTOOLS, *args], cwd=self.root, capture_output=True,
                                text=True, timeout=900,
                                env={**task_env(self.cache), **(env or {})})
        if result.returncode != code:
            raise AssertionError(f"buildtools {' '.join(args)} exited {result.returncode}, "
                                 f"not {code}\n{result.stdout}\n{result.stderr}")
        return result.stdout + result.stderr

    def copy(self, dest: Path) -> MephistoTask:
        shutil.copytree(self.root, dest, symlinks=True,
                        ignore=shutil.ignore_patterns("node_modules"))
        modules = self.webapp / "node_modules"
        if modules.is_dir():
            subprocess.run(["cp", "-al", str(modules), str(dest / "webapp" / "node_modules")],
                           check=True)
        return MephistoTask(dest, self.cache)


def _fresh_task(dest: Path, cache: Path) -> MephistoTask:
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("node_modules", "build",
                                                                  ".buildtools"))
    return MephistoTask(dest, cache)


def _signature(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_ino, info.st_mtime_ns


@pytest.fixture(scope="session")
def fresh_task() -> Callable[[Path, Path], MephistoTask]:
    """fresh_task(dest, cache): a copy of the fixture task (no node_modules, no build/)."""
    return _fresh_task


@pytest.fixture(scope="session")
def signature() -> Callable[[Path], tuple[int, int]]:
    """signature(path): (inode, mtime): changes when a file is rewritten or replaced."""
    return _signature


@pytest.fixture(scope="session")
def launched(tmp_path_factory: pytest.TempPathFactory) -> tuple[MephistoTask, str]:
    """The task after its first launch (`run_task.py --review`: build:review, then dev), and
    what that printed. Modules that use it are in the xdist group "mephisto-task"."""
    base = tmp_path_factory.mktemp("mephisto")
    task = _fresh_task(base / "task", base / "user-cache")
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
