"""Atomic writes: write a temporary file beside the target, then rename it into place."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from buildtools.util.swapfolders import REPLACED_MARK, STAGING_MARK


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; outputs are served by other users
# (nginx workers, static hosts), so give them the ordinary mode.
_FILE_MODE = 0o666 & ~_current_umask()


def write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    with replacing(path, mode) as handle:
        handle.write(data)


@contextlib.contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """A file to write the new content of `path` into, piece by piece; it takes the place of
    `path` when the block ends without an exception, and is removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _FILE_MODE if mode is None else mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:  # a write(): name the file
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def write_text(path: Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, value: Any) -> None:
    write_text(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def replace_dir(staging: Path, final: Path) -> None:
    """Swap a fully built staging folder into place; the old one is removed only afterwards.
    The staging folder is used up either way: it becomes `final`, or, when the swap fails,
    it is removed (`final` is then as it was) and the error is raised."""
    try:
        _swap(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, final: Path) -> None:
    old: Path | None = None
    if final.exists() or final.is_symlink():
        old = final.with_name(f".{final.name}{REPLACED_MARK}{os.getpid()}")
        if old.exists():
            shutil.rmtree(old)
    # Ctrl-C or SIGTERM between the two renames would leave no folder at all: they wait
    with _signals_held():
        if old is not None:
            os.replace(final, old)
        try:
            os.replace(staging, final)
        except OSError:
            if old is not None:
                os.replace(old, final)
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM are delivered when the block is done, not inside it."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # no pthread_sigmask here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def staging_dir(final: Path) -> Path:
    """A fresh temporary folder on the same filesystem as `final`."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}{STAGING_MARK}", dir=final.parent))
    staging.chmod(0o777 & ~_current_umask())  # mkdtemp makes it owner-only
    return staging

