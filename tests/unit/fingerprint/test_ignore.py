"""What the scan leaves out: .gitignore rules (in the tree, nested, and in the folders above it
up to the repository's root), as git decides them."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.fingerprint.ignore import (
    IgnoreFile,
    outer_ignore_files,
    outer_ignore_paths,
    parse_rule,
)
from buildtools.fingerprint.scan import scan_tree
from support.files import make_tree


def digest(root: Path, **kwargs: object) -> str:
    return scan_tree(root, **kwargs).digest  # type: ignore[arg-type]


def test_gitignore_rules(tree: Path) -> None:
    (tree / ".gitignore").write_text("*.log\n/coverage/\nsrc/**/gen_*.js\n!keep.log\n")
    make_tree(tree, {"a.log": "1", "keep.log": "2", "coverage/lcov.info": "3",
                     "src/util/gen_a.js": "4", "src/sub/coverage/c.js": "5"})
    files = scan_tree(tree).files
    assert "a.log" not in files
    assert "keep.log" in files
    assert "coverage/lcov.info" not in files
    assert "src/util/gen_a.js" not in files
    assert "src/sub/coverage/c.js" in files  # "/coverage/" is anchored to the root
    before = digest(tree)
    (tree / "a.log").write_text("ignored change")
    assert digest(tree) == before


def test_nested_gitignore_applies_to_its_folder(tree: Path) -> None:
    make_tree(tree, {"src/.gitignore": "*.tmp\n", "src/a.tmp": "1", "b.tmp": "2"})
    files = scan_tree(tree).files
    assert "src/a.tmp" not in files and "b.tmp" in files


@pytest.mark.parametrize(
    ("rule", "path", "is_dir", "ignored"),
    [
        ("*.log", "a/b.log", False, True),
        ("/build", "build", True, True),
        ("/build", "src/build", True, None),
        ("build/", "build", False, None),
        ("build/", "x/build", True, True),
        ("doc/*.txt", "doc/a.txt", False, True),
        ("doc/*.txt", "doc/sub/a.txt", False, None),
        ("**/foo", "a/b/foo", False, True),
        ("a/**/b", "a/x/y/b", False, True),
        ("a/**/b", "a/b", False, True),
        ("file[0-9].js", "file7.js", False, True),
        ("\\#hash", "#hash", False, True),
        ("!keep", "keep", False, False),
    ],
)
def test_ignore_rules(rule: str, path: str, is_dir: bool, ignored: bool | None) -> None:
    parsed = parse_rule(rule)
    assert parsed is not None
    assert IgnoreFile([parsed]).decide(path, is_dir) is ignored


def test_gitignore_files_above_the_tree_apply_as_in_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    webapp = repo / "tasks" / "webapp"
    make_tree(webapp, {"src/a.js": "a", ".turbo/log": "t", "coverage/c": "c", "keep.txt": "k"})
    (repo / ".git").mkdir()
    # /tasks/ would ignore the whole tree in git: the tree we were pointed at is kept
    (repo / ".gitignore").write_text(".turbo/\n/tasks/webapp/coverage/\n/tasks/\n")
    (repo / "tasks" / ".gitignore").write_text("keep.txt\n")
    assert outer_ignore_paths(webapp) == [repo / ".gitignore", repo / "tasks" / ".gitignore"]
    files = scan_tree(webapp, outer_ignores=outer_ignore_files(webapp)).files
    assert sorted(files) == ["src/a.js"]
    (webapp / ".gitignore").write_text("!keep.txt\n")  # the deepest file decides
    files = scan_tree(webapp, outer_ignores=outer_ignore_files(webapp)).files
    assert sorted(files) == [".gitignore", "keep.txt", "src/a.js"]


def test_no_outer_gitignore_outside_a_repository(tmp_path: Path) -> None:
    (tmp_path / "webapp").mkdir()
    (tmp_path / ".gitignore").write_text("*\n")
    assert outer_ignore_paths(tmp_path / "webapp") == []


