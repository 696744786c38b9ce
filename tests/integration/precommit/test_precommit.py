"""The pre-commit hooks for real: `pre-commit try-repo` on a temporary git repository holding a
project made by `buildtools new`.

try-repo installs the hook repository into its own virtualenv with pip. On a repository with
uncommitted changes it commits a shadow copy of the tracked files only (`git add -u`), so new,
untracked files (a new module, .pre-commit-hooks.yaml itself) would be missing, and the shadow
commit differs on every call, so the hook environment would be rebuilt every time. The tests
therefore commit a snapshot of this working tree (tracked and untracked files, not ignored
ones) once per session, and point try-repo at it. try-repo builds the hook environment in a
temporary store on every call (9-15 s), so one test uses it; the others run the hooks the way a
user does, from a .pre-commit-config.yaml naming the snapshot, with PRE_COMMIT_HOME
session-scoped: the hook environment is built once per test session (pytest-xdist runs the
tests of one file on one worker: --dist loadfile).
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from support.precommit import Project, environment, git, passed

pytestmark = pytest.mark.needs("npm", "git")
REPO = Path(__file__).resolve().parents[3]

def test_try_repo_runs_the_check_hook(project: Project) -> None:
    result = project.hook("buildtools-check", "try-repo")
    assert passed(result), result.stdout
    assert "buildtools check" in result.stdout


def test_check_hook_passes_fresh_fails_after_edit_passes_after_build(project: Project) -> None:
    stale = project.fails_after_an_edit("buildtools-check")
    assert "Failed" in stale
    assert "build          would run because files changed: src/App.jsx" in stale
    assert "error: the bundle is stale (build, bundle would run); run 'buildtools build'" in stale

    project.build()
    again = project.hook("buildtools-check")
    assert passed(again), again.stdout


def test_check_hook_fails_on_an_invalid_config(project: Project) -> None:
    toml = project.root / "buildtools.toml"
    toml.write_text(toml.read_text().replace("[deploy]", "[deploy]\nout_dir = 'x'"))
    project.git("add", "-A")
    result = project.hook("buildtools-check")
    assert result.returncode == 1, result.stdout
    assert "error: buildtools.toml: [deploy] unknown key 'out_dir'; did you mean 'out'?" in (
        result.stdout)


def test_build_hook_fails_when_it_changed_tracked_files(project: Project) -> None:
    # A project that commits its bundle: the rebuild changes tracked files.
    project.git("add", "-f", "dist/bundle")
    project.git("commit", "-q", "-m", "commit the bundle")
    rebuilt = project.fails_after_an_edit("buildtools-build")
    assert "files were modified by this hook" in rebuilt
    assert "build          runs because files changed: src/App.jsx" in rebuilt
    assert project.git("status", "--porcelain", "dist/bundle").strip()

    project.git("add", "-A")  # what the user does: stage the rebuilt bundle, commit again
    again = project.hook("buildtools-build")
    assert passed(again), again.stdout
    assert project.check()


def test_build_hook_with_an_ignored_bundle_rebuilds_and_passes(project: Project) -> None:
    project.edit_source()
    result = project.hook("buildtools-build")
    assert passed(result), result.stdout
    assert project.check()


def test_the_hook_environment_is_built_once_and_reused(
        project: Project, hook_repo: Path, pre_commit_home: Path) -> None:
    """The project fixture has run the build hook: running the hooks again installs nothing,
    and the store holds one repository, this session's snapshot of buildtools."""
    for hook_id in ("buildtools-check", "buildtools-build"):
        result = project.hook(hook_id)
        assert passed(result), result.stdout
        assert "Installing environment" not in result.stdout, result.stdout
    rev = git(hook_repo, project.env, "rev-parse", "HEAD").strip()
    with sqlite3.connect(pre_commit_home / "db.db") as db:
        repos = db.execute("SELECT repo, ref FROM repos").fetchall()
    assert repos == [(str(hook_repo), rev)]


def test_a_project_that_commits_everything_never_tracks_the_state_folder(
        tmp_path: Path, hook_repo: Path, pre_commit_home: Path) -> None:
    """Committed right after a build with only node_modules ignored: the state and cache
    folders ignore themselves, so `check` refreshing its stat cache modifies nothing tracked
    (before, the hook failed with "files were modified by this hook")."""
    env = {**environment(pre_commit_home), "BUILDTOOLS_CACHE_DIR": str(tmp_path / "cache")}
    buildtools = str(Path(sys.executable).parent / "buildtools")
    subprocess.run([buildtools, "new", "task", "--no-input"], cwd=tmp_path, env=env,
                   check=True, capture_output=True)
    made = Project(tmp_path / "task", hook_repo, env)
    (made.root / ".gitignore").write_text("node_modules/\n")
    made.git("init", "-q")
    rev = git(hook_repo, env, "rev-parse", "HEAD").strip()
    (made.root / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n  - id: buildtools-check\n")
    made.git("add", ".pre-commit-config.yaml")
    subprocess.run([buildtools, "build", "-q"], cwd=made.root, env=env, check=True,
                   capture_output=True)
    made.git("add", "-A")
    made.git("commit", "-q", "-m", "everything")

    # The content is the same, the stat is not: check hashes the file again and saves its
    # stat cache (and its no-op record) in the state folder
    app = made.root / "webapp" / "src" / "App.jsx"
    before = app.stat()
    os.utime(app, ns=(before.st_atime_ns, before.st_mtime_ns - 10_000_000_000))
    result = made.hook("buildtools-check")
    assert passed(result), result.stdout
    assert "files were modified by this hook" not in result.stdout
    assert made.git("status", "--porcelain") == ""
    tracked = made.git("ls-files").splitlines()
    assert "webapp/src/App.jsx" in tracked
    # dist/ ignores itself too (`git add -f dist/bundle` commits a bundle on purpose)
    assert not [path for path in tracked if path.startswith((".buildtools/", "dist/"))]
    assert (made.root / ".buildtools" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_check_hook_names_an_unstaged_edit_and_a_step_that_works(project: Project) -> None:
    """An edit left unstaged, built; an unrelated file committed: pre-commit sets the edit
    aside while the hook runs, so the bundle is stale for the commit while `buildtools build`
    says up to date. The message names the file and a way out that works."""
    app = project.root / "webapp" / "src" / "App.jsx"
    app.write_text(app.read_text() + '\nconsole.log("not yet");\n')  # left unstaged
    project.build()
    (project.root / "NOTES.md").write_text("notes\n")
    project.git("add", "NOTES.md")

    def hook_on_the_commit() -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "buildtools-check"],
                                cwd=project.root, env=project.env, capture_output=True,
                                text=True, timeout=900)
        result.stdout += result.stderr
        return result

    stale = hook_on_the_commit()
    assert stale.returncode == 1, stale.stdout
    assert "Unstaged files detected" in stale.stdout
    assert ("pre-commit set aside your unstaged edits of webapp/src/App.jsx, which the last "
            "build may have included; stage them (git add webapp/src/App.jsx), or build what "
            "you commit: git stash push --keep-index && buildtools build && git stash pop"
            ) in stale.stdout, stale.stdout

    bin_dir = str(Path(sys.executable).parent)
    way_out = subprocess.run(
        ["bash", "-c", "git stash push --keep-index && buildtools build && git stash pop"],
        cwd=project.root, capture_output=True, text=True, timeout=900,
        env={**project.env, "PATH": bin_dir + os.pathsep + project.env["PATH"]})
    assert way_out.returncode == 0, way_out.stdout + way_out.stderr
    assert 'console.log("not yet")' in app.read_text()  # the edit is back, still unstaged
    again = hook_on_the_commit()
    assert passed(again), again.stdout


def test_the_readme_pre_commit_setup_works_as_written(project: Project) -> None:
    """README's .pre-commit-config.yaml and the commands it names after it, on a hook repository
    that has no tag (as this one has none)."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## pre-commit\n", 1)[1]
    snippet = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    commands = re.findall(r"`(pre-commit [a-z-]+)`", section.split("```", 2)[2].split("##")[0])
    assert "pre-commit autoupdate" in commands, commands
    repo_line = next(line for line in snippet.splitlines() if "repo:" in line)
    url = repo_line.split("repo:", 1)[1].split("#")[0].strip()
    config = project.root / ".pre-commit-config.yaml"
    config.write_text(snippet.replace(url, str(project.hook_repo)))
    project.git("add", ".pre-commit-config.yaml")
    for command in commands:
        done = subprocess.run([sys.executable, "-m", "pre_commit", *command.split()[1:]],
                              cwd=project.root, env=project.env, capture_output=True, text=True,
                              timeout=900)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "rev: ''" not in config.read_text() and 'rev: ""' not in config.read_text()
    project.git("add", ".pre-commit-config.yaml")
    checked = project.hook("buildtools-check")
    assert passed(checked), checked.stdout
