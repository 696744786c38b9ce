"""Fixtures of the pre-commit tests: a snapshot of this working tree as the hook repository,
one PRE_COMMIT_HOME per test session (the hook environment is built once: the tests of this
folder run on one xdist worker, see tests/conftest.py), and a project that uses the hooks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.precommit import Project, environment, git

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, pre_commit_home: Path) -> Path:
    """A one-commit git repository holding this working tree as it is now."""
    env = environment(pre_commit_home)
    dest = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout.decode("utf-8", "surrogateescape")
    for rel in filter(None, listed.split("\0")):
        source = REPO / rel
        if not (source.is_file() or source.is_symlink()):  # deleted, not yet committed
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    git(dest, env, "init", "-q")
    git(dest, env, "add", "-A")
    git(dest, env, "commit", "-q", "-m", "snapshot of the working tree")
    return dest


@pytest.fixture
def project(tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> Iterator[Project]:
    env = environment(pre_commit_home)
    subprocess.run([str(Path(sys.executable).parent / "buildtools"), "new", "task", "--title",
                    "Hooked", "--no-input"], cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    made = Project(tmp_path / "task", hook_repo, env)
    made.git("init", "-q")
    rev = git(hook_repo, env, "rev-parse", "HEAD").strip()
    (made.root / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n"
        "  - id: buildtools-check\n  - id: buildtools-build\n"
    )
    made.git("add", ".pre-commit-config.yaml")  # pre-commit refuses an unstaged config
    made.build()
    made.git("add", "-A")
    made.git("commit", "-q", "-m", "a task project")
    yield made
