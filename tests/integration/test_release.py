"""What a user pins and asks: the README's pre-commit `rev:` is a commit of this repository that
has the hooks, and both ways of asking the version print it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import buildtools

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.needs("git")
def test_the_docs_pin_a_commit_that_has_the_hooks() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an sdist, say)")
    for page in ("README.md", "docs/CLI.md"):
        revs = re.findall(r"^\s+rev: (\S+)", (ROOT / page).read_text(), re.MULTILINE)
        assert revs, f"the pre-commit example of {page} names no rev:"
        check_rev(revs)


def check_rev(revs: list[str]) -> None:
    for rev in revs:
        hooks = subprocess.run(["git", "show", f"{rev}:.pre-commit-hooks.yaml"], cwd=ROOT,
                               capture_output=True, text=True)
        assert hooks.returncode == 0, f"rev {rev}: {hooks.stderr.strip()}"
        assert "id: buildtools-check" in hooks.stdout


def test_the_version_from_both_commands() -> None:
    script = shutil.which("buildtools", path=str(Path(sys.executable).parent))
    assert script is not None
    for argv in ([sys.executable, "-m", "buildtools", "--version"], [script, "--version"]):
        done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        assert (done.returncode, done.stdout) == (0, f"buildtools {buildtools.__version__}\n")
