"""Fingerprints: what changes the digest and what must not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from buildtools.errors import UserError
from buildtools.fingerprint.manifest import diff, manifest_digest
from buildtools.fingerprint.scan import scan_tree
from buildtools.fingerprint.statcache.cache import StatCache
from support.files import make_tree, plain_manifest


def digest(root: Path, **kwargs: object) -> str:
    return scan_tree(root, **kwargs).digest  # type: ignore[arg-type]


def test_content_change_changes_digest(tree: Path) -> None:
    before = digest(tree)
    (tree / "src/App.jsx").write_text("export default 2\n")
    assert digest(tree) != before


def test_touch_does_not_change_digest(tree: Path) -> None:
    cache = StatCache(tree.parent / "cache.marshal")
    before = scan_tree(tree, cache=cache).digest
    cache.save()
    stat = (tree / "src/App.jsx").stat()
    os.utime(tree / "src/App.jsx", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    after = scan_tree(tree, cache=StatCache(tree.parent / "cache.marshal"))
    assert after.digest == before


def test_rename_and_delete_change_digest(tree: Path) -> None:
    before = scan_tree(tree)
    (tree / "src/util/x.js").rename(tree / "src/util/y.js")
    renamed = scan_tree(tree)
    assert renamed.digest != before.digest
    changes = diff(before.files, renamed.files)
    assert changes.added == ["src/util/y.js"] and changes.removed == ["src/util/x.js"]
    (tree / "src/util/y.js").unlink()
    assert scan_tree(tree).digest not in (before.digest, renamed.digest)


def test_node_modules_and_excluded_output_are_ignored(tree: Path) -> None:
    before = digest(tree, exclude=["dist"])
    (tree / "node_modules/react/index.js").write_text("changed\n")
    (tree / "dist/index.html").write_text("changed\n")
    assert digest(tree, exclude=["dist"]) == before
    assert "dist/index.html" not in scan_tree(tree, exclude=["dist"]).files


def test_staging_folders_left_by_a_killed_run_are_not_sources(tree: Path) -> None:
    before = scan_tree(tree, exclude=["dist"])
    make_tree(tree, {".dist.tmp-k2j4x9q1/index.html": "half a build\n",
                     "src/.util.old-4242/x.js": "old\n"})
    after = scan_tree(tree, exclude=["dist"])
    assert after.digest == before.digest and after.files == before.files
    make_tree(tree, {".tmp-notes/a.txt": "a folder of the user's\n"})
    assert ".tmp-notes/a.txt" in scan_tree(tree, exclude=["dist"]).files


def test_symlinks_are_hashed_by_target_and_not_followed(tree: Path, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    (tree / "link").symlink_to(outside)
    (tree / "file_link").symlink_to("src/App.jsx")
    files = scan_tree(tree).files
    assert "link" in files and files["link"][0] == -1
    assert not any(name.startswith("link/") for name in files)
    before = digest(tree)
    (tree / "file_link").unlink()
    (tree / "file_link").symlink_to("src/util/x.js")
    assert digest(tree) != before


def test_unicode_names(tree: Path) -> None:
    make_tree(tree, {"src/données/émoji_😀.js": "1", "src/中文.css": "2"})
    files = scan_tree(tree).files
    assert "src/données/émoji_😀.js" in files and "src/中文.css" in files
    before = digest(tree)
    (tree / "src/中文.css").write_text("3")
    assert digest(tree) != before


def test_digest_is_the_manifest_digest_in_path_order(tmp_path: Path) -> None:
    # Names that sort differently as names and as paths: "a-b.js" < "a.js" < "a/..." < "a0.js"
    make_tree(tmp_path, {"a.js": "1", "a/x.js": "22", "a/b/c.js": "333", "a0.js": "4",
                         "a-b.js": "5", "b/z.js": "6", "B.js": "7", "a/b.js": "8",
                         "big.bin": "x" * (3 << 20), "empty": ""})
    (tmp_path / "link").symlink_to("a/x.js")
    (tmp_path / "a" / "dirlink").symlink_to("b")
    expected = plain_manifest(tmp_path)
    manifest = scan_tree(tmp_path)
    assert manifest.files == expected
    assert len(manifest) == len(expected) == 12
    assert manifest.digest == manifest_digest(expected)


def test_an_unreadable_file_is_one_clear_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {"src/secret.js": "x"})
    real_open = os.open

    def refusing(path: str, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if path == "secret.js":
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", refusing)
    with pytest.raises(UserError, match=r"cannot read .*src/secret.js: Permission denied"):
        scan_tree(tmp_path)


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    make_tree(tmp_path, {"a.js": "1"})
    os.mkfifo(tmp_path / "pipe")
    assert sorted(scan_tree(tmp_path).files) == ["a.js"]
