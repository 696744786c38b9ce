"""A full disk is one line naming the folder that is full, whichever way the OSError came:
a write() that names no file, sendfile naming the source first, copytree's gathered strings.
(The same on a real full tmpfs: tests/integration/test_disk_full.py.)"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from buildtools.handler import guarded
from buildtools.util import atomic
from buildtools.util.diskfull import full_disk

NO_SPACE = "no space left on its disk (No space left on device); free some space there and " \
    "run again (what was built before is kept)"


def enospc(*args: object) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), *args)


def one_line(function: object, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as info:
        guarded(function)  # type: ignore[arg-type]
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def test_a_write_that_fills_the_state_folder_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / ".buildtools"
    target = state / "statcache.marshal"
    atomic.write_bytes(target, b"old")

    class FullFile:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> FullFile:
            return self

        def __exit__(self, *exc: object) -> None:
            os.close(self.handle)  # type: ignore[arg-type]

        def write(self, data: bytes) -> int:
            raise enospc()  # as a write() on a full disk: no file named

    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode: FullFile(fd))
    line = one_line(lambda: atomic.write_bytes(target, b"new"), capsys)
    assert line == f"error: {state}: {NO_SPACE}"
    monkeypatch.undo()
    assert target.read_bytes() == b"old" and [p.name for p in state.iterdir()] == [target.name]


def test_sendfile_names_the_source_first_the_folder_written_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, dist = tmp_path / "webapp" / "a.js", tmp_path / "dist"
    staging = dist / ".local.tmp-abc" / "public"

    def copy() -> None:
        raise enospc(str(source), None, str(staging / "a.js"))

    assert one_line(copy, capsys) == f"error: {dist}: {NO_SPACE}"


def test_copytree_gathered_errors_name_the_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    gathered = shutil.Error([(str(tmp_path / "a.js"), str(dist / ".bundle.tmp-x" / "a.js"),
                              "[Errno 28] No space left on device: 'a.js'")])

    def copy() -> None:
        raise gathered

    assert one_line(copy, capsys) == f"error: {dist}: {NO_SPACE}"
    other = shutil.Error([("a", "b", "[Errno 13] Permission denied: 'b'")])
    assert full_disk(other) is None

    def denied() -> None:
        raise other

    assert one_line(denied, capsys) == (
        "error: cannot copy a to b: [Errno 13] Permission denied: 'b'; check that buildtools "
        "may read the one and write the other")
