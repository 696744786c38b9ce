"""Did the content of a tree change since its last scan? A quick, one-sided answer from the
tree's stat cache, for buildtools.core.early, which must decide before the core is imported
(this module imports os, struct and the cache file's reader; xxhash only for a file whose
signature moved).

True means some file the last scan saw is gone or holds other bytes; False means none is and
none does (files added since are not looked for); None means the cache cannot tell (missing,
damaged, of another format, or listing more than `limit` files: then statting them all again
would cost more than the answer saves). This decides no freshness: the check does.
"""

from __future__ import annotations

import os
import struct

from buildtools.fingerprint.statcache.file import HEX, read_folders


def content_changed(cache_file: str, root: str, limit: int) -> bool | None:
    try:
        count = 0
        for prefix, joined, packed, hashes, links in read_folders(cache_file):
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
