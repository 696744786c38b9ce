"""Deterministic tar.gz archives: the same folder gives the same bytes on any machine.

Entries are sorted by path under one top folder; every entry has the same mtime
(SOURCE_DATE_EPOCH, else 1980-01-01), uid/gid 0, empty owner names and a mode of 0644 or 0755;
the gzip header has mtime 0 and no file name.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from buildtools.errors import UserError
from buildtools.util import atomic

DEFAULT_MTIME = 315532800  # 1980-01-01T00:00:00Z, the earliest date zip can store too
COMPRESS_LEVEL = 9
_CHUNK = 1 << 20


def archive_mtime(environ: Mapping[str, str] | None = None) -> int:
    """SOURCE_DATE_EPOCH when set (reproducible-builds.org), else DEFAULT_MTIME."""
    environ = os.environ if environ is None else environ
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_MTIME
    try:
        epoch = int(value)
    except ValueError:
        raise UserError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {value!r}"
        ) from None
    if epoch < 0:
        raise UserError(f"SOURCE_DATE_EPOCH must not be negative, got {value!r}")
    return epoch


def _walk(folder: Path) -> Iterator[tuple[str, Path]]:
    """(relative posix path, path) for every entry below folder, unsorted."""
    for current, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(current)
        for name in [*dirnames, *filenames]:
            path = base / name
            yield path.relative_to(folder).as_posix(), path


def _info(name: str, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = mode
    return info


def write_tar(tar: tarfile.TarFile, folder: Path, top: str, mtime: int) -> None:
    """Add `folder`'s entries, sorted, each under `top/` (or at the root when top is "")."""
    if top:
        top_info = _info(top, 0o755, mtime)
        top_info.type = tarfile.DIRTYPE
        tar.addfile(top_info)
    for relative, path in sorted(_walk(folder)):
        _add(tar, f"{top}/{relative}" if top else relative, path, mtime)


def write_archive(
    folder: Path, dest: Path, top: str, *, environ: Mapping[str, str] | None = None
) -> None:
    """Write `folder` as `dest` (a .tar.gz) with every entry under `top/`, atomically."""
    mtime = archive_mtime(environ)
    # atomic.replacing gives the archive the mode of an ordinary new file (0644 under umask
    # 022), not mkstemp's 0600: an artifact is copied and served by other users
    with (
        atomic.replacing(dest) as raw,
        gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, compresslevel=COMPRESS_LEVEL, mtime=0
        ) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        write_tar(tar, folder, top, mtime)


def pack_bytes(folder: Path, *, compresslevel: int = 6) -> bytes:
    """`folder` as deterministic tar.gz bytes, entries at the root, every mtime 0."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        write_tar(tar, folder, "", 0)
    return gzip.compress(raw.getvalue(), compresslevel=compresslevel, mtime=0)


def _add(tar: tarfile.TarFile, name: str, path: Path, mtime: int) -> None:
    st = path.lstat()
    if stat.S_ISLNK(st.st_mode):
        info = _info(name, 0o777, mtime)
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(path)
        tar.addfile(info)
    elif stat.S_ISDIR(st.st_mode):
        info = _info(name, 0o755, mtime)
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    elif stat.S_ISREG(st.st_mode):
        info = _info(name, 0o755 if st.st_mode & 0o111 else 0o644, mtime)
        info.size = st.st_size
        with path.open("rb") as handle:
            tar.addfile(info, handle)
    else:
        raise UserError(f"cannot archive {path}: not a regular file, folder or symlink")
