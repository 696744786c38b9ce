"""The recall point's file: what buildtools.core.recall.keep writes and buildtools.core.recall
.answer reads, in <state>/recall/<name>.marshal (marshal: no import costs less to load)."""

from __future__ import annotations

import marshal
import os
import stat

import xxhash

from buildtools.core.record import load_tuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = 1
FOLDER = "recall"
KEPT = 8  # points kept per project, the least recently used dropped first
# Fields: (FORMAT, the record (core.record's tuple), {path: hash} of the record's lstat paths
# that are files, the same for its followed paths, [(hashes end to end, symlink names joined
# by "/", the digest of its listing)] for each of the record's trees, {path: bytes} of the
# state files put back, [(final folder, entry part folder, {relative path: [size, hash] or
# ["link", target]})], the entry folder, ([(stage, detail)] up to date before the cache
# answers, [(stage, line)] of the restore))
FIELDS = 9
# A signature no stat gives: the file is hashed again before it counts as unchanged
UNSURE = (-2, -2, -2, -2)
HASH_LIMIT = 8 << 20  # a larger file (a node binary) is not hashed: its signature must hold


def folder(state: str) -> str:
    return os.path.join(state, FOLDER)


def newest_first(state: str) -> list[str]:
    """The points of the project, the most recently written or used first."""
    where = folder(state)
    try:
        with os.scandir(where) as listing:
            found = [(entry.stat().st_mtime_ns, entry.path) for entry in listing
                     if entry.name.endswith(".marshal")]
    except OSError:
        return []
    return [path for _mtime, path in sorted(found, reverse=True)]


def load(path: str) -> tuple[Any, ...] | None:
    return load_tuple(path, FIELDS, FORMAT)


def save(path: str, point: tuple[Any, ...]) -> None:
    """Write a point (or a record) in one step, a temporary file renamed into place; a write
    that fails leaves what was there."""
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as handle:
            marshal.dump(point, handle)
        os.replace(temporary, path)
    except OSError:
        try:  # noqa: SIM105 (contextlib is an import the fast path does without)
            os.unlink(temporary)
        except OSError:
            pass


def drop_beyond(state: str, kept: int = KEPT) -> None:
    for path in newest_first(state)[kept:]:
        try:  # noqa: SIM105
            os.unlink(path)
        except OSError:
            pass


def listing_digest(folder: str) -> str:
    """A digest of the names in a folder; "" when it cannot be listed. Nothing is left out:
    what a check keeps of a listing is decided by what is in it. (An entry that changes kind
    under the same name moves its own signature, which the point checks too.)"""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return ""
    return xxhash.xxh3_128_hexdigest("\0".join(names).encode("utf-8", "surrogateescape"))


def content_hash(path: str, follow: bool) -> str | None:
    """The hash the scans give a file (xxh3_128 of its content) or a symlink ("L" and the hash
    of its target); None when it is neither, or larger than HASH_LIMIT."""
    try:
        info = os.stat(path, follow_symlinks=follow)
        if stat.S_ISLNK(info.st_mode):
            return "L" + xxhash.xxh3_128_hexdigest(os.fsencode(os.readlink(path)))
        if not stat.S_ISREG(info.st_mode) or info.st_size > HASH_LIMIT:
            return None
        with open(path, "rb") as handle:
            return xxhash.xxh3_128_hexdigest(handle.read())
    except OSError:
        return None
