"""The build cache with real npm: a bundle built before is restored without running npm; a
disabled cache builds again."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.integration.conftest import Project, Tiny


@pytest.mark.needs("npm")
def test_earlier_sources_restore_the_bundle_without_npm(project: Project, tmp_path: Path) -> None:
    env = {"BUILDTOOLS_CACHE_DIR": str(tmp_path / "user-cache")}
    project.doit("build", env=env)
    first = {p.name: p.read_bytes() for p in project.bundle.rglob("*") if p.is_file()}
    app = project.webapp / "src" / "App.jsx"
    original = app.read_text()
    app.write_text(original + "\n// an edit\n")
    project.doit("build", env=env)
    assert (project.count("install"), project.count("build")) == (1, 2)

    app.write_text(original)  # as a `git checkout` of the earlier sources would
    started = time.monotonic()
    result = project.doit("build", env=env)
    took = time.monotonic() - started
    assert (project.count("install"), project.count("build")) == (1, 2), result.stdout
    assert "restored from cache" in result.stdout
    assert {p.name: p.read_bytes() for p in project.bundle.rglob("*") if p.is_file()} == first
    print(f"restore took {took:.2f} s")

    again = project.doit("build", env=env)  # consistent afterwards: a no-op
    assert "build is up to date" in again.stdout
    (project.root / "assets" / "notes.txt").write_text("new asset")  # rebundles the restored
    result = project.doit("build", env=env)  # build output, without building
    assert project.count("build") == 2
    assert (project.bundle / "notes.txt").read_text() == "new asset"
    assert (project.bundle / "index.html").read_bytes() == first["index.html"]


@pytest.mark.needs("npm")
def test_cache_disabled_builds_again(project: Project, tmp_path: Path) -> None:
    with (project.root / "buildtools.toml").open("a") as handle:
        handle.write("\n[cache]\nenabled = false\n")
    env = {"BUILDTOOLS_CACHE_DIR": str(tmp_path / "user-cache")}
    project.doit("build", env=env)
    app = project.webapp / "src" / "App.jsx"
    original = app.read_text()
    app.write_text(original + "\n// an edit\n")
    project.doit("build", env=env)
    app.write_text(original)
    project.doit("build", env=env)
    assert project.count("build") == 3
    assert not (tmp_path / "user-cache" / "cache" / "entries").exists()


@pytest.mark.needs("npm")
def test_a_build_prunes_the_cache_once_the_last_prune_is_ten_minutes_old(
        make_tiny: Callable[..., Tiny], tmp_path: Path) -> None:
    from buildtools.core.cache.reuse import PRUNE_EVERY, PRUNED_MARK

    tiny = make_tiny(tmp_path / "tiny")
    with (tiny.root / "buildtools.toml").open("a") as handle:
        handle.write("\n[cache]\nmax_size_mb = 0\n")  # every entry is beyond the budget
    cache = tmp_path / "user-cache"
    env = {"BUILDTOOLS_CACHE_DIR": str(cache)}

    def entries() -> int:
        return len(list((cache / "cache" / "entries").glob("*/*")))

    tiny.run("build", env=env)
    assert entries() == 0 and (cache / "cache" / PRUNED_MARK).is_file()  # never pruned: pruned
    (tiny.webapp / "src" / "a.txt").write_text("second")
    tiny.run("build", env=env)
    assert entries() == 1  # pruned a moment ago: the entry stays
    long_ago = time.time() - PRUNE_EVERY - 1
    os.utime(cache / "cache" / PRUNED_MARK, (long_ago, long_ago))
    (tiny.webapp / "src" / "a.txt").write_text("third")
    tiny.run("build", env=env)
    assert entries() == 0  # ten minutes on: the build prunes again
