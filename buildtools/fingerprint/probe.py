"""Did the content of a tree change since its last scan? A quick, one-sided answer from the
tree's stat cache, for buildtools.core.early, which must decide before the core is imported
(this module imports os, marshal and struct; xxhash only for a file whose signature moved).

True means some file the last scan saw is gone or holds other bytes; False means none is and
none does (files added since are not looked for); None means the cache cannot tell (missing,
damaged, of another format, or listing more than `limit` files: then statting them all again
would cost more than the answer saves). This decides no freshness: the check does.

cache_folders() reads the stat cache file for buildtools.fingerprint.statcache too: the one
reader of its format.
"""

from __future__ import annotations

import marshal
import os
import struct

from buildtools.layout import HEX, SIG_BYTES, STATCACHE_FORMAT

TYPE_CHECKING = False  # typing is an import this module does without at run time
if TYPE_CHECKING:
    from collections.abc import Iterator

    from buildtools.fingerprint.manifest import FolderScan


def cache_folders(path: str) -> Iterator[FolderScan]:
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


def _well_formed(folder: object) -> bool:
    if not (isinstance(folder, tuple) and len(folder) == 5):
        return False
    prefix, joined, packed, hashes, links = folder
    if not (isinstance(prefix, str) and isinstance(joined, str) and isinstance(packed, bytes)
            and isinstance(hashes, str) and isinstance(links, str)):
        return False
    count = len(joined.split("/")) if joined else 0
    return len(packed) == count * SIG_BYTES and len(hashes) == count * HEX


def content_changed(cache_file: str, root: str, limit: int) -> bool | None:
    try:
        count = 0
        for prefix, joined, packed, hashes, links in cache_folders(cache_file):
            names = joined.split("/") if joined else []
            count += len(names)
            if count > limit:
                return None
            if _folder_changed(os.path.join(root, prefix), names, packed, hashes,
                               set(links.split("/")) if links else set()):
                return True
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return False


def _folder_changed(folder: str, names: list[str], packed: bytes, hashes: str,
                    links: set[str]) -> bool:
    signatures = struct.unpack(f"{len(names) * 4}q", packed)
    for index, name in enumerate(names):
        path = os.path.join(folder, name)
        try:
            info = os.stat(path, follow_symlinks=False)
        except OSError:
            return True
        if (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns) == \
                signatures[index * 4:index * 4 + 4]:
            continue
        # touched, or too recent for the last scan to vouch for: compare the bytes
        import xxhash

        try:
            content = os.fsencode(os.readlink(path)) if name in links else _read(path)
        except OSError:
            return True
        if xxhash.xxh3_128_hexdigest(content) != hashes[index * HEX:(index + 1) * HEX]:
            return True
    return False


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
