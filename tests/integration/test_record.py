"""What the speed work must not change: the fast no-op record (buildtools.core.record) never
says "up to date" when something changed (real npm builds in between)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from buildtools.core import record as fresh

if TYPE_CHECKING:
    from tests.integration.conftest import Project, Tiny


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
    assert recorded(project, env)  # the build leaves the record: no full check first
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

    # Back to the sources built first: restored from the cache, and the record follows
    app.write_text(text)
    result = project.doit("build", env=extra)
    assert "restored from" in result.stdout, result.stdout
    assert project.count("build") == 2
    assert recorded(project, env)


@pytest.mark.needs("npm")
def test_a_build_from_a_subfolder_finds_the_project_and_its_record(
        tiny: Tiny, tmp_path: Path, buildtools_command: str, doit_command: str) -> None:
    """`cd webapp/src && buildtools build` builds the project above (as git finds its
    repository), the record answers the next no-op there, and a config, a Mephisto YAML or a
    .git that appears in between is never overlooked by it."""
    env = environment(tmp_path)
    src = tiny.webapp / "src"

    def build_in(folder: Path, *args: str, command: str = buildtools_command
                 ) -> subprocess.CompletedProcess[str]:
        return subprocess.run([command, *args], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=600)

    built = build_in(src, "build")
    assert built.returncode == 0, built.stderr
    assert (tiny.bundle / "index.html").read_text() == "<p>hello</p>"
    assert not (src / ".buildtools").exists() and not (src / "dist").exists()
    time.sleep(2.2)  # past the racy window: the next full check leaves a record
    assert "build is up to date" in build_in(src, "build").stdout
    assert fresh.check(str(src), env) is not None
    assert tiny.count("build") == 1

    (tiny.webapp / "conf").mkdir()
    (tiny.webapp / "conf" / "task.yaml").write_text("mephisto:\n  task:\n    task_title: T\n")
    assert fresh.check(str(src), env) is None  # that YAML is now the config found from src
    (tiny.webapp / "conf" / "task.yaml").unlink()
    (tiny.webapp / "conf").rmdir()
    time.sleep(2.2)
    build_in(src, "build")
    assert fresh.check(str(src), env) is not None
    (tiny.webapp / ".git").mkdir()  # the webapp is a repository of its own: the search stops
    assert fresh.check(str(src), env) is None
    stopped = build_in(src, "build")
    assert stopped.returncode == 1
    assert stopped.stderr.startswith(
        f"error: no buildtools.toml in {src} nor in a folder above it up to {tiny.webapp} ")
    (tiny.webapp / ".git").rmdir()

    seek = build_in(src, "-k", "build", command=doit_command)  # doit's own upward search
    assert seek.returncode == 0, seek.stdout + seek.stderr
    assert tiny.count("build") == 1
