"""Does a recall point (buildtools.core.recall) hold now? Every signature it keeps is stated
again: one that moved counts only when the file's content hash is the one kept, or when it
is a state file or an output that the restore puts back. The signatures the record will
hold afterwards come out of the same pass."""

from __future__ import annotations

import os
import struct

from buildtools.core.recall.points import UNSURE, content_hash, listing_digest
from buildtools.fingerprint.racy import racy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Signature = tuple[int, int, int, int]

_MISSING = (-1, -1, -1, -1)


class Match:
    """A point that holds: what must be put back, and the signatures of the record to write
    (UNSURE for a file hashed within the racy window)."""

    def __init__(self, point: tuple[Any, ...], started_ns: int) -> None:
        self.point = point
        self.started_ns = started_ns
        self.outputs: list[str] = []  # the output folders that moved
        self.stamps: list[str] = []  # the stamps put back that hold another content now
        self.paths: list[int] = []
        self.followed: list[int] = []
        self.trees: list[tuple[str, Signature, str, bytes]] = []

    @property
    def restores(self) -> bool:
        """All or nothing: the outputs in place belong to the stamps in place (a build writes
        its stamp once its output is), so both come back together."""
        return bool(self.outputs or self.stamps)

    def settled(self, signature: Signature) -> Signature:
        return UNSURE if racy(signature[1], signature[3], self.started_ns) else signature


def matching(point: tuple[Any, ...], started_ns: int) -> Match | None:
    """The Match of `point` when it holds now, else None."""
    found = Match(point, started_ns)
    record = point[1]
    if not _paths_hold(found, record[4], record[5], point[2], False, found.paths):
        return None
    if not _paths_hold(found, record[6], record[7], point[3], True, found.followed):
        return None
    for tree, hashes in zip(record[8], point[4], strict=True):
        held = _tree_holds(found, tree, hashes)
        if held is None:
            return None
        found.trees.append(held)
    return found


def signature_of(path: str, follow: bool) -> Signature:
    try:
        info = os.stat(path, follow_symlinks=follow)
    except OSError:
        return _MISSING
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def _paths_hold(found: Match, joined: str, packed: bytes, hashes: dict[str, str],
                follow: bool, into: list[int]) -> bool:
    kept = struct.unpack(f"{len(packed) // 8}q", packed)
    outputs = {final for final, _part, _listing in found.point[6]}
    state_files: dict[str, bytes] = found.point[5]
    for index, path in enumerate(joined.split("\0") if joined else ()):
        was = kept[index * 4:index * 4 + 4]
        now = signature_of(path, follow)
        if now == was:
            into.extend(now)
        elif path in outputs:
            if path not in found.outputs:
                found.outputs.append(path)
            into.extend(now)  # taken again once the output is back
        elif path in state_files:
            if _read(path) != state_files[path] and path not in found.stamps:
                found.stamps.append(path)
            into.extend(found.settled(now))
        elif path in hashes and content_hash(path, follow) == hashes[path]:
            into.extend(found.settled(now))
        else:
            return False
    return True


def _tree_holds(found: Match, tree: tuple[str, Signature, str, bytes],
                hashes: tuple[str, str, str]) -> tuple[str, Signature, str, bytes] | None:
    """The tree's item for the record to write when it holds: the folder (or the path observed
    on its own) unchanged, or listing the same entries, or holding the same content."""
    folder, folder_sig, joined, packed = tree
    now = signature_of(folder, True)
    if now != tuple(folder_sig):
        if hashes[2] and listing_digest(folder) == hashes[2]:
            pass  # an entry changed in place, or came and went again
        elif joined or not hashes[0] or content_hash(folder, True) != hashes[0]:
            return None
        folder_sig = found.settled(now)
        tree = (folder, folder_sig, joined, packed)
    if not joined:  # one path observed on its own
        return tree
    names = joined.split("/")
    values: list[int] = []
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        for name in names:
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            values.extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
    except OSError:
        return None
    finally:
        os.close(fd)
    current = struct.pack(f"{len(values)}q", *values)
    if current == packed:
        return tree
    return _moved_entries(found, tree, hashes, values)


def _moved_entries(found: Match, tree: tuple[str, Signature, str, bytes],
                   hashes: tuple[str, str, str], values: list[int]
                   ) -> tuple[str, Signature, str, bytes] | None:
    folder, folder_sig, joined, packed = tree
    concatenated, links, _listing = hashes
    if not concatenated:
        return None
    linked = set(links.split("/")) if links else set()
    kept = struct.unpack(f"{len(packed) // 8}q", packed)
    for index, name in enumerate(joined.split("/")):
        now = tuple(values[index * 4:index * 4 + 4])
        if now == kept[index * 4:index * 4 + 4]:
            continue
        want = concatenated[index * 32:(index + 1) * 32]
        if name in linked:
            want = "L" + want
        if content_hash(os.path.join(folder, name), False) != want:
            return None
        values[index * 4:index * 4 + 4] = found.settled(now)  # type: ignore[arg-type]
    return (folder, folder_sig, joined, struct.pack(f"{len(values)}q", *values))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None
