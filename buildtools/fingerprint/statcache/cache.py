"""The stat cache a scan reads and updates, kept in the state folder between runs.

Like git's index: ctime is compared too (a tool that writes a file and then puts its old mtime
back still moves ctime), and a file modified within the racy window of the scan is kept with
an mtime of -1, which matches nothing, so that it is read again next time.
"""

from __future__ import annotations

from array import array
from pathlib import Path

from buildtools.fingerprint.manifest import FolderScan
from buildtools.fingerprint.statcache.file import read_folders, write_folders
from buildtools.util import atomic


class StatCache:
    """relative folder -> its FolderScan (see buildtools.fingerprint.manifest)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.folders: dict[str, FolderScan] = {}
        self.dirty = False
        if path is not None:
            self.folders = _load(path)

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        with atomic.replacing(self.path) as handle:
            write_folders(handle, self.folders.values())
        self.dirty = False


def without_racy(folder: FolderScan, racy_after: int) -> FolderScan:
    """The folder as the cache keeps it: a file modified at or after `racy_after` gets an
    mtime of -1, so that its signature matches nothing and it is read again next time."""
    sigs = array("q")
    sigs.frombytes(folder[2])
    mtimes = sigs[1::4]
    if not mtimes or max(mtimes) < racy_after:
        return folder
    for index, mtime in enumerate(mtimes):
        if mtime >= racy_after:
            sigs[index * 4 + 1] = -1
    return (folder[0], folder[1], sigs.tobytes(), folder[3], folder[4])


def _load(path: Path) -> dict[str, FolderScan]:
    """The folders of the cache file; nothing when it is missing, of another format, or
    damaged anywhere (a cache only saves work: when in doubt, read the files again)."""
    try:
        return {folder[0]: folder for folder in read_folders(str(path))}
    except (OSError, ValueError, EOFError, TypeError):
        return {}
