"""Fixtures of the integration tests (real npm, node, nginx, Chromium, pre-commit, sshd; every
test here is marked `integration` by tests/conftest.py): one npm cache per test session, the
task project rendered from webapp_template and the tiny project (support.projects), a real
S3-API server (support.s3), headless Chromium (support.browser), and no process left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.browser import Browser, chromium_binary
from support.processes import marked_processes
from support.projects import Project, Tiny, make_project, make_tiny
from support.s3 import S3Server, moto_server, moto_server_program


@pytest.fixture
def tiny(tmp_path: Path) -> Tiny:
    return make_tiny(tmp_path / "tiny")


# ---------------------------------------------------------------- processes a test leaves

SESSION_MARK = "BUILDTOOLS_TEST_SESSION"


@pytest.fixture(scope="session", autouse=True)
def no_process_left() -> Iterator[None]:
    """Every process the tests start carries a mark in its environment; at the end of the
    session none may still run (a server whose launcher was killed but not its child, say).
    The run fails naming them, and they are stopped."""
    if not Path("/proc/self/environ").exists():
        yield
        return
    mark = f"{os.getpid()}-{time.time_ns()}"
    os.environ[SESSION_MARK] = mark
    yield
    left = marked_processes(SESSION_MARK, mark)
    deadline = time.monotonic() + 5
    while left and time.monotonic() < deadline:  # some may be on their way out
        time.sleep(0.2)
        left = marked_processes(SESSION_MARK, mark)
    for pid, _ in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, "processes left running by the tests: " + "; ".join(
        f"{pid} {cmdline}" for pid, cmdline in left)


# ---------------------------------------------------------------- a real S3-API server


@pytest.fixture
def s3() -> Iterator[S3Server]:
    """A fresh moto_server per test, stopped afterwards."""
    if moto_server_program() is None:
        pytest.skip("moto_server is not installed: pip install -e '.[test]'")
    with moto_server() as server:
        yield server


# ---------------------------------------------------------------- one npm cache per session


@pytest.fixture(scope="session", autouse=True)
def session_npm_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """npm's cache for this test session, shared by the xdist workers (npm's cache is safe for
    concurrent use): the first install downloads, every later one is warm and, with
    prefer-offline, asks the registry nothing. Only packages live there, never a build output,
    so tests that count installs and builds still count their own."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the folder all workers' temp folders are in
    cache = base / "npm-cache"
    cache.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("npm_config_cache", str(cache))
        patch.setenv("npm_config_prefer_offline", "true")
        patch.setenv("npm_config_audit", "false")
        patch.setenv("npm_config_fund", "false")
        patch.setenv("npm_config_update_notifier", "false")
        yield cache


# ---------------------------------------------------------------- the template project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "task")


# ---------------------------------------------------------------- headless Chromium


@pytest.fixture(scope="session")
def browser() -> Browser:
    """Headless Chromium; the test is skipped, saying so, where it is not installed. Mark such
    tests `browser`."""
    binary = chromium_binary()
    if binary is None:
        pytest.skip("chromium is not installed")
    return Browser(binary)
