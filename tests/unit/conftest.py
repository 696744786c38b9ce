"""Unit tests start no process: a test that needs a real program (npm, node, git, ssh, a shell
script, another Python) belongs in tests/integration/."""

from __future__ import annotations

import os
import subprocess
from typing import Any, NoReturn

import pytest


class _NoProcess(subprocess.Popen):  # type: ignore[type-arg]
    def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
        _refuse(args)


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError(
        f"a unit test started a process ({args!r}); unit tests start none: "
        "move this test to tests/integration/, or give the code a fake to call"
    )


@pytest.fixture(autouse=True)
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "Popen", _NoProcess)
    for name in ("system", "posix_spawn", "posix_spawnp", "fork", "forkpty"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, _refuse)
