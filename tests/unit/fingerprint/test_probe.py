"""fingerprint.statcache.probe: has a tree changed since the scan that left its stat cache?"""

from __future__ import annotations

import os
from pathlib import Path

from buildtools.fingerprint.scan import scan_tree
from buildtools.fingerprint.statcache.cache import StatCache
from buildtools.fingerprint.statcache.probe import content_changed

LONG_AGO = 1_600_000_000  # a time far outside the racy window


def scanned(root: Path, *, settled: bool = True) -> str:
    """The tree in `root` (two files, a link), scanned into a stat cache; `settled`: its files
    are old enough for the cache to vouch for them."""
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.js").write_text("a")
    (root / "index.html").write_text("<p>")
    (root / "src" / "link.js").symlink_to("a.js")
    if settled:
        for path in (root / "src" / "a.js", root / "index.html"):
            os.utime(path, (LONG_AGO, LONG_AGO))
    cache_file = root.parent / "statcache-webapp.marshal"
    cache = StatCache(cache_file)
    scan_tree(root, cache=cache)
    cache.save()
    return str(cache_file)


def test_unchanged_touched_and_racy_files_are_no_change(tmp_path: Path) -> None:
    cache = scanned(tmp_path / "webapp")
    assert content_changed(cache, str(tmp_path / "webapp"), 100) is False
    os.utime(tmp_path / "webapp" / "src" / "a.js")  # touched: the same bytes
    assert content_changed(cache, str(tmp_path / "webapp"), 100) is False
    recent = scanned(tmp_path / "fresh" / "webapp", settled=False)  # mtimes the cache voids
    assert content_changed(recent, str(tmp_path / "fresh" / "webapp"), 100) is False


def test_an_edit_a_removal_or_a_new_link_target_is_a_change(tmp_path: Path) -> None:
    for change in ("edit", "remove", "relink"):
        root = tmp_path / change / "webapp"
        cache = scanned(root)
        if change == "edit":
            (root / "src" / "a.js").write_text("b")
        elif change == "remove":
            (root / "index.html").unlink()
        else:
            (root / "src" / "link.js").unlink()
            (root / "src" / "link.js").symlink_to("../index.html")
        assert content_changed(cache, str(root), 100) is True, change


def test_no_answer_without_a_usable_cache_or_beyond_the_limit(tmp_path: Path) -> None:
    root = tmp_path / "webapp"
    cache = scanned(root)
    assert content_changed(cache, str(root), 2) is None  # three files listed
    assert content_changed(str(tmp_path / "none.marshal"), str(root), 100) is None
    Path(cache).write_bytes(b"\x00damaged")
    assert content_changed(cache, str(root), 100) is None
