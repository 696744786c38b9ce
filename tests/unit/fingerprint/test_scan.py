"""Fingerprints: what changes the digest and what must not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from buildtools.fingerprint.ignore import IgnoreFile, parse_rule
from buildtools.fingerprint.manifest import diff
from buildtools.fingerprint.scan import scan_tree
from buildtools.fingerprint.statcache.cache import StatCache


def make_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    make_tree(tmp_path, {
        "package.json": "{}",
        "src/App.jsx": "export default 1\n",
        "src/util/x.js": "x\n",
        "node_modules/react/index.js": "react\n",
        "dist/index.html": "<html>\n",
    })
    return tmp_path


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


def test_stat_cache_avoids_rereading(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_path = tree.parent / "c.marshal"
    old = 1_600_000_000_000_000_000  # an mtime far in the past: outside the racy window
    for path in tree.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(old, old))
    cache = StatCache(cache_path)
    first = scan_tree(tree, cache=cache)
    cache.save()
    reads: list[str] = []
    import buildtools.fingerprint.scan as fingerprint

    real = fingerprint.read_at

    def spy(name: str, folder_fd: int, folder: str) -> object:
        found = real(name, folder_fd, folder)
        if found is not None:
            reads.append(name)
        return found

    monkeypatch.setattr(fingerprint, "read_at", spy)
    second = scan_tree(tree, cache=StatCache(cache_path))
    assert second.digest == first.digest
    assert reads == []
    (tree / "src/App.jsx").write_text("new content\n")
    scan_tree(tree, cache=StatCache(cache_path))
    assert [Path(p).name for p in reads] == ["App.jsx"]


def test_same_size_same_mtime_edit_within_racy_window_is_seen(tree: Path) -> None:
    cache_path = tree.parent / "c.marshal"
    target = tree / "src/App.jsx"
    cache = StatCache(cache_path)
    before = scan_tree(tree, cache=cache).digest
    cache.save()
    stat = target.stat()
    target.write_text("export default 9\n")  # same size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert scan_tree(tree, cache=StatCache(cache_path)).digest != before


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
    from buildtools.fingerprint.ignore import outer_ignore_files, outer_ignore_paths

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
    from buildtools.fingerprint.ignore import outer_ignore_paths

    (tmp_path / "webapp").mkdir()
    (tmp_path / ".gitignore").write_text("*\n")
    assert outer_ignore_paths(tmp_path / "webapp") == []


def independent_manifest(root: Path) -> dict[str, tuple[int, str]]:
    """The manifest as a plain walk sees it (a tree with no .gitignore and no node_modules)."""
    import xxhash

    files: dict[str, tuple[int, str]] = {}
    for folder, subfolders, names in os.walk(root):
        for name in [*names, *(sub for sub in subfolders if Path(folder, sub).is_symlink())]:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = os.fsencode(os.readlink(path))
                files[relative] = (-1, xxhash.xxh3_128_hexdigest(target))
            else:
                content = path.read_bytes()
                files[relative] = (len(content), xxhash.xxh3_128_hexdigest(content))
    return files


def test_digest_is_the_manifest_digest_in_path_order(tmp_path: Path) -> None:
    from buildtools.fingerprint.manifest import manifest_digest

    # Names that sort differently as names and as paths: "a-b.js" < "a.js" < "a/..." < "a0.js"
    make_tree(tmp_path, {"a.js": "1", "a/x.js": "22", "a/b/c.js": "333", "a0.js": "4",
                         "a-b.js": "5", "b/z.js": "6", "B.js": "7", "a/b.js": "8",
                         "big.bin": "x" * (3 << 20), "empty": ""})
    (tmp_path / "link").symlink_to("a/x.js")
    (tmp_path / "a" / "dirlink").symlink_to("b")
    expected = independent_manifest(tmp_path)
    manifest = scan_tree(tmp_path)
    assert manifest.files == expected
    assert len(manifest) == len(expected) == 12
    assert manifest.digest == manifest_digest(expected)


def test_cold_and_warm_scans_agree_after_edits(tmp_path: Path) -> None:
    make_tree(tmp_path, {f"d{folder}/f{index}.js": f"{folder} {index}"
                         for folder in range(4) for index in range(6)})
    old = 1_600_000_000_000_000_000
    for path in tmp_path.rglob("*"):
        os.utime(path, ns=(old, old))
    cache_path = tmp_path.parent / "warm.marshal"
    cache = StatCache(cache_path)
    scan_tree(tmp_path, cache=cache)
    cache.save()
    (tmp_path / "d1" / "f2.js").write_text("edited")
    (tmp_path / "d2" / "f0.js").unlink()
    (tmp_path / "d3" / "new.js").write_text("new")
    (tmp_path / "d4").mkdir()
    warm = scan_tree(tmp_path, cache=StatCache(cache_path))
    cold = scan_tree(tmp_path)
    assert warm.digest == cold.digest
    assert warm.files == cold.files == independent_manifest(tmp_path)


def test_a_damaged_stat_cache_is_not_used(tmp_path: Path) -> None:
    make_tree(tmp_path / "tree", {"a.js": "1", "sub/b.js": "2"})
    tree = tmp_path / "tree"
    old = 1_600_000_000_000_000_000
    for path in tree.rglob("*"):
        os.utime(path, ns=(old, old))
    cache_path = tmp_path / "c.marshal"
    cache = StatCache(cache_path)
    expected = scan_tree(tree, cache=cache).digest
    cache.save()
    data = cache_path.read_bytes()
    for damaged in (data[:-3], data[:10], b"junk", data.replace(b"a.js", b"x.js")):
        cache_path.write_bytes(damaged)
        assert scan_tree(tree, cache=StatCache(cache_path)).digest == expected


def test_an_unreadable_file_is_one_clear_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from buildtools.errors import UserError

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
