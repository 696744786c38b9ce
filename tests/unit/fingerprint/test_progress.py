"""What the speed work must not change: the fast no-op record (buildtools.build.record) never says
"up to date" when something changed; scan_tree's progress and observations."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from buildtools.build import record as fresh
from buildtools.build.events import HashProgress
from buildtools.fingerprint.scan import Observed, StatCache, scan_tree
from buildtools.ui.terminal import Reporter
from tests.conftest import Project, needs


def test_progress_is_told_per_folder_then_finished(tmp_path: Path) -> None:
    for index in range(5):
        (tmp_path / f"f{index}.js").write_text("x" * (index + 1))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "g.js").write_text("1234")
    calls: list[tuple[int, bool]] = []
    scan_tree(tmp_path, progress=lambda files, size, finished: calls.append((files, finished)))
    # once per folder that had files to read (not per file), then once more to finish
    assert calls == [(5, False), (6, False), (6, True)]
    cache = StatCache(tmp_path.parent / "c.marshal")
    old = 1_600_000_000_000_000_000
    for path in tmp_path.rglob("*"):
        os.utime(path, ns=(old, old))
    scan_tree(tmp_path, cache=cache)
    calls.clear()
    scan_tree(tmp_path, cache=cache, progress=lambda *args: calls.append(args))
    assert calls == []  # nothing to hash: no progress at all


def test_progress_bar_draws_nothing_off_a_terminal(tmp_path: Path) -> None:
    import io

    err = io.StringIO()
    bar = HashProgress(Reporter(out=io.StringIO(), err=err), "webapp")
    for index in range(1, 4):
        bar(index, index * 10, False)
    bar(3, 30, True)
    assert err.getvalue() == ""


def test_observe_records_folders_before_their_entries(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.js").write_text("a")
    (tmp_path / ".gitignore").write_text("ignored.log\n")
    (tmp_path / "ignored.log").write_text("x")
    observed: list[Observed] = []
    scan_tree(tmp_path, observe=observed)
    by_folder = {Path(folder).name: names for folder, _sig, names, _sigs in observed}
    assert by_folder[tmp_path.name] == ".gitignore"  # not the ignored file
    assert by_folder["src"] == "a.js"


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1", "BUILDTOOLS_CACHE_DIR": str(tmp_path / "cache"),
           **extra}
    env.pop("BUILDTOOLS_FORCE_REBUILD", None)
    return env


def recorded(project: Project, env: dict[str, str]) -> bool:
    return fresh.check(str(project.root), env) is not None


@pytest.mark.integration
@needs("npm")
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
