"""Fixtures of the preview tests: headless Chromium driven over its DevTools protocol
(support.devtools), `buildtools preview` run as a user runs it (support.preview), the task of
tests/fixtures/static_react_task and the template's task installed once per session (real
npm) and copied for each test (node_modules hard-linked), and a real Mephisto
(support.mephisto)."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.browser import chromium_binary
from support.devtools import Chromium, Page, launch_chromium
from support.mephisto import RealMephisto, install_real_mephisto
from support.preview import Preview, preview_env, start_preview
from support.processes import stop_group
from support.projects import BUILDTOOLS, copy_task, npm_ci

FIXTURES = Path(__file__).parents[2] / "fixtures"
LEFT_OUT = ("build", ".buildtools", "dist")  # a copied task starts with no build and no state


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """Headless Chromium with its DevTools protocol on a port the OS chose; skipped, saying
    why, where Chromium or websocket-client is missing."""
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed")
    websocket = pytest.importorskip("websocket", reason="pip install websocket-client")
    with launch_chromium(binary, websocket.create_connection) as browser:
        yield browser


@pytest.fixture
def page(chromium: Chromium) -> Iterator[Page]:
    tab = chromium.new_page("about:blank")
    yield tab
    tab.close()


# ---------------------------------------------------------------- `buildtools preview`


@pytest.fixture
def run_preview(tmp_path: Path) -> Iterator[Callable[..., Preview]]:
    """run_preview(folder, *args, env=None): support.preview.start_preview with this test's user
    cache; stopped (Ctrl-C to its process group) when the test ends."""
    started: list[Preview] = []

    def start(folder: Path, *args: str, env: dict[str, str] | None = None) -> Preview:
        preview = start_preview(folder, tmp_path / "user-cache", *args, env=env)
        started.append(preview)
        return preview

    yield start
    for preview in started:
        if preview.process.poll() is None:
            stop_group(preview.process, first=signal.SIGINT)


@pytest.fixture
def buildtools_in(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """buildtools_in(folder, *args): `buildtools ARGS` in `folder`, to its end."""

    def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([BUILDTOOLS, *args], cwd=folder, capture_output=True, text=True,
                              env=preview_env(tmp_path / "user-cache"), timeout=600)

    return run


# ---------------------------------------------------------------- the tasks, installed once


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """installed(name): a task with its node_modules (npm ci), made once per session on first
    use: "static_react_task" (tests/fixtures/static_react_task) or "template" (`buildtools
    new`, the template with its sample data)."""
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            base = tmp_path_factory.mktemp(name)
            env = preview_env(base / "unused")
            if name == "template":
                subprocess.run([BUILDTOOLS, "new", "task", "--no-input"], cwd=base, env=env,
                               check=True, capture_output=True, timeout=120)
            else:
                copy_task(FIXTURES / name, base / "task", *LEFT_OUT)
            npm_ci(base / "task" / "webapp", env)
            made[name] = base / "task"
        return made[name]

    return get


@pytest.fixture
def react_task(installed: Callable[[str], Path], tmp_path: Path) -> Path:
    """A copy of the installed static_react_task, for one test to change."""
    return copy_task(installed("static_react_task"), tmp_path / "task", *LEFT_OUT)


@pytest.fixture
def template_task(installed: Callable[[str], Path], tmp_path: Path) -> Path:
    """A copy of the installed template task, for one test to change."""
    return copy_task(installed("template"), tmp_path / "task", *LEFT_OUT)


# ---------------------------------------------------------------- a real Mephisto (Python 3.10)

@pytest.fixture(scope="session")
def real_mephisto(tmp_path_factory: pytest.TempPathFactory) -> RealMephisto:
    """Mephisto from PyPI in a Python 3.10 virtualenv (as Mephisto requires), with this
    buildtools installed beside it; skipped, saying why, where there is no python3.10."""
    installed = install_real_mephisto(tmp_path_factory.mktemp("mephisto-py310"))
    if isinstance(installed, str):
        pytest.skip(installed)
    return installed
