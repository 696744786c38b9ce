"""What a build leaves in a user's project and user cache (real npm and node): doit's database
in the state folder, a dist/ that git ignores, and a `clean --all` that removes this project's
build cache entries only."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.projects import DOIT, Tiny, make_tiny

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("npm") is None,
                                reason="git and npm are needed")


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True,
                          check=True).stdout


def test_doit_build_and_deploy_leave_git_status_clean(tiny: Tiny) -> None:
    _git(tiny.root, "init", "-q")
    _git(tiny.root, "add", "-A")
    tiny.run("build", command=DOIT)
    tiny.run("deploy", "local", command=DOIT)
    assert (tiny.root / "dist" / "local" / "public" / "index.html").is_file()
    assert list(tiny.root.glob(".doit.db*")) == []
    assert list((tiny.root / ".buildtools").glob("doit.db*")) != []
    # nothing the runs made shows as untracked (webapp/dist/, the bundler's own output, is for
    # the webapp's .gitignore to name; counts/ is this test's)
    status = _git(tiny.root, "status", "--porcelain", "--untracked-files=all")
    assert [line for line in status.splitlines() if line.startswith("??")
            and "webapp/dist/" not in line and "counts/" not in line] == []
    assert "up to date" in tiny.run("build", command=DOIT).stdout


def test_clean_all_keeps_the_cache_entries_of_other_projects(tmp_path: Path) -> None:
    first = make_tiny(tmp_path / "first")
    second = make_tiny(tmp_path / "second")
    (second.webapp / "src" / "a.txt").write_text("another app")
    first.run("build")
    second.run("build")
    entries = tmp_path / "user-cache" / "cache" / "entries"
    assert len(list(entries.glob("*/*"))) == 2

    said = first.run("clean", "--all").stdout
    assert "(build cache, 1 entry of this project)" in said, said
    assert ("kept 1 build cache entry of other projects in "
            f"{tmp_path / 'user-cache' / 'cache'}; 'buildtools clean --cache' clears the whole "
            "cache") in said, said
    assert len(list(entries.glob("*/*"))) == 1
    second.run("clean")
    assert "restored from cache" in second.run("build").stdout  # its entry is still there
