"""Put back what a recall point holds (buildtools.core.recall): the cache entry's output and
bundle, each copied beside its final place, checked file by file against the listing the
entry was stored with, then swapped in as buildtools.util.atomic swaps folders (the names of
buildtools.util.swapfolders, Ctrl-C held between the two renames); then the stamps and
manifests. Uses os and xxhash only: shutil and tempfile cost more to import than the restore."""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal imports enum: 5 ms
import os

import xxhash

from buildtools.util.swapfolders import REPLACED_MARK, STAGING_MARK

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_LINK = "link"


class Damaged(Exception):
    """The entry does not hold what it was stored with (or is gone): nothing was changed."""


def put_back(outputs: list[tuple[str, str, dict[str, Any]]], stamps: dict[str, bytes]) -> None:
    """Copy each output from its entry part beside its final place, then (the stamps replaced
    by `.running` markers meanwhile) swap them in and write the stamps and manifests; Damaged,
    with nothing changed, when a file of the entry is missing or holds other bytes than its
    listing says."""
    staged: list[tuple[str, str]] = []
    try:
        for final, part, listing in outputs:
            staging = _staging_dir(final)
            staged.append((staging, final))
            _copy_checked(part, staging, listing)
        _mark_running(stamps)
        for staging, final in staged:
            _swap(staging, final)
        _write_files(stamps)
    finally:
        for staging, _final in staged:
            remove_tree(staging)


def _mark_running(contents: dict[str, bytes]) -> None:
    """Before anything is put back: each stamp about to be written gives way to its stage's
    `.running` marker, as buildtools.core.freshness.StampStore.clear does before a stage runs,
    so that a restore cut short leaves no stamp that says "up to date"."""
    for path in contents:
        if path.endswith(".json"):
            with open(path[:-len(".json")] + ".running", "ab"):
                pass
            _unlink(path)


def _write_files(contents: dict[str, bytes]) -> None:
    """Write each state file in one step (a temporary file renamed into place)."""
    for path in contents:
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(contents[path])
        os.replace(temporary, path)
        if path.endswith(".json"):  # a stamp written means its stage is no longer running
            _unlink(path[:-len(".json")] + ".running")


def _staging_dir(final: str) -> str:
    parent, name = os.path.split(final)
    os.makedirs(parent, exist_ok=True)
    while True:
        staging = os.path.join(parent, f".{name}{STAGING_MARK}{os.urandom(4).hex()}")
        try:
            os.mkdir(staging)
            return staging
        except FileExistsError:
            continue


def _copy_checked(source: str, target: str, listing: dict[str, Any]) -> None:

    for relative in sorted(listing):
        want = listing[relative]
        src = os.path.join(source, relative)
        dst = os.path.join(target, relative)
        folder = os.path.dirname(dst)
        if folder != target:
            os.makedirs(folder, exist_ok=True)
        try:
            if want[0] == _LINK:
                if os.readlink(src) != want[1]:
                    raise Damaged(f"{relative} is not the link that was stored")
                os.symlink(want[1], dst)
                continue
            info = os.stat(src, follow_symlinks=False)
            with open(src, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise Damaged(f"{relative}: {exc.strerror}") from None
        if len(data) != want[0] or xxhash.xxh3_128_hexdigest(data) != want[1]:
            raise Damaged(f"{relative} does not hold what was stored")
        fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, info.st_mode & 0o7777)
        with open(fd, "wb") as handle:
            handle.write(data)
        os.utime(dst, ns=(info.st_atime_ns, info.st_mtime_ns))  # as a copy from the cache keeps it


def _swap(staging: str, final: str) -> None:

    parent, name = os.path.split(final)
    old = os.path.join(parent, f".{name}{REPLACED_MARK}{os.getpid()}")
    present = os.path.lexists(final)
    if present and os.path.lexists(old):
        remove_tree(old)
    held = _signal.pthread_sigmask(_signal.SIG_BLOCK, {_signal.SIGINT, _signal.SIGTERM})
    try:
        if present:
            os.replace(final, old)
        try:
            os.replace(staging, final)
        except OSError:
            if present:
                os.replace(old, final)
            raise
    finally:
        _signal.pthread_sigmask(_signal.SIG_SETMASK, held)
    if present:
        remove_tree(old)


def remove_tree(path: str) -> None:
    """Remove a folder and all in it (or a file, or a link); what cannot be removed stays."""
    try:
        entries = list(os.scandir(path)) if not os.path.islink(path) else None
    except NotADirectoryError:
        entries = None
    except OSError:
        return
    if entries is None:
        _unlink(path)
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            remove_tree(entry.path)
        else:
            _unlink(entry.path)
    try:  # noqa: SIM105 (contextlib is an import the fast path does without)
        os.rmdir(path)
    except OSError:
        pass


def _unlink(path: str) -> None:
    try:  # noqa: SIM105
        os.unlink(path)
    except OSError:
        pass
