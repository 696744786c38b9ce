"""A disk that is full, for real: a 1 MB tmpfs mounted on the folder and filled up. Each run
is one `error:` line naming the folder that is full, exit 1, no traceback, and the bundle built
before is intact. (Mounting needs root; without it the tests skip. The seams: tests/unit/util/
test_diskfull.py.)"""

from __future__ import annotations

import errno
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.projects import BUILDTOOLS, DOIT, Tiny

pytestmark = pytest.mark.needs("npm")

NO_SPACE = "no space left on its disk (No space left on device); free some space there and " \
    "run again (what was built before is kept)"


@contextmanager
def full(folder: Path) -> Iterator[None]:
    """`folder`, with what it holds, on a tmpfs with no room left."""
    saved = folder.with_name(folder.name + ".saved")
    folder.rename(saved)
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        folder.rmdir()
        saved.rename(folder)
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        shutil.copytree(saved, folder, symlinks=True, dirs_exist_ok=True)
        # unbuffered: a buffered file would keep what did not fit and fail again on close
        with (folder / ".filler").open("wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
        folder.rmdir()
        saved.rename(folder)


@pytest.mark.parametrize("command", ["buildtools", "doit"])
def test_a_full_state_folder(tiny: Tiny, command: str) -> None:
    tiny.run("build")
    bundle = tiny.snapshot(tiny.bundle)
    (tiny.root / "assets" / "note.txt").write_text("edited\n")
    state = tiny.root / ".buildtools"
    with full(state):
        result = tiny.run("build", code=None,
                          command=BUILDTOOLS if command == "buildtools" else DOIT)
    assert tiny.one_error(result) == f"error: {state}: {NO_SPACE}"
    assert tiny.snapshot(tiny.bundle) == bundle
    tiny.run("build")
    assert (tiny.bundle / "note.txt").read_text() == "edited\n"


def test_a_full_dist_folder_while_bundling(tiny: Tiny) -> None:
    tiny.run("build")
    (tiny.root / "assets" / "note.txt").write_text("edited\n")
    dist = tiny.root / "dist"
    with full(dist):
        bundle = tiny.snapshot(tiny.bundle)
        result = tiny.run("build", code=None)
        assert tiny.snapshot(tiny.bundle) == bundle
    assert tiny.one_error(result) == f"error: {dist}: {NO_SPACE}"


def test_a_full_dist_folder_while_packaging(tiny: Tiny) -> None:
    tiny.run("build")
    dist = tiny.root / "dist"
    with full(dist):
        bundle = tiny.snapshot(tiny.bundle)
        result = tiny.run("deploy", "local", code=None, command=DOIT)
        assert tiny.snapshot(tiny.bundle) == bundle
        assert not (dist / "local").exists()
    assert tiny.one_error(result) == f"error: {dist}: {NO_SPACE}"
