"""The stat cache file: a header, then one marshal record per folder, written and read one
folder at a time (the cache of 100,000 files never exists twice in memory). This is the one
reader and the one writer of the format; it imports marshal and nothing else at run time (the
probe reads it before the core is imported)."""

from __future__ import annotations

import marshal

from buildtools.layout import HEX, SIG_BYTES, STATCACHE_FORMAT

TYPE_CHECKING = False  # typing is an import this module does without at run time
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import BinaryIO

    from buildtools.fingerprint.manifest import FolderScan


def read_folders(path: str) -> Iterator[FolderScan]:
    """Each folder of a stat cache file, in order (see buildtools.fingerprint.manifest's
    FolderScan). Raises ValueError for a file of another format or a damaged record, OSError
    when it cannot be read."""
    with open(path, "rb") as handle:
        if marshal.load(handle) != STATCACHE_FORMAT:
            raise ValueError(f"{path}: not a stat cache of this format")
        while handle.peek(1):
            folder = marshal.load(handle)
            if not _well_formed(folder):
                raise ValueError(f"{path}: a damaged folder record")
            yield folder


def write_folders(handle: BinaryIO, folders: Iterable[FolderScan]) -> None:
    """The header, then each folder: what read_folders reads back."""
    marshal.dump(STATCACHE_FORMAT, handle)
    for folder in folders:
        marshal.dump(folder, handle)


def _well_formed(folder: object) -> bool:
    if not (isinstance(folder, tuple) and len(folder) == 5):
        return False
    prefix, joined, packed, hashes, links = folder
    if not (isinstance(prefix, str) and isinstance(joined, str) and isinstance(packed, bytes)
            and isinstance(hashes, str) and isinstance(links, str)):
        return False
    count = len(joined.split("/")) if joined else 0
    return len(packed) == count * SIG_BYTES and len(hashes) == count * HEX
