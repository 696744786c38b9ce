"""Content fingerprints of a folder: a manifest of relative path -> (size, xxh3_128), one digest
over it, and a stat cache so that unchanged files are not read again.

A file whose mtime changed but whose content did not gives the same manifest. Symlinks are
hashed by their target path and never followed. node_modules, .git, the tool's state folder,
the build output and whatever the folders' .gitignore files name are left out.
"""

from __future__ import annotations

import marshal
import os
import stat
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import xxhash

from buildtools import atomic
from buildtools.ignore import IgnoreFile

ALWAYS_IGNORED = frozenset({"node_modules", ".git", ".buildtools", "__pycache__", ".doit.db"})
SYMLINK_SIZE = -1
_CACHE_FORMAT = 1
# A file modified this close to the scan may change again within the same mtime tick (the
# "racy git" problem): hash it, but do not trust its stat entry next time.
_RACY_WINDOW_NS = 2_000_000_000
_CHUNK = 1 << 20

Entry = tuple[int, str]  # (size, hash); size -1 marks a symlink whose target path was hashed


@dataclass
class Manifest:
    files: dict[str, Entry]
    digest: str


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


class StatCache:
    """relative path -> (size, mtime_ns, inode, hash), kept in one marshal file."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, tuple[int, int, int, str]] = {}
        self.dirty = False
        if path is not None:
            try:
                data = marshal.loads(path.read_bytes())
                if isinstance(data, tuple) and data[0] == _CACHE_FORMAT:
                    self.entries = data[1]
            except (OSError, ValueError, EOFError, TypeError, IndexError):
                self.entries = {}

    def save(self) -> None:
        if self.path is not None and self.dirty:
            atomic.write_bytes(self.path, marshal.dumps((_CACHE_FORMAT, self.entries)))
            self.dirty = False


def hash_file(path: str, size: int) -> str:
    with open(path, "rb") as handle:
        if size <= _CHUNK:
            return xxhash.xxh3_128_hexdigest(handle.read())
        hasher = xxhash.xxh3_128()
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
        return hasher.hexdigest()


def scan_tree(
    root: Path,
    *,
    exclude: Iterable[str] = (),
    cache: StatCache | None = None,
    use_gitignore: bool = True,
) -> Manifest:
    """Walk `root` and fingerprint every file that matters.

    `exclude` holds paths relative to root (such as the build output folder) to leave out.
    """
    cache = cache if cache is not None else StatCache(None)
    old_entries = cache.entries
    new_entries: dict[str, tuple[int, int, int, str]] = {}
    files: dict[str, Entry] = {}
    excluded = {path.strip("/") for path in exclude if path.strip("/")}
    racy_after = time.time_ns() - _RACY_WINDOW_NS
    base = str(root)
    # Each stack item: (absolute folder, relative prefix, active ignore files with their prefix)
    stack: list[tuple[str, str, list[tuple[str, IgnoreFile]]]] = [(base, "", [])]
    while stack:
        folder, prefix, ignores = stack.pop()
        if use_gitignore:
            local = IgnoreFile.read(Path(folder, ".gitignore"))
            if local is not None:
                ignores = [*ignores, (prefix, local)]
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            name = entry.name
            if name in ALWAYS_IGNORED:
                continue
            relative = prefix + name
            if relative in excluded:
                continue
            is_link = entry.is_symlink()
            is_dir = not is_link and entry.is_dir(follow_symlinks=False)
            if ignores and _ignored(ignores, relative, is_dir):
                continue
            if is_dir:
                stack.append((entry.path, relative + "/", ignores))
                continue
            if is_link:
                target = os.readlink(entry.path)
                files[relative] = (SYMLINK_SIZE, xxhash.xxh3_128_hexdigest(os.fsencode(target)))
                continue
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            size, mtime, inode = info.st_size, info.st_mtime_ns, info.st_ino
            known = old_entries.get(relative)
            if known is not None and known[0] == size and known[1] == mtime and known[2] == inode:
                digest = known[3]
            else:
                digest = hash_file(entry.path, size)
                cache.dirty = True
            if mtime < racy_after:
                new_entries[relative] = (size, mtime, inode, digest)
            else:
                cache.dirty = True
            files[relative] = (size, digest)
    if len(new_entries) != len(old_entries):
        cache.dirty = True
    cache.entries = new_entries
    return Manifest(files=files, digest=manifest_digest(files))


def _ignored(ignores: list[tuple[str, IgnoreFile]], relative: str, is_dir: bool) -> bool:
    # The deepest .gitignore that has an opinion decides, as in git.
    for prefix, rules in reversed(ignores):
        verdict = rules.decide(relative[len(prefix):], is_dir)
        if verdict is not None:
            return verdict
    return False


def manifest_digest(files: Mapping[str, Entry]) -> str:
    hasher = xxhash.xxh3_128()
    for relative in sorted(files):
        size, digest = files[relative]
        hasher.update(f"{relative}\0{size}\0{digest}\n".encode("utf-8", "surrogateescape"))
    return hasher.hexdigest()


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


def hash_files(root: Path, names: Iterable[str]) -> dict[str, str | None]:
    """Content hashes of a few named files under root (None where absent)."""
    result: dict[str, str | None] = {}
    for name in names:
        path = root / name
        try:
            result[name] = xxhash.xxh3_128_hexdigest(path.read_bytes())
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            result[name] = None
    return result
