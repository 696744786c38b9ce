"""scan_tree's progress and observations. (The no-op record built on them:
tests/integration/test_record.py.)"""

from __future__ import annotations

import os
from pathlib import Path

from buildtools.core.events import HashProgress
from buildtools.fingerprint.scan import Observed, scan_tree
from buildtools.fingerprint.statcache.cache import StatCache
from buildtools.ui.terminal import Reporter


def test_progress_is_told_per_folder_then_finished(tmp_path: Path) -> None:
    for index in range(5):
        (tmp_path / f"f{index}.js").write_text("x" * (index + 1))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "g.js").write_text("1234")
    calls: list[tuple[int, bool]] = []
    scan_tree(tmp_path, progress=lambda files, size, finished: calls.append((files, finished)))
    # once per folder that had files to read (not per file), then once more to finish
    assert calls == [(5, False), (6, False), (6, True)]
    cache = StatCache(tmp_path.parent / "c.marshal")
    old = 1_600_000_000_000_000_000
    for path in tmp_path.rglob("*"):
        os.utime(path, ns=(old, old))
    scan_tree(tmp_path, cache=cache)
    calls.clear()
    scan_tree(tmp_path, cache=cache, progress=lambda *args: calls.append(args))
    assert calls == []  # nothing to hash: no progress at all


def test_progress_bar_draws_nothing_off_a_terminal(tmp_path: Path) -> None:
    import io

    err = io.StringIO()
    bar = HashProgress(Reporter(out=io.StringIO(), err=err), "webapp")
    for index in range(1, 4):
        bar(index, index * 10, False)
    bar(3, 30, True)
    assert err.getvalue() == ""


def test_observe_records_folders_before_their_entries(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.js").write_text("a")
    (tmp_path / ".gitignore").write_text("ignored.log\n")
    (tmp_path / "ignored.log").write_text("x")
    observed: list[Observed] = []
    scan_tree(tmp_path, observe=observed)
    by_folder = {Path(folder).name: names for folder, _sig, names, _sigs in observed}
    assert by_folder[tmp_path.name] == ".gitignore"  # not the ignored file
    assert by_folder["src"] == "a.js"
