"""The stat cache: a file whose stat signature is unchanged is not read again, unless it was
modified within the racy window of the scan that cached it; a damaged cache is not used."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from buildtools.fingerprint import scan
from buildtools.fingerprint.scan import scan_tree
from buildtools.fingerprint.statcache.cache import StatCache
from support.files import age, make_tree, plain_manifest


def spy_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the scan reads from now on (their paths, in order)."""
    reads: list[str] = []
    real = scan.read_at

    def spy(name: str, folder_fd: int, folder: str) -> object:
        found = real(name, folder_fd, folder)
        if found is not None:
            reads.append(name)
        return found

    monkeypatch.setattr(scan, "read_at", spy)
    return reads


def cached_scan(tree: Path, cache_path: Path) -> str:
    """Scan `tree` with the stat cache at `cache_path`, save the cache; the digest."""
    cache = StatCache(cache_path)
    digest = scan_tree(tree, cache=cache).digest
    cache.save()
    return digest


def test_stat_cache_avoids_rereading(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_path = tree.parent / "c.marshal"
    age(tree)
    first = cached_scan(tree, cache_path)
    reads = spy_reads(monkeypatch)
    second = scan_tree(tree, cache=StatCache(cache_path))
    assert second.digest == first
    assert reads == []
    (tree / "src/App.jsx").write_text("new content\n")
    scan_tree(tree, cache=StatCache(cache_path))
    assert [Path(p).name for p in reads] == ["App.jsx"]


def test_a_file_modified_within_the_racy_window_is_read_again(
        tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file modified just before a scan may change again within the same mtime tick without
    its stat signature moving ("racy git"): the cache must not vouch for it, so the next scan
    reads it again though its signature is unchanged; an older file it does not read."""
    cache_path = tree.parent / "c.marshal"
    age(tree)
    now = time.time_ns()
    os.utime(tree / "src/App.jsx", ns=(now, now))  # within the window of the scan below
    first = cached_scan(tree, cache_path)
    reads = spy_reads(monkeypatch)
    assert scan_tree(tree, cache=StatCache(cache_path)).digest == first
    assert [Path(p).name for p in reads] == ["App.jsx"]


def test_a_same_size_edit_with_the_old_mtime_put_back_is_seen(tree: Path) -> None:
    """A tool that writes a file and puts its old mtime back still moves its ctime, which the
    stat signature holds."""
    cache_path = tree.parent / "c.marshal"
    target = tree / "src/App.jsx"
    age(tree)
    before = cached_scan(tree, cache_path)
    stat = target.stat()
    target.write_text("export default 9\n")  # same size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert scan_tree(tree, cache=StatCache(cache_path)).digest != before


def test_cold_and_warm_scans_agree_after_edits(tmp_path: Path) -> None:
    make_tree(tmp_path, {f"d{folder}/f{index}.js": f"{folder} {index}"
                         for folder in range(4) for index in range(6)})
    age(tmp_path)
    cache_path = tmp_path.parent / "warm.marshal"
    cached_scan(tmp_path, cache_path)
    (tmp_path / "d1" / "f2.js").write_text("edited")
    (tmp_path / "d2" / "f0.js").unlink()
    (tmp_path / "d3" / "new.js").write_text("new")
    (tmp_path / "d4").mkdir()
    warm = scan_tree(tmp_path, cache=StatCache(cache_path))
    cold = scan_tree(tmp_path)
    assert warm.digest == cold.digest
    assert warm.files == cold.files == plain_manifest(tmp_path)


def test_a_damaged_stat_cache_is_not_used(tmp_path: Path) -> None:
    make_tree(tmp_path / "tree", {"a.js": "1", "sub/b.js": "2"})
    tree = tmp_path / "tree"
    age(tree)
    cache_path = tmp_path / "c.marshal"
    expected = cached_scan(tree, cache_path)
    data = cache_path.read_bytes()
    for damaged in (data[:-3], data[:10], b"junk", data.replace(b"a.js", b"x.js")):
        cache_path.write_bytes(damaged)
        assert scan_tree(tree, cache=StatCache(cache_path)).digest == expected


