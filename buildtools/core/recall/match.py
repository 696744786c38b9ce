"""Does a recall point (buildtools.core.recall) hold now? Every signature it keeps is stated
again: one that moved counts only when the file's content hash is the one kept, or when it
is a state file or an output that the restore puts back. The signatures the record will
hold afterwards come out of the same pass."""

from __future__ import annotations

import os
import struct
import time

from buildtools.core.recall.points import UNSURE, content_hash, listing_digest
from buildtools.fingerprint.racy import racy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    Signature = tuple[int, int, int, int]

_MISSING = (-1, -1, -1, -1)


class Looked:
    """What one pass over the points stated and hashed: the points of a project sign the same
    files, so each is stated once and hashed once whatever the number of points (a stat is
    taken before the hash it vouches for, as in a point's own order)."""

    def __init__(self) -> None:
        self.started_ns = time.time_ns()  # before any signature is taken
        self._signatures: dict[tuple[str, bool], Signature] = {}
        self._hashes: dict[tuple[str, bool], str | None] = {}
        self._entries: dict[tuple[str, str], list[int] | None] = {}
        self._listings: dict[str, str] = {}

    def signature(self, path: str, follow: bool) -> Signature:
        key = (path, follow)
        if key not in self._signatures:
            self._signatures[key] = signature_of(path, follow)
        return self._signatures[key]

    def content(self, path: str, follow: bool) -> str | None:
        key = (path, follow)
        if key not in self._hashes:
            self._hashes[key] = content_hash(path, follow)
        return self._hashes[key]

    def listing(self, folder: str) -> str:
        if folder not in self._listings:
            self._listings[folder] = listing_digest(folder)
        return self._listings[folder]

    def entries(self, folder: str, joined: str) -> list[int] | None:
        """The signatures of the entries `joined` of `folder`, end to end; None when one is
        gone."""
        key = (folder, joined)
        if key not in self._entries:
            self._entries[key] = _entry_signatures(folder, joined)
        found = self._entries[key]
        return None if found is None else list(found)


class Match:
    """A point that holds: what must be put back, and the signatures of the record to write
    (UNSURE for a file hashed within the racy window)."""

    def __init__(self, point: tuple[Any, ...], looked: Looked) -> None:
        self.point = point
        self.looked = looked
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
        return UNSURE if racy(signature[1], signature[3], self.looked.started_ns) else signature


def matching(point: tuple[Any, ...], looked: Looked) -> Match | None:
    """The Match of `point` when it holds now, else None."""
    found = Match(point, looked)
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
        now = found.looked.signature(path, follow)
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
        elif path in hashes and found.looked.content(path, follow) == hashes[path]:
            into.extend(found.settled(now))
        else:
            return False
    return True


def _tree_holds(found: Match, tree: tuple[str, Signature, str, bytes],
                hashes: tuple[str, str, str]) -> tuple[str, Signature, str, bytes] | None:
    """The tree's item for the record to write when it holds: the folder (or the path observed
    on its own) unchanged, or listing the same entries, or holding the same content."""
    folder, folder_sig, joined, packed = tree
    looked = found.looked
    now = looked.signature(folder, True)
    if now != tuple(folder_sig):
        if hashes[2] and looked.listing(folder) == hashes[2]:
            pass  # an entry changed in place, or came and went again
        elif joined or not hashes[0] or looked.content(folder, True) != hashes[0]:
            return None
        folder_sig = found.settled(now)
        tree = (folder, folder_sig, joined, packed)
    if not joined:  # one path observed on its own
        return tree
    values = looked.entries(folder, joined)
    if values is None:
        return None
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
        if found.looked.content(os.path.join(folder, name), False) != want:
            return None
        values[index * 4:index * 4 + 4] = found.settled(now)  # type: ignore[arg-type]
    return (folder, folder_sig, joined, struct.pack(f"{len(values)}q", *values))


def _entry_signatures(folder: str, joined: str) -> list[int] | None:
    values: list[int] = []
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        for name in joined.split("/"):
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            values.extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
    except OSError:
        return None
    finally:
        os.close(fd)
    return values


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None
