"""The project of the core's unit tests (support.fake_project): its npm is
buildtools.testing.fake_npm, so the walk, the pipeline and the stages run for real and no
process starts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from buildtools.fingerprint import racy as racy_clock
from buildtools.fingerprint import statcache
from buildtools.testing.fake_npm import FakeNpm
from support.fake_project import BUILT, Project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Project]:
    npm = FakeNpm(scripts={"build": BUILT})
    bin_dir = npm.install_node(tmp_path / "node")
    # the toolchain looks for the system Node on the process's own PATH
    monkeypatch.setenv("PATH", str(bin_dir))
    environ = {"PATH": str(bin_dir), "HOME": str(tmp_path / "home"),
               "BUILDTOOLS_CACHE_DIR": str(tmp_path / "user-cache")}
    project = Project(tmp_path / "project", npm, environ)
    project.package()
    project.lock()
    project.write("src/main.js", "console.log('hi')\n")
    (project.root / "assets").mkdir()
    (project.root / "assets" / "logo.svg").write_text("<svg/>")
    yield project


@pytest.fixture
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files were all written just now: let the stat cache and the record vouch for those
    written before a check began (no racy window)."""
    monkeypatch.setattr(statcache, "RACY_WINDOW_NS", 0)
    monkeypatch.setattr(racy_clock, "FINE_RACY_WINDOW_NS", 0)
