"""The nodeenv download, without downloading: mirror settings, its error line, stale staging
folders. (Real nodeenv runs from a local mirror: tests/integration/test_node.py.)"""

from __future__ import annotations

import os
from pathlib import Path

from buildtools.node import nodeenv as nodeenv_download


def test_mirror_forms() -> None:
    normalise = nodeenv_download._normalise_mirror
    assert normalise("") is None
    assert normalise("  ") is None
    assert normalise("https://npmmirror.com/mirrors/node/") == "https://npmmirror.com/mirrors/node"
    assert normalise("file:///srv/node") == "file:///srv/node"
    assert normalise("/srv/node/") == "file:///srv/node"


def test_nodeenv_error_line() -> None:
    pick = nodeenv_download._nodeenv_error
    assert (
        pick(
            [
                " * Install prebuilt node (20.99.0) .",
                "Error: cannot download http://m/v20.99.0/x.tar.gz: HTTP 404 File not found",
                "Error: there is no prebuilt node.js 20.99.0 for linux-x86_64",
                'Error: check "nodeenv --list" for the available versions, or build from source',
                "",
            ]
        )
        == "cannot download http://m/v20.99.0/x.tar.gz: HTTP 404 File not found"
    )
    assert pick(["something", "went wrong", ""]) == "went wrong"
    assert pick([]) == "no output"


def test_stale_staging_folders_are_removed(tmp_path: Path) -> None:
    parent = tmp_path / "nodeenv"
    stale = parent / ".20.1.0.tmp-old"
    fresh = parent / ".20.1.0.tmp-running"
    other = parent / ".22.0.0.tmp-old"
    for folder in (stale, fresh, other):
        folder.mkdir(parents=True)
    os.utime(stale, (1, 1))
    os.utime(other, (1, 1))
    nodeenv_download._remove_stale_staging(parent / "20.1.0")
    assert not stale.exists()
    assert fresh.exists()
    assert other.exists()
