"""Deploying the heroku artifact again and again, to a real bare git repository standing in
for Heroku's: by hand as the printed hint says, and by `doit deploy` with [deploy.heroku] app.

The `heroku` on PATH here is a stand-in: the real CLI installs from npm, but `heroku create`
and `heroku git:remote` ask Heroku's API, which this machine cannot reach. It does what those
two commands leave behind: a git remote named heroku (here, the bare repository)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support.projects import DOIT, Tiny, make_tiny

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("npm") is None,
                                reason="git and npm are needed")

HEROKU = """\
#!/bin/sh
# a stand-in for the heroku CLI: what `create` and `git:remote` leave is a remote named heroku
case "$1" in
  create|git:remote)
    git remote add heroku "$HEROKU_TEST_REMOTE" 2>/dev/null ||
      git remote set-url heroku "$HEROKU_TEST_REMOTE"
    echo "Git remote heroku added" ;;
  *) echo "heroku stand-in: $1 is not played here" >&2; exit 1 ;;
esac
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@localhost",
           "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@localhost",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
TOML = """\
[webapp]
source = "webapp"
output = "dist"

[task]
task_name = "tiny-task"
task_title = "Tiny"
task_description = "A tiny task."
task_reward = 0.1
task_tags = "tiny"

[deploy]
architects = ["heroku"]
"""


def _remote(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A bare repository and the environment that puts the heroku stand-in on PATH."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "heroku").write_text(HEROKU)
    (bin_dir / "heroku").chmod(0o755)
    env = {**GIT_ENV, "HEROKU_TEST_REMOTE": str(remote),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return remote, env


def _served_page(remote: Path) -> str:
    """public/index.html of main in the remote: what Heroku would build and serve."""
    shown = subprocess.run(["git", "--git-dir", str(remote), "show", "main:public/index.html"],
                           capture_output=True, text=True, check=True)
    return shown.stdout


def _commits(remote: Path) -> int:
    counted = subprocess.run(["git", "--git-dir", str(remote), "rev-list", "--count", "main"],
                             capture_output=True, text=True, check=True)
    return int(counted.stdout)


def _edit(tiny: Tiny, text: str) -> None:
    (tiny.webapp / "src" / "a.txt").write_text(text)


def _hand_steps(said: str) -> tuple[str, str]:
    """The two command lines of the printed hint: once, and at each deploy."""
    once = re.search(r"by hand: once, (cd .+?) \(or ", said)
    each = re.search(r"then at each deploy, (cd .+?) \(repackaging", said)
    assert once and each, said
    return once.group(1), each.group(1)


def test_three_deploys_by_hand_as_the_hint_says(tmp_path: Path) -> None:
    remote, env = _remote(tmp_path)
    tiny = make_tiny(tmp_path / "task", toml=TOML)
    for number, text in enumerate(("first", "second", "third"), 1):
        _edit(tiny, text)
        said = tiny.run("deploy", "heroku", env=env).stdout
        once, each = _hand_steps(said)
        if number == 1:
            subprocess.run(["bash", "-c", once], cwd=tiny.root, env={**os.environ, **env},
                           check=True, capture_output=True)
        pushed = subprocess.run(["bash", "-c", each], cwd=tiny.root, env={**os.environ, **env},
                                capture_output=True, text=True)
        assert pushed.returncode == 0, pushed.stderr
        assert _served_page(remote) == f"<p>{text}</p>"
        assert _commits(remote) == number
    # the artifact of the last deploy, as Heroku has it
    listed = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only",
                             "main"], capture_output=True, text=True, check=True).stdout
    assert {"Procfile", "package.json", "server.js", "public/index.html"} <= set(listed.split())


def test_three_deploys_by_doit_deploy_with_an_app(tmp_path: Path) -> None:
    remote, env = _remote(tmp_path)
    tiny = make_tiny(tmp_path / "task", toml=TOML + '\n[deploy.heroku]\napp = "tiny-app"\n')
    for text in ("first", "second", "third"):
        _edit(tiny, text)
        said = tiny.run("deploy", env=env, command=DOIT).stdout
        assert "pushed to Heroku app tiny-app" in said
        assert _served_page(remote) == f"<p>{text}</p>"
    again = tiny.run("deploy", env=env, command=DOIT).stdout
    assert "publish/heroku up to date" in re.sub(r" {2,}", " ", again)
    assert _served_page(remote) == "<p>third</p>"
