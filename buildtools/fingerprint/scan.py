"""Content fingerprints of a folder: a manifest of relative path -> (size, xxh3_128), one digest
over it, and a stat cache so that unchanged files are not read again.

A file whose mtime changed but whose content did not gives the same manifest. Symlinks are
hashed by their target path and never followed. node_modules, .git, the tool's state folder,
the build output, the folders buildtools stages beside an output (.<name>.tmp-*, left behind
only by a killed run) and whatever the folders' .gitignore files name are left out.

One pass does everything, folder by folder: list the folder (through its descriptor, names
relative to it), decide what .gitignore leaves out for the whole folder at once, then per
file either one stat that the stat cache vouches for, or open + fstat + read (the signature
of what was read, taken before reading it). Folders are walked in the order of their paths,
so the manifest digest is hashed as the walk goes; what is kept of each folder is packed (see
buildtools.fingerprint.manifest), and is at once the manifest, the new stat cache and what
the no-op record observes.
"""

from __future__ import annotations

import bisect
import os
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import xxhash

from buildtools.fingerprint.files import read_at
from buildtools.fingerprint.ignore import IgnoreFile, kept
from buildtools.fingerprint.manifest import (
    HEX,
    SIG_BYTES,
    SYMLINK_SIZE,
    FolderScan,
    Manifest,
    split_names,
)
from buildtools.fingerprint.statcache import RACY_WINDOW_NS
from buildtools.fingerprint.statcache.cache import StatCache, without_racy
from buildtools.util.swapfolders import is_swap_folder

__all__ = ["ALWAYS_IGNORED", "Manifest", "Observed", "Progress", "Signature", "scan_tree"]

ALWAYS_IGNORED = frozenset({"node_modules", ".git", ".buildtools", "__pycache__", ".doit.db"})
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY

# A stat signature: (size, mtime_ns, inode, ctime_ns); ctime also moves when a tool writes a file
# and then puts its old mtime back.
Signature = tuple[int, int, int, int]
# What scan_tree(observe=...) records of each folder it walked, for buildtools.core.record:
# (absolute path, the folder's signature taken before it was listed, the names of the entries
# that count joined by "/" (and its .gitignore, read or not), their packed signatures).
Observed = tuple[str, Signature, str, bytes]
# Told (files hashed, bytes hashed, finished) after each folder where files were read, then
# once with finished=True; never when the stat cache vouched for every file.
Progress = Callable[[int, int, bool], None]


class _Walk:
    """One scan: the old stat cache, what is found, and the digest hashed in path order."""

    def __init__(self, cache: StatCache, excluded: Iterable[str], use_gitignore: bool,
                 progress: Progress | None, observe: list[Observed] | None) -> None:
        self.old = cache.folders
        self.found: dict[str, FolderScan] = {}
        self.changed = False  # the new cache differs from the old one
        self.use_gitignore = use_gitignore
        self.progress = progress
        self.observe = observe
        self.racy_after = time.time_ns() - RACY_WINDOW_NS
        self.read_files = 0
        self.read_bytes = 0
        self.excluded: dict[str, set[str]] = {}  # folder -> names left out of it
        for path in excluded:
            folder, _, name = path.strip("/").rpartition("/")
            if name:
                self.excluded.setdefault(f"{folder}/" if folder else "", set()).add(name)

    def run(self, root: str, outer: Sequence[IgnoreFile]) -> str:
        hasher = xxhash.xxh3_128()
        # Items: a folder to scan (path, relative path, .gitignore rules in force), or the
        # manifest lines of a run of files, hashed when their turn in path order comes
        stack: list[tuple[str, str, list[tuple[str, IgnoreFile]]] | str] = [
            (root, "", [("", rules) for rules in outer])]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                hasher.update(item.encode("utf-8", "surrogateescape"))
            else:
                stack.extend(reversed(self.folder(*item)))
        if self.progress is not None and self.read_files:
            self.progress(self.read_files, self.read_bytes, True)
        return hasher.hexdigest()

    def folder(self, path: str, prefix: str, ignores: list[tuple[str, IgnoreFile]]
               ) -> list[tuple[str, str, list[tuple[str, IgnoreFile]]] | str]:
        """Scan one folder; its manifest lines and subfolders, in path order."""
        try:
            fd = os.open(path, _DIR_FLAGS)
        except (FileNotFoundError, NotADirectoryError):
            return []  # gone since its parent was listed (the parent's mtime says so)
        try:
            folder_sig = os.fstat(fd)
            ignore_file = read_at(".gitignore", fd, path) if self.use_gitignore else None
            if ignore_file is not None:
                rules = IgnoreFile.parse(ignore_file[1])
                if rules is not None:
                    ignores = [*ignores, (prefix, rules)]
            with os.scandir(fd) as listing:
                entries = list(listing)
            files, links, folders = _sorted_out(entries, self.excluded.get(prefix))
            if ignores:
                files = kept(ignores, prefix, files, False)
                links = kept(ignores, prefix, links, False)
                folders = kept(ignores, prefix, folders, True)
            names = sorted(files + links) if links else files
            scanned = self.signed(fd, path, prefix, names, "/".join(links), ignore_file)
        finally:
            os.close(fd)
        self.found[prefix] = scanned
        if self.observe is not None:
            self._observe(path, folder_sig, scanned, ignore_file)
        return _in_path_order(scanned, path, folders, ignores)

    def signed(self, fd: int, path: str, prefix: str, names: list[str], links: str,
               ignore_file: tuple[os.stat_result, bytes] | None) -> FolderScan:
        """The folder's FolderScan: the stat cache's where every signature matches, else
        file by file, reading what the cache does not vouch for."""
        old = self.old.get(prefix)
        if old is not None and old[1] == "/".join(names) and old[4] == links:
            current = array("q")
            extend = current.extend
            try:
                for name in names:
                    info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                    extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
            except FileNotFoundError:
                pass  # gone since the listing: file by file below
            else:
                if current.tobytes() == old[2]:
                    return old
        self.changed = True
        return self._read(fd, path, prefix, names, links, old, ignore_file)

    def _read(self, fd: int, path: str, prefix: str, names: list[str], links: str,
              old: FolderScan | None, ignore_file: tuple[os.stat_result, bytes] | None
              ) -> FolderScan:
        known: dict[str, tuple[bytes, str]] = {}
        if old is not None:
            for index, name in enumerate(split_names(old[1])):
                known[name] = (old[2][index * SIG_BYTES:(index + 1) * SIG_BYTES],
                               old[3][index * HEX:(index + 1) * HEX])
        linked = set(split_names(links))
        kept_names: list[str] = []
        sigs = array("q")
        hashes: list[str] = []
        read_before = self.read_files
        for name in names:
            if name in linked:
                try:
                    info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                    target = os.readlink(name, dir_fd=fd)
                except OSError:
                    continue  # gone or no longer a link: the folder's mtime moved
                digest = xxhash.xxh3_128_hexdigest(os.fsencode(target))
            else:
                entry = known.get(name)
                if entry is not None:
                    try:
                        info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    signature = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
                    if array("q", signature).tobytes() == entry[0]:
                        kept_names.append(name)
                        sigs.extend(signature)
                        hashes.append(entry[1])
                        continue
                found = ignore_file if name == ".gitignore" and ignore_file else None
                found = found or read_at(name, fd, path)
                if found is None:
                    continue
                info, content = found
                digest = xxhash.xxh3_128_hexdigest(content)
                self.read_files += 1
                self.read_bytes += len(content)
            kept_names.append(name)
            sigs.extend((info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns))
            hashes.append(digest)
        if self.progress is not None and self.read_files > read_before:
            self.progress(self.read_files, self.read_bytes, False)
        return (prefix, "/".join(kept_names), sigs.tobytes(), "".join(hashes),
                links if len(kept_names) == len(names) else
                "/".join(name for name in kept_names if name in linked))

    def _observe(self, path: str, folder_sig: os.stat_result, scanned: FolderScan,
                 ignore_file: tuple[os.stat_result, bytes] | None) -> None:
        assert self.observe is not None
        joined, packed = scanned[1], scanned[2]
        if ignore_file is not None and ".gitignore" not in split_names(joined):
            info = ignore_file[0]  # its rules count although it leaves itself out
            joined = f"{joined}/.gitignore" if joined else ".gitignore"
            packed += array("q", (info.st_size, info.st_mtime_ns, info.st_ino,
                                  info.st_ctime_ns)).tobytes()
        sig = (folder_sig.st_size, folder_sig.st_mtime_ns, folder_sig.st_ino,
               folder_sig.st_ctime_ns)
        self.observe.append((path, sig, joined, packed))

    def cache_entries(self) -> dict[str, FolderScan]:
        """What the stat cache keeps of the folders found (see without_racy)."""
        entries = {}
        for prefix, scanned in self.found.items():
            entries[prefix] = without_racy(scanned, self.racy_after)
            self.changed = self.changed or entries[prefix] is not scanned
        return entries


def _sorted_out(entries: list[os.DirEntry[str]], excluded: set[str] | None
                ) -> tuple[list[str], list[str], list[str]]:
    """(regular files, symlinks, folders) of a listing, from the entry types it gives (no
    system call); a symlink to a folder is not a folder here, as in git."""
    files: list[str] = []
    links: list[str] = []
    folders: list[str] = []
    always = ALWAYS_IGNORED
    for entry in entries:
        name = entry.name
        if name in always or (excluded and name in excluded):
            continue
        if entry.is_dir(follow_symlinks=False):
            if not is_swap_folder(name):  # a staging folder left by a killed run
                folders.append(name)
        elif entry.is_file(follow_symlinks=False):
            files.append(name)
        elif entry.is_symlink():
            links.append(name)
    files.sort()
    links.sort()
    folders.sort()
    return files, links, folders


def _in_path_order(scanned: FolderScan, path: str, folders: list[str],
                   ignores: list[tuple[str, IgnoreFile]]
                   ) -> list[tuple[str, str, list[tuple[str, IgnoreFile]]] | str]:
    """The folder's manifest lines, cut where its subfolders come in path order ("a.js" <
    "a/..." < "a0.js": a folder sorts as its name followed by "/")."""
    prefix, joined, packed, hashes, links = scanned
    names = split_names(joined)
    sizes = array("q")
    sizes.frombytes(packed)
    sizes = sizes[0::4]
    if links:
        linked = set(split_names(links))
        sizes = array("q", [SYMLINK_SIZE if name in linked else size
                            for name, size in zip(names, sizes, strict=True)])
    lines = [f"{prefix}{name}\0{size}\0{hashes[index * HEX:(index + 1) * HEX]}\n"
             for index, (name, size) in enumerate(zip(names, sizes, strict=True))]
    order: list[tuple[str, str, list[tuple[str, IgnoreFile]]] | str] = []
    start = 0
    for folder in folders:
        cut = bisect.bisect_left(names, f"{folder}/")
        if cut > start:
            order.append("".join(lines[start:cut]))
            start = cut
        order.append((os.path.join(path, folder), f"{prefix}{folder}/", ignores))
    if start < len(lines):
        order.append("".join(lines[start:]))
    return order


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
    `progress` is told how far the reading of new or changed files has got. `observe`, when
    given, receives the stat signature of every folder walked and every entry that counts
    (and of each .gitignore read), for buildtools.core.record's no-op record.
    """
    cache = cache if cache is not None else StatCache(None)
    walk = _Walk(cache, exclude, use_gitignore, progress, observe)
    digest = walk.run(str(root), outer_ignores)
    entries = walk.cache_entries()
    if walk.changed or entries.keys() != cache.folders.keys():
        cache.dirty = True
    cache.folders = entries
    return Manifest(digest, list(walk.found.values()))
