"""The fingerprint's .gitignore matching against git's own, over a generated tree of tricky rules:
negation (also of a folder inside an ignored one), `**` at the start, middle and end, trailing
spaces (stripped, or kept when escaped), leading spaces, escaped `#` and `!`, folder-only rules,
anchored rules, character classes, nested .gitignore files that re-include what a parent
ignores, and the .gitignore of the repository above the scanned folder.

git is asked twice: `git check-ignore` for every file and folder (a file counts when neither it
nor a folder above it is ignored), and `git ls-files --others --exclude-standard` for the files
it would add; the two must agree, and the scan must keep exactly those files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from buildtools.fingerprint.ignore import outer_ignore_files
from buildtools.fingerprint.scan import scan_tree

pytestmark = pytest.mark.needs("git")

REPOSITORY_GITIGNORE = """\
*.bak
webapp/generated/
!webapp/generated/but-this.js
/webapp/top-only.txt
"""

WEBAPP_GITIGNORE = """\
# a comment, and an empty line

\\#hash.txt
*.log
!keep.log
build/
/rootonly.txt
docs/**/*.tmp
**/cache
trailing.txt   \n\
escaped\\ \n\
 leading.txt
a/**
!a/keep/
!a/keep/**
*.[oa]
!lib.a
out?/
deep/**/x
\\!bang.txt
foo/*/bar
[!c]at.txt
middle/**/end/
"""

NESTED = {
    "sub/.gitignore": "!important.log\n*.txt\n!/x.txt\n/local/\n",
    "sub/deeper/.gitignore": "!y.txt\n",
    "docs/.gitignore": "!*.tmp\nsecret/\n",
}

FILES = [
    "app.log", "keep.log", "src/app.log", "src/keep.log", "sub/important.log", "sub/other.log",
    "#hash.txt", "hash.txt", "#other.txt",
    "build/out.js", "src/build/out.js", "src/builder/out.js", "other/build",
    "rootonly.txt", "src/rootonly.txt",
    "docs/a.tmp", "docs/x/y/z.tmp", "docs/keep.md", "docs/secret/s.md", "other/docs/a.tmp",
    "cache/f.js", "src/cache/f.js", "src/cachex/f.js", "src/cache.js",
    "trailing.txt", "trailing.txt.bak2", "escaped ", "escaped", " leading.txt", "leading.txt",
    "a/f.js", "a/keep/g.js", "a/keep/h/i.js", "a/other/j.js",
    "m.o", "m.a", "lib.a", "m.c", "src/lib.a", "src/n.o",
    "out1/f.js", "out12/f.js", "out2",
    "deep/x", "deep/p/q/x", "deep/p/x/y.js", "deep/p/y.js", "deep/yx", "deep/p/yx",
    "!bang.txt", "bang.txt",
    "foo/q/bar", "foo/q/r/bar", "foo/bar",
    "bat.txt", "cat.txt",
    "middle/end/e.js", "middle/p/q/end/e.js", "middle/end.js", "middle/xend/e.js",
    "sub/a.txt", "sub/x.txt", "sub/y/x.txt", "sub/local/f.js", "sub/y/local/f.js",
    "sub/deeper/y.txt", "sub/deeper/z.txt",
    "generated/g.js", "generated/but-this.js", "top-only.txt", "src/top-only.txt",
    "old.bak", "src/old.bak", "src/index.js",
]


def git(repo: Path, *args: str, stdin: str = "") -> str:
    done = subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True,
                          text=True)
    assert done.returncode in (0, 1), done.stderr  # check-ignore: 1 when nothing is ignored
    return done.stdout


def make_tree(repo: Path) -> Path:
    git(repo, "init", "-q")
    (repo / ".gitignore").write_text(REPOSITORY_GITIGNORE)
    webapp = repo / "webapp"
    webapp.mkdir()
    (webapp / ".gitignore").write_text(WEBAPP_GITIGNORE)
    for path, text in NESTED.items():
        (webapp / path).parent.mkdir(parents=True, exist_ok=True)
        (webapp / path).write_text(text)
    for path in FILES:
        (webapp / path).parent.mkdir(parents=True, exist_ok=True)
        (webapp / path).write_text(f"{path}\n")
    return webapp


def kept_by_check_ignore(webapp: Path) -> set[str]:
    """The files that neither git check-ignore nor an ignored folder above them leaves out."""
    files = [path.relative_to(webapp).as_posix() for path in webapp.rglob("*") if path.is_file()]
    folders = {"/".join(path.split("/")[:depth]) for path in files
               for depth in range(1, path.count("/") + 1)}
    asked = "".join(f"{path}\0" for path in [*files, *folders])
    answer = git(webapp, "check-ignore", "--no-index", "-z", "--stdin", stdin=asked)
    ignored = {path.rstrip("/") for path in answer.split("\0") if path}
    return {path for path in files
            if not any("/".join(path.split("/")[:depth]) in ignored
                       for depth in range(1, path.count("/") + 2))}


def test_the_scan_keeps_what_git_keeps(tmp_path: Path) -> None:
    webapp = make_tree(tmp_path)

    by_check_ignore = kept_by_check_ignore(webapp)
    listed = git(webapp, "ls-files", "--others", "--exclude-standard", "-z")
    by_ls_files = {path for path in listed.split("\0") if path}
    scanned = scan_tree(webapp, outer_ignores=outer_ignore_files(webapp)).files

    assert by_check_ignore == by_ls_files  # the oracle agrees with itself
    assert set(scanned) - by_ls_files == set(), "kept, but git ignores them"
    assert by_ls_files - set(scanned) == set(), "left out, but git keeps them"
    # the tricky rules are in play: some of each kind kept and left out
    assert {"keep.log", "escaped", "leading.txt", "a/keep/h/i.js", "lib.a", "sub/important.log",
            "sub/deeper/y.txt", "src/index.js", "#other.txt", "docs/a.tmp"} <= by_ls_files
    assert {"app.log", "#hash.txt", "escaped ", " leading.txt", "a/other/j.js", "trailing.txt",
            "deep/p/x/y.js", "middle/p/q/end/e.js", "sub/deeper/z.txt", "generated/g.js",
            "generated/but-this.js", "docs/secret/s.md"}.isdisjoint(by_ls_files)
