"""Unit tests start no process: a test that needs a real program (npm, node, git, ssh, a shell
script, another Python) belongs in tests/integration/."""

from __future__ import annotations

import os
import subprocess

import pytest

from support.processes import NoProcess, refuse_process


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "Popen", NoProcess)
    for name in ("system", "posix_spawn", "posix_spawnp", "fork", "forkpty"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse_process)
