"""The build cache and what the build read (real npm, real node): an output comes back by the
build's inputs whatever the task settings, and never when a file the build read outside the
webapp holds other bytes than when it was stored."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support.projects import Tiny

pytestmark = pytest.mark.needs("npm")


def forget_the_project_state(tiny: Tiny) -> None:
    """As a new clone: no stamps, no output, no bundle (the user cache stays)."""
    for folder in (tiny.root / ".buildtools", tiny.webapp / "dist", tiny.root / "dist"):
        shutil.rmtree(folder, ignore_errors=True)


def test_other_task_settings_restore_the_build_output_without_npm(
        tiny: Tiny, tmp_path: Path) -> None:
    env = {"BUILDTOOLS_CACHE_DIR": str(tmp_path / "user-cache")}
    tiny.run("build", env=env)
    forget_the_project_state(tiny)
    toml = tiny.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace("task_reward = 0.1", "task_reward = 0.5"))
    result = tiny.run("build", env=env).stdout
    assert "build          restored from cache: webapp/dist/" in result, result
    assert "bundle         runs because it has not run here before" in result, result
    assert tiny.count("build") == 1
    assert '"task_reward": 0.5' in (tiny.bundle / "task_config.json").read_text()
    assert "build is up to date" in tiny.run("build", env=env).stdout


def test_no_restore_when_a_file_the_build_read_changed(tiny: Tiny, tmp_path: Path) -> None:
    env = {"BUILDTOOLS_CACHE_DIR": str(tmp_path / "user-cache"), "TINY_READ": "../shared.txt"}
    shared = tiny.root / "shared.txt"
    shared.write_text(" one")
    tiny.run("build", env=env)
    assert (tiny.bundle / "index.html").read_text() == "<p>hello one</p>"
    forget_the_project_state(tiny)
    result = tiny.run("build", env=env).stdout
    assert "restored from cache" in result, result  # the same bytes: the entry comes back
    shared.write_text(" two")
    forget_the_project_state(tiny)
    result = tiny.run("build", env=env).stdout
    assert "restored from cache" not in result, result
    assert tiny.count("build") == 2
    assert (tiny.bundle / "index.html").read_text() == "<p>hello two</p>"
