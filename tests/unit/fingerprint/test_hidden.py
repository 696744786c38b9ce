"""Which files a scan of a tree would not see come (a gitignored .env.local that webpack's
`dotenv` looked for), decided as the scan decides (tests/unit/fingerprint/test_scan.py)."""

from __future__ import annotations

from pathlib import Path

from buildtools.fingerprint.hidden import hidden_from_scan
from buildtools.fingerprint.ignore import IgnoreFile, OuterIgnoreFile
from buildtools.fingerprint.scan import scan_tree


def test_what_gitignore_or_a_name_hides_and_nothing_else(tmp_path: Path) -> None:
    tree = tmp_path / "webapp"
    (tree / "env").mkdir(parents=True)
    (tree / ".gitignore").write_text("*.local\nsecret/\n")
    (tree / "env" / ".gitignore").write_text("!keep.local\n")
    (tree / "linked").symlink_to(tmp_path)
    paths = [".env.local", "env/.env.local", "env/keep.local", "env/.env.production",
             "src/new.js", "secret/x.js", "node_modules/x/index.js", "linked/x.js",
             "src/deep/er/.env.local"]
    hidden = hidden_from_scan(tree, paths, [])
    assert hidden == [".env.local", "env/.env.local", "secret/x.js", "node_modules/x/index.js",
                      "linked/x.js", "src/deep/er/.env.local"]
    for path in paths:  # what the scan sees once the files are there
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text("x")
    seen = set(scan_tree(tree).files)
    assert [path for path in paths if path not in seen] == hidden


def test_the_gitignore_of_a_folder_above_the_tree(tmp_path: Path) -> None:
    parsed = IgnoreFile.parse(b"webapp/env/*.local\n")
    assert parsed is not None
    outer = OuterIgnoreFile(parsed.rules, "webapp/")
    tree = tmp_path / "webapp"
    tree.mkdir()
    assert hidden_from_scan(tree, ["env/.env.local", ".env.local"], [outer]) == [
        "env/.env.local"]
