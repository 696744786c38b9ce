"""Content fingerprints of a folder: a manifest of relative path -> (size, xxh3_128), one digest
over it, and a stat cache so that unchanged files are not read again.

A file whose mtime changed but whose content did not gives the same manifest. Symlinks are
hashed by their target path and never followed. node_modules, .git, the tool's state folder,
the build output and whatever the folders' .gitignore files name are left out.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xxhash

from buildtools.fingerprint.ignore import IgnoreFile
from buildtools.util import atomic

ALWAYS_IGNORED = frozenset({"node_modules", ".git", ".buildtools", "__pycache__", ".doit.db"})
SYMLINK_SIZE = -1
_CACHE_FORMAT = 2  # 2: entries carry ctime_ns too
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
    """relative path -> (size, mtime_ns, inode, hash, ctime_ns), kept in one marshal file.

    ctime is compared as git's index does: a tool that writes a file and then puts its old
    mtime back (same size, same inode) still moves ctime, so the file is read again."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, tuple[int, int, int, str, int]] = {}
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


# What scan_tree reports to a progress callback: (files hashed, files to hash, bytes hashed,
# bytes to hash). It is called once before the first file is hashed and after each file.
Progress = Callable[[int, int, int, int], None]
# A stat signature: (size, mtime_ns, inode, ctime_ns); ctime also moves when a tool writes a file
# and then puts its old mtime back.
Signature = tuple[int, int, int, int]
# What scan_tree(observe=...) records of each folder it walked: (absolute path, the folder's
# signature taken before it was listed, the names of the entries that count, their signatures).
Observed = tuple[str, Signature, list[str], list[Signature]]


def signature(info: os.stat_result) -> Signature:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def scan_tree(
    root: Path,
    *,
    exclude: Iterable[str] = (),
    cache: StatCache | None = None,
    use_gitignore: bool = True,
    progress: Progress | None = None,
    observe: list[Observed] | None = None,
    outer_ignores: Sequence[IgnoreFile] = (),
) -> Manifest:
    """Walk `root` and fingerprint every file that matters.

    `exclude` holds paths relative to root (such as the build output folder) to leave out.
    `outer_ignores` are the rules of the .gitignore files above root (ignore.outer_ignore_files).
    `progress` is told how far the hashing of new or changed files has got. `observe`, when
    given, receives the stat signature of every folder walked and every entry that counts
    (and of each .gitignore read), for buildtools.build.record's no-op record.
    """
    cache = cache if cache is not None else StatCache(None)
    old_get = cache.entries.get
    new_entries: dict[str, tuple[int, int, int, str, int]] = {}
    files: dict[str, Entry] = {}
    # (relative, path, size, mtime, inode, ctime) of the files to hash
    pending: list[tuple[str, str, int, int, int, int]] = []
    excluded = {path.strip("/") for path in exclude if path.strip("/")}
    racy_after = time.time_ns() - _RACY_WINDOW_NS
    dirty = False
    base = str(root)
    always = ALWAYS_IGNORED
    is_regular = stat.S_ISREG
    is_symlink = stat.S_ISLNK
    # Each stack item: (absolute folder, relative prefix, active ignore files with their prefix)
    outer: list[tuple[str, IgnoreFile]] = [("", rules) for rules in outer_ignores]
    stack: list[tuple[str, str, list[tuple[str, IgnoreFile]]]] = [(base, "", outer)]
    while stack:
        folder, prefix, ignores = stack.pop()
        names: list[str] = []
        sigs: list[Signature] = []
        seen_ignore = False  # its .gitignore is observed already (ignored by itself or not)
        if observe is not None:
            try:
                folder_sig = signature(os.stat(folder))
            except FileNotFoundError:
                continue
            observe.append((folder, folder_sig, names, sigs))
        if use_gitignore:
            local = IgnoreFile.read(Path(folder, ".gitignore"))
            if local is not None:
                ignores = [*ignores, (prefix, local)]
                if observe is not None:
                    with contextlib.suppress(OSError):
                        sigs.append(signature(os.stat(os.path.join(folder, ".gitignore"))))
                        names.append(".gitignore")
                        seen_ignore = True
        try:
            with os.scandir(folder) as iterator:
                entries = list(iterator)
        except FileNotFoundError:
            continue
        for entry in entries:
            name = entry.name
            if name in always:
                continue
            relative = prefix + name
            if excluded and relative in excluded:
                continue
            # is_dir(follow_symlinks=False) reads the folder listing's entry type (no system
            # call); a symlink to a folder is not a folder here, as in git.
            if entry.is_dir(follow_symlinks=False):
                if not (ignores and _ignored(ignores, relative, True)):
                    stack.append((entry.path, relative + "/", ignores))
                continue
            if ignores and _ignored(ignores, relative, False):
                continue
            info = entry.stat(follow_symlinks=False)
            if not is_regular(info.st_mode):
                if is_symlink(info.st_mode):
                    target = os.readlink(entry.path)
                    files[relative] = (SYMLINK_SIZE,
                                       xxhash.xxh3_128_hexdigest(os.fsencode(target)))
                    if observe is not None:
                        names.append(name)
                        sigs.append(signature(info))
                continue
            if observe is not None and not (seen_ignore and name == ".gitignore"):
                names.append(name)
                sigs.append(signature(info))
            size, mtime, inode, ctime = (info.st_size, info.st_mtime_ns, info.st_ino,
                                         info.st_ctime_ns)
            known = old_get(relative)
            if (known is not None and known[0] == size and known[1] == mtime
                    and known[2] == inode and known[4] == ctime):
                digest = known[3]
            else:
                pending.append((relative, entry.path, size, mtime, inode, ctime))
                continue
            if mtime < racy_after:
                new_entries[relative] = (size, mtime, inode, digest, ctime)
            else:
                dirty = True
            files[relative] = (size, digest)
    if pending:
        dirty = True
        _hash_pending(pending, files, new_entries, racy_after, progress)
    if dirty or len(new_entries) != len(cache.entries):
        cache.dirty = True
    cache.entries = new_entries
    return Manifest(files=files, digest=manifest_digest(files))


def _hash_pending(
    pending: list[tuple[str, str, int, int, int, int]],
    files: dict[str, Entry],
    new_entries: dict[str, tuple[int, int, int, str, int]],
    racy_after: int,
    progress: Progress | None,
) -> None:
    """Hash the files that the stat cache did not vouch for (new, changed, or racy ones)."""
    total_bytes = sum(item[2] for item in pending) if progress is not None else 0
    done_bytes = 0
    if progress is not None:
        progress(0, len(pending), 0, total_bytes)
    for index, (relative, path, size, mtime, inode, ctime) in enumerate(pending, 1):
        try:
            digest = hash_file(path, size)
        except FileNotFoundError:  # deleted since the folder was listed: it is gone
            continue
        if mtime < racy_after:
            new_entries[relative] = (size, mtime, inode, digest, ctime)
        files[relative] = (size, digest)
        if progress is not None:
            done_bytes += size
            progress(index, len(pending), done_bytes, total_bytes)


def _ignored(ignores: list[tuple[str, IgnoreFile]], relative: str, is_dir: bool) -> bool:
    # The deepest .gitignore that has an opinion decides, as in git.
    for prefix, rules in reversed(ignores):
        verdict = rules.decide(relative[len(prefix):], is_dir)
        if verdict is not None:
            return verdict
    return False


def manifest_digest(files: Mapping[str, Entry]) -> str:
    # One pass over the sorted manifest, hashed at once: the same digest as feeding the lines
    # one by one, without a hash update per file.
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
