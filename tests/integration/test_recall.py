"""Recall points with real npm and Vite (buildtools.core.recall): going back to sources built
before puts back that build's bundle without Vite and without the pipeline, the bundle then
holds what those sources build to, and the full check agrees; sources never built run Vite."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.projects import Project, Tiny

pytestmark = pytest.mark.needs("npm")


def environment(tmp_path: Path) -> dict[str, str]:
    return {"NO_COLOR": "1", "BUILDTOOLS_CACHE_DIR": str(tmp_path / "cache")}


def bundled_text(project: Project) -> str:
    return "".join(path.read_text(errors="replace")
                   for path in sorted((project.root / "dist" / "bundle").rglob("*.js")))


def test_back_and_forth_through_the_cli_and_doit(project: Project, tmp_path: Path) -> None:
    env = environment(tmp_path)
    app = project.webapp / "src" / "App.jsx"
    original = app.read_text()
    assert ">Submit<" in original
    versions = {"A": original.replace(">Submit<", ">Submit A<"),
                "B": original.replace(">Submit<", ">Submit B<")}
    for name in ("A", "B"):
        app.write_text(versions[name])
        project.run("build", env=env)
    assert project.count("build") == 2
    assert len(os.listdir(project.root / ".buildtools" / "recall")) == 2

    app.write_text(versions["A"])
    said = project.run("build", env=env).stdout
    assert "build          restored from cache: webapp/dist/" in said, said
    assert "bundle         restored from cache" in said, said  # the recall point's line
    assert "built bundle (restored from cache)" in said, said
    assert project.count("build") == 2
    assert "Submit A" in bundled_text(project) and "Submit B" not in bundled_text(project)

    app.write_text(versions["B"])
    said = project.doit("build", env=env).stdout
    assert "restored from cache" in said, said
    assert "Submit B" in bundled_text(project) and "Submit A" not in bundled_text(project)
    assert project.count("build") == 2

    # the full check, with neither the record nor the points, agrees
    shutil.rmtree(project.root / ".buildtools" / "recall")
    (project.root / ".buildtools" / "fresh.marshal").unlink(missing_ok=True)
    project.run("check", env=env)

    app.write_text(original.replace(">Submit<", ">Submit C<"))  # never built: Vite runs
    said = project.run("build", env=env).stdout
    assert "restored from cache" not in said, said
    assert project.count("build") == 3 and "Submit C" in bundled_text(project)


def git(tiny: Tiny, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=tiny.root, check=True, capture_output=True)


def test_switching_git_branches_puts_each_build_back(tiny: Tiny, tmp_path: Path) -> None:
    """git checkout writes each file anew (another inode, the folder's mtime moves): the
    points match by content and by the names a folder lists."""
    env = environment(tmp_path)
    (tiny.root / ".gitignore").write_text(".buildtools/\ndist/\nwebapp/dist/\ncounts/\n")
    git(tiny, "init", "-q", "-b", "main")
    git(tiny, "add", "-A")
    git(tiny, "commit", "-qm", "one")
    tiny.run("build", env=env)
    git(tiny, "checkout", "-qb", "other")
    (tiny.webapp / "src" / "a.txt").write_text("hello from the other branch")
    git(tiny, "commit", "-qam", "two")
    tiny.run("build", env=env)
    assert tiny.count("build") == 2
    for branch, page in (("main", "<p>hello</p>"), ("other", "<p>hello from the other "
                                                          "branch</p>"), ("main", "<p>hello</p>")):
        git(tiny, "checkout", "-q", branch)
        said = tiny.run("build", env=env).stdout
        assert "bundle         restored from cache\n" in said, said
        assert (tiny.bundle / "index.html").read_text() == page
    assert tiny.count("build") == 2
    assert "build is up to date" in tiny.run("build", env=env).stdout
