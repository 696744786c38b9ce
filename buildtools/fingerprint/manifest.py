"""A tree's manifest: relative path -> (size, xxh3_128 hex), and one digest over it.

A scan keeps it folder by folder, packed (names joined, hashes concatenated): 100,000 files
cost a few MB instead of a dict of 100,000 tuples, which is made only when asked for (to diff
two manifests or to save one).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import xxhash

from buildtools.fingerprint.statcache.file import HEX as HEX  # hex digits of an xxh3_128 digest
from buildtools.fingerprint.statcache.file import SIG_BYTES as SIG_BYTES  # a packed signature
from buildtools.fingerprint.statcache.file import FolderScan as FolderScan

Entry = tuple[int, str]  # (size, hash); size -1 marks a symlink whose target path was hashed
SYMLINK_SIZE = -1


def split_names(joined: str) -> list[str]:
    return joined.split("/") if joined else []


def folder_files(folder: FolderScan) -> list[tuple[str, Entry]]:
    """(relative path, entry) of each file of a scanned folder, in name order."""
    prefix, joined, packed, hashes, links = folder
    sizes = array("q")
    sizes.frombytes(packed)
    linked = set(split_names(links))
    return [
        (prefix + name,
         (SYMLINK_SIZE if name in linked else sizes[index * 4],
          hashes[index * HEX:(index + 1) * HEX]))
        for index, name in enumerate(split_names(joined))
    ]


class Manifest:
    """The fingerprint of a tree: `digest`, `len()`, and `files` (made on first use)."""

    def __init__(self, digest: str, folders: Sequence[FolderScan]) -> None:
        self.digest = digest
        self.folders = folders
        self.count = sum(len(folder[3]) // HEX for folder in folders)
        self._files: dict[str, Entry] | None = None

    def __len__(self) -> int:
        return self.count

    @property
    def files(self) -> dict[str, Entry]:
        if self._files is None:
            self._files = {path: entry for folder in self.folders
                           for path, entry in folder_files(folder)}
        return self._files


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def summary(self, limit: int = 5) -> str:
        parts = []
        for verb, paths in (("changed", self.changed), ("added", self.added),
                            ("removed", self.removed)):
            if paths:
                shown = ", ".join(paths[:limit])
                more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
                parts.append(f"{verb}: {shown}{more}")
        return "; ".join(parts)


def manifest_digest(files: Mapping[str, Entry]) -> str:
    """The digest of a manifest: its lines "path\\0size\\0hash\\n" in path order, hashed at once
    (scan_tree gets the same digest by hashing them as it walks the tree in that order)."""
    text = "".join([f"{relative}\0{files[relative][0]}\0{files[relative][1]}\n"
                    for relative in sorted(files)])
    return xxhash.xxh3_128_hexdigest(text.encode("utf-8", "surrogateescape"))


def diff(old: Mapping[str, Entry | list[object]], new: Mapping[str, Entry]) -> Changes:
    changes = Changes()
    for relative, entry in new.items():
        before = old.get(relative)
        if before is None:
            changes.added.append(relative)
        elif tuple(before) != tuple(entry):
            changes.changed.append(relative)
    changes.removed = [relative for relative in old if relative not in new]
    for paths in (changes.added, changes.changed, changes.removed):
        paths.sort()
    return changes
