"""The top-level error handler in a real process: `buildtools build | head` closes the pipe;
no traceback, exit 141."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX pipes and exit codes")


def test_closed_output_pipe_is_not_a_bug(tmp_path: Path) -> None:
    """`buildtools build | head`: the reader closes the pipe; no traceback, exit 141."""
    script = (
        "from buildtools.handler import guarded\n"
        "def talk():\n"
        "    while True:\n"
        "        print('line ' * 100, flush=True)\n"
        "guarded(talk)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 141
    assert stderr == ""
