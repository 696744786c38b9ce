"""The stat cache file: a header, then one marshal record per folder, written and read one
folder at a time (the cache of 100,000 files never exists twice in memory). This is the one
reader and the one writer of the format; it imports marshal and nothing else at run time (the
probe reads it before the core is imported)."""

from __future__ import annotations

import marshal

TYPE_CHECKING = False  # typing is an import this module does without at run time
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import BinaryIO

# <state>/statcache-<tree>.marshal: a header, then one record per folder (FolderScan); a file's
# signature packs size, mtime_ns, inode and ctime_ns as four int64s, its hash is xxh3_128 in hex
FORMAT = ("buildtools-statcache", 3)  # 3: one record per folder, packed
SIG_BYTES = 32
HEX = 32
# One folder of a scanned tree, its files in name order: (its path relative to the tree, ""
# or ending in "/"; their names joined by "/"; their packed signatures; their hashes, end to
# end; the names of those that are symlinks, joined by "/")
FolderScan = tuple[str, str, bytes, str, str]


def file_name(tree: str) -> str:
    """The stat cache file of a tree, in the state folder."""
    return f"statcache-{tree}.marshal"


def read_folders(path: str) -> Iterator[FolderScan]:
    """Each folder of a stat cache file, in order (see buildtools.fingerprint.manifest's
    FolderScan). Raises ValueError for a file of another format or a damaged record, OSError
    when it cannot be read."""
    with open(path, "rb") as handle:
        if marshal.load(handle) != FORMAT:
            raise ValueError(f"{path}: not a stat cache of this format")
        while handle.peek(1):
            folder = marshal.load(handle)
            if not _well_formed(folder):
                raise ValueError(f"{path}: a damaged folder record")
            yield folder


def write_folders(handle: BinaryIO, folders: Iterable[FolderScan]) -> None:
    """The header, then each folder: what read_folders reads back."""
    marshal.dump(FORMAT, handle)
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
