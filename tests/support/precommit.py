"""pre-commit run as a user runs it: a git repository holding a `buildtools new` project whose
.pre-commit-config.yaml names a snapshot of this working tree as the hook repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def environment(pre_commit_home: Path) -> dict[str, str]:
    """This environment for git and pre-commit: no colour, a test identity, no git or
    pre-commit variables of an outer run, PRE_COMMIT_HOME=`pre_commit_home`."""
    env = {
        **os.environ,
        "NO_COLOR": "1",
        "PRE_COMMIT_COLOR": "never",
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for name in ("BUILDTOOLS_FORCE_REBUILD", "BUILDTOOLS_CONFIG", "GIT_DIR", "GIT_INDEX_FILE",
                 "GIT_WORK_TREE", "PRE_COMMIT", "SKIP"):
        env.pop(name, None)
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    """`git ARGS` in `cwd` (branch main, no signing); its output."""
    return subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false",
                           *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


class Project:
    """A git repository holding a `buildtools new` project, built and committed."""

    def __init__(self, root: Path, hook_repo: Path, env: dict[str, str]) -> None:
        self.root = root
        self.hook_repo = hook_repo
        self.env = env

    def git(self, *args: str) -> str:
        return git(self.root, self.env, *args)

    def build(self) -> None:
        """Build with the hook repository's own buildtools (in the PRE_COMMIT_HOME environment):
        the same code as the hooks, whatever this working tree holds meanwhile."""
        result = self.hook("buildtools-build", "run")
        assert result.returncode == 0 or "files were modified by this hook" in result.stdout, (
            result.stdout)

    def check(self) -> bool:
        return passed(self.hook("buildtools-check", "run"))

    def hook(self, hook_id: str, via: str = "run") -> subprocess.CompletedProcess[str]:
        """Run one hook on all files: via "try-repo" (`pre-commit try-repo <hook repo>
        <hook_id>`, which builds the hook environment in a temporary store every time) or via
        "run" (`pre-commit run <hook_id>` with the project's .pre-commit-config.yaml naming the
        hook repo, as a user sets it up; the environment is kept in PRE_COMMIT_HOME)."""
        args = ["try-repo", str(self.hook_repo), hook_id] if via == "try-repo" else ["run", hook_id]
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", *args, "--all-files"],
            cwd=self.root, env=self.env, capture_output=True, text=True, timeout=900,
        )
        result.stdout += result.stderr
        return result

    def fails_after_an_edit(self, hook_id: str) -> str:
        """The hook passes on the project as it is, fails (exit 1) once a source is edited and
        staged: what it said then."""
        fresh = self.hook(hook_id)
        assert passed(fresh), fresh.stdout
        self.edit_source()
        result = self.hook(hook_id)
        assert result.returncode == 1, result.stdout
        return result.stdout

    def edit_source(self) -> None:
        app = self.root / "webapp" / "src" / "App.jsx"
        # a statement, not a comment: the bundler drops comments, and the bundle must change
        app.write_text(app.read_text() + '\nconsole.log("an edit");\n')
        self.git("add", "-A")


def passed(result: subprocess.CompletedProcess[str]) -> bool:
    """The hook ran and said Passed."""
    return result.returncode == 0 and "Passed" in result.stdout
