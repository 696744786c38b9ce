"""Reading files for their fingerprint: whole, once, through their folder's descriptor."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

import xxhash

from buildtools.errors import UserError

CHUNK = 1 << 20
# Never follow a link (a file that became one is not read through it), never wait on a fifo
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK


def hash_file(path: str, size: int) -> str:
    with open(path, "rb") as handle:
        if size <= CHUNK:
            return xxhash.xxh3_128_hexdigest(handle.read())
        hasher = xxhash.xxh3_128()
        while chunk := handle.read(CHUNK):
            hasher.update(chunk)
        return hasher.hexdigest()


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


def read_at(name: str, folder_fd: int, folder: str) -> tuple[os.stat_result, bytes] | None:
    """(the signature, then the content) of a regular file in a folder; None when it is gone
    or is not a regular file (any more: the folder's mtime says it changed)."""
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=folder_fd)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:  # it became a symlink
            return None
        raise UserError(f"cannot read {os.path.join(folder, name)}: {error.strerror}: make "
                        "it readable, or leave it out with .gitignore") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size <= CHUNK:
            return info, os.read(fd, info.st_size)
        parts = []
        while chunk := os.read(fd, CHUNK):
            parts.append(chunk)
        return info, b"".join(parts)
    finally:
        os.close(fd)
