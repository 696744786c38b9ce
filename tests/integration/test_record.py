"""What the speed work must not change: the fast no-op record (buildtools.build.record) never
says "up to date" when something changed (real npm builds in between)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildtools.build import record as fresh

if TYPE_CHECKING:
    from tests.integration.conftest import Project


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "BUILDTOOLS_CACHE_DIR": str(tmp_path / "cache"),
           **extra}
    env.pop("BUILDTOOLS_FORCE_REBUILD", None)
    return env


def recorded(project: Project, env: dict[str, str]) -> bool:
    return fresh.check(str(project.root), env) is not None


@pytest.mark.needs("npm")
def test_record_answers_only_while_nothing_changed(project: Project, tmp_path: Path) -> None:
    env = environment(tmp_path)
    extra = {key: value for key, value in env.items() if key.startswith("BUILDTOOLS_")}
    project.doit("build", env=extra)
    assert not recorded(project, env)  # just written: inside the racy window, no record
    time.sleep(2.2)
    project.doit("build", env=extra)  # the full check, which leaves the record
    assert recorded(project, env)
    assert not recorded(project, {**env, "VITE_API": "x"})  # a build variable appeared

    app = project.webapp / "src" / "App.jsx"
    before = app.stat()
    text = app.read_text()
    app.write_text(text.replace("a", "b", 1) if "a" in text else text.upper())  # same size
    os.utime(app, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the same mtime
    assert app.stat().st_size == before.st_size
    assert not recorded(project, env)  # ctime still moved
    result = project.doit("build", env=extra)
    assert "files changed: src/App.jsx" in result.stdout
    assert project.count("build") == 2

    time.sleep(2.2)
    project.doit("build", env=extra)
    assert recorded(project, env)
    (project.webapp / "src" / "new.js").write_text("export const x = 1\n")
    assert not recorded(project, env)  # the folder's mtime moved
    (project.webapp / "src" / "new.js").unlink()

    time.sleep(2.2)
    project.doit("build", env=extra)
    assert recorded(project, env)
    (project.root / "buildtools.toml").write_text(
        (project.root / "buildtools.toml").read_text() + "\n# a comment\n")
    assert not recorded(project, env)
