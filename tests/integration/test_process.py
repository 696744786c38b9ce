"""The process runner with real processes: output streams to the caller's sink, a failure
carries the tail of the output, a missing program is a user error."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtools.errors import CommandFailed, UserError
from buildtools.util.process import run


def test_run_streams_to_its_sink_and_raises_with_tail(tmp_path: Path) -> None:
    heard: list[str] = []
    lines = run(["bash", "-c", "echo one; echo two"], cwd=tmp_path,
                env={"PATH": "/usr/bin:/bin"}, what="echo", sink=heard.append)
    assert lines == ["one", "two"]
    assert heard == ["one", "two"]
    script = "for i in $(seq 1 100); do echo line $i; done; exit 7"
    with pytest.raises(CommandFailed) as info:
        run(["bash", "-c", script], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
            what="the loop")
    assert info.value.returncode == 7
    assert info.value.tail[0] == "line 61" and info.value.tail[-1] == "line 100"
    assert str(info.value).startswith("the loop failed (exit code 7): bash -c")


def test_run_missing_executable(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="'no-such-tool' was not found on PATH"):
        run(["no-such-tool"], cwd=tmp_path, env={"PATH": "/nonexistent"}, what="x")
